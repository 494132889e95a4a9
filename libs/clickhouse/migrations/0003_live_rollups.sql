-- Live metrics rollup (DESIGN.md "Metrics"): questions in 1-second buckets, kept by one materialized
-- view on every INSERT into chat_events. Late events land in their own (older) bucket.
--
-- One target table with three facets, not one table per breakdown: each view target costs the store
-- a part per INSERT (tens of milliseconds on the dev store), so the view writes every facet of an
-- INSERT's questions into one part. Each question contributes one row to each facet:
--
--   facet      key columns filled (the others are '')       what it serves
--   outcome    mode, stage, outcome, handoff_reason          questions, hit rate, unmatched queries,
--                                                           handoff rate by reason, modes, stages
--   emotion    emotion                                       emotion mix (share, mean intensity)
--   answer     answer_id (questions that have one)           top-10 questions, each answer's hit rate
--
-- Measures, summed by SummingMergeTree as parts merge (so readers always sum() over the key):
--   questions      questions
--   answered       questions answered (any mode)
--   bot_questions  bot-mode questions
--   bot_answered   bot-mode questions answered
--   intensity_sum  sum of emotion intensities
-- answer_id is the matched answer of answered questions and the best candidate of the others, so
-- answer X's own hit rate is bot_answered / bot_questions over its rows.
--
-- Ingest inserts with insert_deduplication_token and deduplicate_blocks_in_dependent_materialized_views,
-- so the target drops a retried INSERT too; a non-replicated table deduplicates only with
-- non_replicated_deduplication_window set.
CREATE TABLE IF NOT EXISTS ${database}.question_rollup_1s
(
    source LowCardinality(String),
    facet LowCardinality(String),
    shop_id LowCardinality(String),
    bucket DateTime('UTC') CODEC(Delta, ZSTD(1)),
    mode LowCardinality(String),
    stage LowCardinality(String),
    outcome LowCardinality(String),
    handoff_reason LowCardinality(String),
    emotion LowCardinality(String),
    answer_id LowCardinality(String),
    questions UInt64,
    answered UInt64,
    bot_questions UInt64,
    bot_answered UInt64,
    intensity_sum Float64
)
ENGINE = SummingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (source, facet, shop_id, bucket, mode, stage, outcome, handoff_reason, emotion, answer_id)
TTL bucket + INTERVAL 400 DAY
SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000;

-- The inner query names the question's own columns q_*, so that the facet keys can take the target's
-- column names without an alias shadowing a column.
CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.question_rollup_1s_mv
TO ${database}.question_rollup_1s
AS SELECT
    source,
    facet_key.1 AS facet,
    shop_id,
    bucket,
    facet_key.2 AS mode,
    facet_key.3 AS stage,
    facet_key.4 AS outcome,
    facet_key.5 AS handoff_reason,
    facet_key.6 AS emotion,
    facet_key.7 AS answer_id,
    count() AS questions,
    countIf(q_outcome = 'answered') AS answered,
    countIf(q_mode = 'bot') AS bot_questions,
    countIf(q_mode = 'bot' AND q_outcome = 'answered') AS bot_answered,
    sum(q_intensity) AS intensity_sum
FROM
(
    SELECT
        source,
        shop_id,
        toDateTime(event_time, 'UTC') AS bucket,
        mode AS q_mode,
        outcome AS q_outcome,
        toFloat64(emotion_intensity) AS q_intensity,
        arrayJoin(
            if(
                answer_id = '',
                [('outcome', mode, stage, outcome, handoff_reason, '', ''), ('emotion', '', '', '', '', emotion, '')],
                [
                    ('outcome', mode, stage, outcome, handoff_reason, '', ''),
                    ('emotion', '', '', '', '', emotion, ''),
                    ('answer', '', '', '', '', '', answer_id)
                ]
            )
        ) AS facet_key
    FROM ${database}.chat_events
    WHERE kind = 'question'
)
GROUP BY source, facet, shop_id, bucket, mode, stage, outcome, handoff_reason, emotion, answer_id
