-- Gap lifecycle (issue 7): every change a person or the patch loop made to a gap, append-only. The gaps
-- themselves are not stored: the api rebuilds them from chat_events in the order ingest stored them
-- (their ids derive from their first question), re-applying these rows interleaved by time, so a restart
-- ends where the running process was.
--
--   action     what                                   columns filled besides who and when
--   claim      a trainer or lead takes the gap        -
--   release    the claim is given back                -
--   publish    a patch closing the gap was applied    target, answer_id, revision
--   verify     the first question of the gap was      answer_id, revision, ref_event_id (that question)
--              answered by the published revision
--   dismiss    a lead closed it without a patch       reason
--
-- action_id is unique per change; it is also the insert's deduplication token, so a retried INSERT is a
-- no-op (non_replicated_deduplication_window).
CREATE TABLE IF NOT EXISTS ${database}.gap_lifecycle
(
    action_id String,
    source LowCardinality(String),
    shop_id LowCardinality(String),
    gap_id String,
    action LowCardinality(String),
    at DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    actor_user_id String,
    actor_login String,
    reason String,
    target String,
    answer_id String,
    revision UInt32,
    ref_event_id String,
    recorded_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (source, at, gap_id, action_id)
TTL toDateTime(at) + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000;

-- The api finds new rows of chat_events by ClickHouse's insert time (ingested_at), over the last 24 h of
-- event time. ingested_at is not in the sorting key, but every INSERT stamps one narrow range of it, so a
-- min-max index lets such a read skip everything inserted before: polling stays cheap however many rows
-- the day holds. Parts written before this migration have no index and are read in full (once a day's
-- worth has aged out of the window, none are left).
ALTER TABLE ${database}.chat_events ADD INDEX IF NOT EXISTS ingested_at_minmax ingested_at TYPE minmax GRANULARITY 1;
