-- Ingest inserts each Kafka partition's rows as INSERTs whose deduplication token names the partition and
-- the offset it continues from (issue 20): two ingest members that continue the same range, say a former
-- owner resuming after a stall and the member that took its partitions, collide on the token, and the store
-- keeps the first. That holds only while the first INSERT's token is still in the table's deduplication log,
-- which keeps the last N blocks of the table (one block per INSERT per Kafka partition). The window is sized
-- so that the blocks every member writes while another one stalls between its check and its INSERT stay in
-- it by a wide margin; the rollup, filled in the same INSERT, deduplicates with the same tokens.
ALTER TABLE ${database}.chat_events MODIFY SETTING non_replicated_deduplication_window = 100000;
ALTER TABLE ${database}.question_rollup_1s MODIFY SETTING non_replicated_deduplication_window = 100000;
