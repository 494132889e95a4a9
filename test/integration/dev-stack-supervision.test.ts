/**
 * `npm start`'s supervision for real (issue 16): ingest and the api run as supervised child processes, as
 * scripts/dev-stack.ts runs them; ingest killed with SIGKILL comes back by itself on its port, with the wait
 * doubling while it keeps dying, while the api keeps running untouched; the dev store killed with SIGKILL
 * comes back on its port and data directory with its rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouseClient } from '@warroom/clickhouse';
import { describe, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startDevStore } from '../../infra/dev/store/launch';
import { supervise, type Supervised } from '../../infra/dev/supervisor';
import { KIOSK_TOKEN, SESSION_SECRET, usePipeline, waitFor } from '../support/pipeline';

/** Fast enough for a test, the same doubling as npm start's 1 s → 30 s. */
const POLICY = { initialDelayMs: 500, maxDelayMs: 4_000, stableAfterMs: 60_000 };

async function answers(url: string): Promise<number | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

/** Waits until the supervised part runs again under a pid other than `pid`. */
async function restartedFrom(part: Supervised<AppProcess>, pid: number, lines: string[]): Promise<AppProcess> {
  await waitFor(
    () => Promise.resolve((part.current()?.pid ?? pid) !== pid),
    40_000,
    () => `${part.name} not restarted; supervisor said:\n${lines.join('\n')}`,
  );
  const restarted = part.current();
  if (!restarted) throw new Error(`${part.name} is down again`);
  return restarted;
}

describe('npm start supervision', () => {
  const pipeline = usePipeline();

  it('restarts ingest killed with SIGKILL on its port, waiting longer each time, and leaves the api running', async () => {
    const p = pipeline();
    const ingestPort = await freePort();
    const lines: string[] = [];
    const log = (line: string): void => {
      lines.push(line);
    };
    const env = { KAFKA_BROKERS: p.broker.brokers, CLICKHOUSE_URL: p.store.url, WALL_KIOSK_TOKEN: KIOSK_TOKEN, LOG_LEVEL: 'warn' };
    const quiet = (): void => undefined;
    const ingest = await supervise({
      name: 'ingest',
      policy: POLICY,
      log,
      start: () =>
        startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', onLog: quiet, env: { ...env, WARROOM_ROLES: 'ingest', PORT: String(ingestPort) } }),
    });
    const api = await supervise({
      name: 'api',
      policy: POLICY,
      log,
      start: () =>
        startAppProcess({
          name: 'api',
          entry: 'apps/api/src/main.ts',
          onLog: quiet,
          env: { ...env, WARROOM_ROLES: 'api', WARROOM_SESSION_SECRET: SESSION_SECRET, PORT: '0', WEB_DIST_DIR: 'apps/web' },
        }),
    });
    try {
      const apiProcess = api.current();
      if (!apiProcess?.url) throw new Error('the api printed no url');
      expect(await answers(`${apiProcess.url}/api/campaigns`)).toBe(401);
      // Without a token: a 401 is the api answering.
      const campaigns = `${apiProcess.url}/api/campaigns`;
      const ingestHealth = `http://127.0.0.1:${ingestPort}/health/ingest`;
      expect(await answers(ingestHealth)).toBe(200);

      const first = ingest.current();
      if (!first) throw new Error('ingest is not running');
      process.kill(first.pid, 'SIGKILL');
      const second = await restartedFrom(ingest, first.pid, lines);
      expect(await answers(ingestHealth)).toBe(200);

      process.kill(second.pid, 'SIGKILL');
      await restartedFrom(ingest, second.pid, lines);
      expect(await answers(ingestHealth)).toBe(200);

      expect(ingest.restarts).toBe(2);
      expect(lines.filter((line) => line.startsWith('ingest exited unexpectedly'))).toEqual([
        expect.stringMatching(/^ingest exited unexpectedly \(signal SIGKILL\) after .*; restarting in 0\.5 s$/),
        expect.stringMatching(/^ingest exited unexpectedly \(signal SIGKILL\) after .*; restarting in 1\.0 s$/),
      ]);
      // The api never noticed: the same process, still answering.
      expect(api.current()?.pid).toBe(apiProcess.pid);
      expect(api.restarts).toBe(0);
      expect(await answers(campaigns)).toBe(401);
    } finally {
      await Promise.all([ingest.stop(), api.stop()]);
    }
    // Stopped for good: nothing comes back.
    await new Promise((done) => setTimeout(done, POLICY.initialDelayMs * 2));
    expect(ingest.current()).toBeNull();
    expect(lines.some((line) => line.startsWith('api '))).toBe(false);
  });

  it('restarts the dev store killed with SIGKILL on the same port and data directory, rows kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'warroom-supervised-store-'));
    const port = await freePort();
    const lines: string[] = [];
    const store = await supervise({
      name: 'dev store',
      policy: POLICY,
      log: (line) => lines.push(line),
      start: () => startDevStore({ dataDir, port, onLog: () => undefined }),
    });
    const url = `http://127.0.0.1:${port}`;
    const clickhouse = createClickHouseClient({ url });
    try {
      await clickhouse.command({ query: 'CREATE TABLE kept (n UInt32) ENGINE = MergeTree ORDER BY n' });
      await clickhouse.insert({ table: 'kept', values: [{ n: 1 }, { n: 2 }, { n: 3 }], format: 'JSONEachRow' });
      const first = store.current();
      if (!first) throw new Error('the store is not running');
      process.kill(first.pid, 'SIGKILL');
      await waitFor(
        () => Promise.resolve((store.current()?.pid ?? first.pid) !== first.pid),
        40_000,
        () => `dev store not restarted; supervisor said:\n${lines.join('\n')}`,
      );
      const result = await clickhouse.query({ query: 'SELECT count() AS rows FROM kept', format: 'JSONEachRow' });
      const [row] = await result.json<{ rows: number | string }>();
      expect(Number(row?.rows)).toBe(3);
    } finally {
      await clickhouse.close();
      await store.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
