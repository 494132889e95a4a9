-- Users (DESIGN.md "Roles") as versioned rows: every change inserts the user's whole row again with a
-- higher version; the current user is the row of highest version, read whole (ORDER BY version DESC,
-- password_hash DESC LIMIT 1 BY user_id: one coherent row, and every reader breaks a tie the same way), and
-- merges keep only that version in the end. user_id is derived from the login, so two concurrent
-- creations of one login collapse into one user instead of two (ClickHouse has no unique constraint).
-- Deduplication by insert token (the window below) keeps concurrent first starts from creating two first
-- admins.
CREATE TABLE IF NOT EXISTS ${database}.users
(
    user_id String,
    login String,
    display_name String,
    role LowCardinality(String),
    -- '' for every role but trainer.
    grade LowCardinality(String),
    disabled Bool,
    -- bcrypt, with its cost and salt.
    password_hash String,
    must_change_password Bool,
    version UInt64,
    updated_at DateTime64(3, 'UTC'),
    updated_by String
)
ENGINE = ReplacingMergeTree(version)
ORDER BY user_id
SETTINGS non_replicated_deduplication_window = 1000;

-- Who changed what, when. Append-only: nothing updates or deletes a row. details is a JSON object.
CREATE TABLE IF NOT EXISTS ${database}.audit_log
(
    at DateTime64(3, 'UTC'),
    actor_id String,
    actor_login String,
    action LowCardinality(String),
    target String,
    details String CODEC(ZSTD(3))
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(at)
ORDER BY (at, action, target);
