-- Gap lifecycle changes are decided on the `gap.lifecycle` log (one partition: every api process applies
-- it in the same order with the same rule). Each decided change is stored here with its log offset, by
-- every process that applied it under the change's action_id as deduplication token, so it is stored once.
-- At start the api re-applies the stored changes in log order and follows the log after the highest
-- offset stored: a process stores its decisions in log order, so everything decided below that offset is
-- here. Rows written before the log existed have offset -1 and come first.
ALTER TABLE ${database}.gap_lifecycle ADD COLUMN IF NOT EXISTS log_offset Int64 DEFAULT -1;
