-- Holes in the Kafka offsets ingest read (issue 16): offsets that never reached ingest because retention
-- dropped them, the topic was truncated or recreated, or the consumer was reset past the stored offset.
-- One row per hole. A hole is found again after every restart or rewind that reads across it, so the key
-- is where it starts: detecting it twice keeps one row, and when it was found again wider (retention kept
-- deleting meanwhile) the widest version (highest last offset) wins, on read (FINAL) and on merge.
CREATE TABLE IF NOT EXISTS ${database}.ingest_offset_gaps
(
    topic LowCardinality(String),
    partition UInt16,
    first_missing_offset UInt64,
    last_missing_offset UInt64,
    missing_count UInt64,
    detected_at DateTime64(3, 'UTC')
)
ENGINE = ReplacingMergeTree(last_missing_offset)
ORDER BY (topic, partition, first_missing_offset)
