-- Outreach (DESIGN.md "Outreach"): the bot's intent judgments, its proactive messages, customers' answers to
-- them and the agents' follow-ups are chat events too (kinds intent, outreach, outreach_reply,
-- follow_up_open, follow_up_done). They need three columns the other kinds leave at their defaults:
-- the scenario and intent score of an intent, outreach or follow-up, and whether an answer was a "no".
-- A follow-up's result goes in `outcome` and what it answers in `ref_event_id`, as for questions and answers.
ALTER TABLE ${database}.chat_events
    ADD COLUMN IF NOT EXISTS scenario LowCardinality(String) DEFAULT '' AFTER original_event_id,
    ADD COLUMN IF NOT EXISTS intent_score Float32 DEFAULT 0 AFTER scenario,
    ADD COLUMN IF NOT EXISTS opt_out UInt8 DEFAULT 0 AFTER intent_score;
