-- Rosters for the staffing reports and the wall (issue 11): agents on shift per 15-minute or 1-hour
-- interval, per source and shop ('all' is a team serving every shop). Uploading an interval again replaces
-- it: the newest version (upload time in ms) wins, on read (ORDER BY version DESC LIMIT 1 BY) and on merge.
CREATE TABLE IF NOT EXISTS ${database}.staffing_rosters
(
    source LowCardinality(String),
    shop_id String,
    interval_minutes UInt16,
    interval_start DateTime64(3, 'UTC'),
    agents UInt32,
    version UInt64
)
ENGINE = ReplacingMergeTree(version)
ORDER BY (source, shop_id, interval_minutes, interval_start);
