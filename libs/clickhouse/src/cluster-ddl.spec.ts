import { describe, expect, it } from 'vitest';
import { renderForCluster } from './cluster-ddl';
import { DEFAULT_MIGRATIONS_DIR, loadMigrations, renderMigration } from './migrations';

const target = { cluster: 'warroom', database: 'wr' };

describe('renderForCluster', () => {
  it('replicates a MergeTree table on the cluster, with its Keeper path and the replicated dedup window', () => {
    const sql = `CREATE TABLE IF NOT EXISTS wr.events (id String, at DateTime)
ENGINE = MergeTree ORDER BY (at, id) SETTINGS ttl_only_drop_parts = 1, non_replicated_deduplication_window = 10000`;
    expect(renderForCluster(sql, target)).toBe(`CREATE TABLE IF NOT EXISTS wr.events ON CLUSTER 'warroom' (id String, at DateTime)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/wr/events', '{replica}') ORDER BY (at, id) SETTINGS ttl_only_drop_parts = 1, replicated_deduplication_window = 10000`);
  });

  it("keeps an engine's own arguments after the replication ones", () => {
    const sql = 'CREATE TABLE wr.users (id String, version UInt64) ENGINE = ReplacingMergeTree(version) ORDER BY id';
    expect(renderForCluster(sql, target)).toBe(
      "CREATE TABLE wr.users ON CLUSTER 'warroom' (id String, version UInt64) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/wr/users', '{replica}', version) ORDER BY id",
    );
  });

  it('finds the engine at the top level only, never inside a projection, a string or a comment', () => {
    const sql = `CREATE TABLE wr.t (
  note String DEFAULT 'ENGINE = Memory', -- ENGINE = Log
  PROJECTION p (SELECT note ORDER BY note)
) ENGINE = SummingMergeTree ORDER BY note`;
    const rendered = renderForCluster(sql, target);
    expect(rendered).toContain("DEFAULT 'ENGINE = Memory', -- ENGINE = Log");
    expect(rendered).toContain("ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/wr/t', '{replica}') ORDER BY note");
  });

  it('runs materialized views and ALTERs on the cluster too', () => {
    expect(renderForCluster('CREATE MATERIALIZED VIEW IF NOT EXISTS wr.v TO wr.t AS SELECT 1 AS x', target)).toBe(
      "CREATE MATERIALIZED VIEW IF NOT EXISTS wr.v ON CLUSTER 'warroom' TO wr.t AS SELECT 1 AS x",
    );
    expect(renderForCluster('ALTER TABLE wr.t ADD INDEX IF NOT EXISTS i at TYPE minmax GRANULARITY 1', target)).toBe(
      "ALTER TABLE wr.t ON CLUSTER 'warroom' ADD INDEX IF NOT EXISTS i at TYPE minmax GRANULARITY 1",
    );
  });

  it('refuses what it has no rule for, naming it', () => {
    expect(() => renderForCluster('INSERT INTO wr.t SELECT 1', target)).toThrow(/no cluster rendering for a statement that starts "INSERT INTO wr"/);
    expect(() => renderForCluster('CREATE TABLE wr.t (x UInt8) ENGINE = Memory', target)).toThrow(/engine Memory has no replicated twin/);
    expect(() => renderForCluster('CREATE TABLE wr.t (x UInt8) ENGINE = MergeTree ORDER BY x', { ...target, cluster: "a'; DROP" })).toThrow(
      /cluster name/,
    );
  });

  it("renders every one of the project's migrations", () => {
    const statements = loadMigrations(DEFAULT_MIGRATIONS_DIR).flatMap((file) => renderMigration(file, 'wr'));
    const rendered = statements.map((statement) => renderForCluster(statement, target));
    expect(rendered.every((statement) => statement.includes("ON CLUSTER 'warroom'"))).toBe(true);
    expect(rendered.filter((statement) => /^CREATE TABLE/m.test(statement)).every((statement) => /ENGINE = Replicated\w*MergeTree\(/.test(statement))).toBe(true);
    expect(rendered.join('\n')).not.toMatch(/non_replicated_deduplication_window\s*=/);
  });
});
