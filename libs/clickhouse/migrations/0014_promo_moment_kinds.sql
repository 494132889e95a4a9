-- Promo moments get a kind (deposit payment, final payment, sales open, flash sale, other): the briefing
-- aligns a campaign's moments with the previous campaign's by kind, not by clock. One entry per moment,
-- beside promo_labels and promo_at; rows stored before this have none, and their moments read as `other`.
ALTER TABLE ${database}.campaigns
    ADD COLUMN IF NOT EXISTS promo_kinds Array(LowCardinality(String)) DEFAULT [] AFTER promo_at;
