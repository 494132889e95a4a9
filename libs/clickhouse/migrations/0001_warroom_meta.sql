-- Small facts about this database, one row per key (the newest insert of a key wins on merge).
-- Read with FINAL or argMax when an exact answer matters.
CREATE TABLE IF NOT EXISTS ${database}.warroom_meta
(
    key String,
    value String
)
ENGINE = ReplacingMergeTree
ORDER BY key;
