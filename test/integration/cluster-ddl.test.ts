/**
 * The cluster DDL (libs/clickhouse/src/cluster-ddl.ts) against the single-server DDL, through the
 * dev store's own ClickHouse parser: same tables, columns and types, replicated engines, ON CLUSTER.
 */
import { describe, expect, it } from 'vitest';
import { checkClusterParity, compareClusterStatement } from '@warroom/clickhouse';
import { useDevStore } from '../support/store';

const fixture = useDevStore();
const single = "CREATE TABLE IF NOT EXISTS wr.t (id String, at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree(at) ORDER BY id";

describe('cluster DDL parity', () => {
  it("renders every migration for a cluster with nothing but ON CLUSTER, replicated engines and the replicated dedup window changed", async () => {
    const report = await checkClusterParity(fixture.client(), { database: 'warroom', cluster: 'warroom' });
    expect(report.mismatches).toEqual([]);
    expect(report.clusterTables).toBeGreaterThanOrEqual(8);
    expect(report.statements).toBeGreaterThan(report.clusterTables);
  });

  it('accepts a faithful cluster statement', async () => {
    const clustered =
      "CREATE TABLE IF NOT EXISTS wr.t ON CLUSTER 'c' (id String, at DateTime64(3, 'UTC')) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/wr/t', '{replica}', at) ORDER BY id";
    expect((await compareClusterStatement(fixture.client(), single, clustered, 'c')).problem).toBeNull();
  });

  it('names a column whose type differs, a statement not on the cluster, and an engine left unreplicated', async () => {
    const client = fixture.client();
    const otherType =
      "CREATE TABLE IF NOT EXISTS wr.t ON CLUSTER 'c' (id String, at DateTime) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/wr/t', '{replica}', at) ORDER BY id";
    expect((await compareClusterStatement(client, single, otherType, 'c')).problem).toMatch(/differs from the single-server statement/);
    const notOnCluster = "CREATE TABLE IF NOT EXISTS wr.t (id String, at DateTime64(3, 'UTC')) ENGINE = ReplicatedReplacingMergeTree('/p', '{replica}', at) ORDER BY id";
    expect((await compareClusterStatement(client, single, notOnCluster, 'c')).problem).toMatch(/not ON CLUSTER c/);
    const unreplicated = "CREATE TABLE IF NOT EXISTS wr.t ON CLUSTER 'c' (id String, at DateTime64(3, 'UTC')) ENGINE = ReplacingMergeTree(at) ORDER BY id";
    expect((await compareClusterStatement(client, single, unreplicated, 'c')).problem).toMatch(/no replicated engine/);
    const dedupWindow = (setting: string): string =>
      `CREATE TABLE IF NOT EXISTS wr.t ON CLUSTER 'c' (id String) ENGINE = ReplicatedMergeTree('/p', '{replica}') ORDER BY id SETTINGS ${setting} = 100`;
    const singleWindow = 'CREATE TABLE IF NOT EXISTS wr.t (id String) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100';
    expect((await compareClusterStatement(client, singleWindow, dedupWindow('replicated_deduplication_window'), 'c')).problem).toBeNull();
    expect((await compareClusterStatement(client, singleWindow, dedupWindow('non_replicated_deduplication_window'), 'c')).problem).toMatch(
      /keeps the non-replicated deduplication window/,
    );
  });
});
