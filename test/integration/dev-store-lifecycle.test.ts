/**
 * The dev store process: data survives a restart on the same directory, one process per
 * directory, SIGTERM finishes the requests in flight, and start-up failures explain themselves.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createClickHouseClient, type ClickHouseClient } from '@warroom/clickhouse';
import { startDevStore, type DevStore } from '../../infra/dev/store/launch';

const dataDir = mkdtempSync(join(tmpdir(), 'warroom-store-lifecycle-'));
const started: DevStore[] = [];
const clients: ClickHouseClient[] = [];

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await Promise.allSettled(started.map((store) => store.stop()));
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(dir = dataDir): Promise<{ store: DevStore; client: ClickHouseClient }> {
  const store = await startDevStore({ dataDir: dir, onLog: () => undefined });
  started.push(store);
  const client = createClickHouseClient({ url: store.url });
  clients.push(client);
  return { store, client };
}

async function count(client: ClickHouseClient): Promise<number> {
  const result = await client.query({ query: 'SELECT count() AS n FROM kept', format: 'JSONEachRow' });
  const [row] = await result.json<{ n: number }>();
  return row?.n ?? -1;
}

describe('dev store process', () => {
  it('keeps its data across a restart and locks its directory', async () => {
    const first = await start();
    await first.client.command({ query: 'CREATE TABLE kept (id UInt32) ENGINE = MergeTree ORDER BY id' });
    await first.client.insert({ table: 'kept', values: [{ id: 1 }, { id: 2 }], format: 'JSONEachRow' });

    await expect(startDevStore({ dataDir, onLog: () => undefined })).rejects.toThrow(
      /exited before it was ready[\s\S]*(lock|Another server instance)/i,
    );
    expect(await count(first.client)).toBe(2);

    await first.store.stop();
    const second = await start();
    expect(await count(second.client)).toBe(2);
    await second.store.stop();
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const { store, client } = await start(join(dataDir, 'inflight'));
    const slow = client.query({ query: 'SELECT sum(sleepEachRow(0.01)) AS s, count() AS n FROM numbers(100)', format: 'JSONEachRow' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = store.stop();
    const result = await slow;
    expect(await result.json()).toEqual([{ s: 0, n: 100 }]);
    await expect(stopped).resolves.toBeUndefined();
  });

  it('says why it did not start', async () => {
    await expect(startDevStore({ port: 70_000, onLog: () => undefined })).rejects.toThrow(
      /exited before it was ready[\s\S]*--port must be a whole number/,
    );
  });
});
