-- Kiosk tokens (DESIGN.md "Roles": a wall viewer reads live metrics and gaps with a long-lived read-only
-- token, revocable). Issued and revoked by admins without a restart, each named after its screen. Versioned
-- rows like users: issuing writes version 1, revoking writes the whole row again with a higher version;
-- readers take each token's newest row. Only the SHA-256 of a token is stored: the token itself is shown
-- once, to the admin who issued it.
CREATE TABLE IF NOT EXISTS ${database}.kiosk_tokens
(
    token_id String,
    name String,
    token_sha256 String,
    created_at DateTime64(3, 'UTC'),
    created_by String,
    -- Epoch (1970-01-01) while the token is valid.
    revoked_at DateTime64(3, 'UTC'),
    revoked_by String,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY token_id
