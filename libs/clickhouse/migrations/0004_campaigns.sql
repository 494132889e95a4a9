-- Campaigns (DESIGN.md "Words"): start and end, promo moments, the plan (expected questions per minute,
-- linear between points) and the shops. Versioned rows: every change inserts the whole campaign again
-- with a higher version; readers take each campaign's newest version (ORDER BY version DESC LIMIT 1 BY),
-- and merges keep only that one in the end.
CREATE TABLE IF NOT EXISTS ${database}.campaigns
(
    campaign_id String,
    version UInt64,
    name String,
    source LowCardinality(String),
    starts_at DateTime64(3, 'UTC'),
    ends_at DateTime64(3, 'UTC'),
    shops Array(String),
    promo_labels Array(String),
    promo_at Array(DateTime64(3, 'UTC')),
    plan_at Array(DateTime64(3, 'UTC')),
    plan_questions_per_minute Array(Float64),
    updated_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(version)
ORDER BY campaign_id;
