-- Raw chat events: the durable record. Each row keeps the Kafka topic, partition and offset it came
-- from; ingest resumes each partition after the highest offset stored here (projection kafka_progress),
-- which makes the pipeline exactly-once in effect without Kafka transactions or merges.
CREATE TABLE IF NOT EXISTS ${database}.chat_events
(
    event_id String,
    event_time DateTime64(3, 'UTC') CODEC(Delta, ZSTD(1)),
    source LowCardinality(String),
    campaign_id LowCardinality(String),
    shop_id LowCardinality(String),
    session_id String,
    customer_id String,
    kind LowCardinality(String),
    channel LowCardinality(String),
    mode LowCardinality(String),
    stage LowCardinality(String),
    sku String,
    text String CODEC(ZSTD(3)),
    outcome LowCardinality(String),
    handoff_reason LowCardinality(String),
    answer_id String,
    answer_revision UInt32,
    score Float32,
    emotion LowCardinality(String),
    emotion_intensity Float32,
    agent_id String,
    order_id String,
    amount_cents UInt64,
    ref_event_id String,
    original_event_id String,
    kafka_topic LowCardinality(String),
    kafka_partition UInt16,
    kafka_offset UInt64,
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3) CODEC(Delta, ZSTD(1)),
    PROJECTION kafka_progress
    (
        SELECT kafka_topic, kafka_partition, max(kafka_offset)
        GROUP BY kafka_topic, kafka_partition
    )
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(event_time)
ORDER BY (source, shop_id, event_time, event_id)
TTL toDateTime(event_time) + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000
