-- kb_revisions: every decision of the knowledge base's sequencer (Kafka `kb.patches`, one partition),
-- in log order, append-only. The knowledge base after a restart is the pack files plus these proposals
-- re-applied in `log_offset` order by the same rule (libs/knowledge), then the log is followed from the
-- next offset. Several api processes may record the same decision: readers take one row per offset
-- (`LIMIT 1 BY log_offset`); the rule is deterministic, so the copies agree.
CREATE TABLE IF NOT EXISTS ${database}.kb_revisions
(
    log_offset UInt64,
    patch_id String,
    status LowCardinality(String),
    target String,
    -- Applied: the new revision. Rejected: the target's revision at that point (0 if it did not exist).
    revision UInt32,
    base_revision UInt32,
    op LowCardinality(String),
    reason String,
    author_id String,
    author_login String,
    gap_id String,
    proposed_at DateTime64(3, 'UTC'),
    applied_at DateTime64(3, 'UTC'),
    -- The proposal as it was on the log (kbPatchProposalSchema), so the ledger can be rebuilt exactly.
    proposal String CODEC(ZSTD(3))
)
ENGINE = MergeTree
ORDER BY (log_offset, patch_id)
