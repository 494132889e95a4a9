/**
 * The production start path, as the image runs it: the apps compiled to plain JavaScript
 * (infra/docker/build-dist.sh), `node dist/apps/api/src/main.js` with no TypeScript loader, against the
 * dev broker and the dev store, answering its readiness and ingest probes, then stopping cleanly on SIGTERM.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../infra/dev/ports';
import { describeWithDevBroker, useDevBroker } from '../support/broker';
import { KIOSK_TOKEN, SESSION_SECRET, waitFor } from '../support/pipeline';
import { useDevStore } from '../support/store';

const ROOT = resolve(__dirname, '../..');

describeWithDevBroker('the production start path', () => {
  const broker = useDevBroker();
  const store = useDevStore();
  let api: ChildProcess | undefined;
  let output = '';
  let base = '';

  beforeAll(async () => {
    await promisify(execFile)('bash', ['infra/docker/build-dist.sh'], { cwd: ROOT });
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: ROOT,
      // Only what a container gets: no TypeScript loader in NODE_OPTIONS, nothing of the test's own environment.
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        KAFKA_BROKERS: broker().brokers,
        CLICKHOUSE_URL: store.url,
        WARROOM_ROLES: 'ingest,api',
        WALL_KIOSK_TOKEN: KIOSK_TOKEN,
        WARROOM_SESSION_SECRET: SESSION_SECRET,
        PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });

  afterAll(() => {
    if (api && api.exitCode === null) api.kill('SIGKILL');
  });

  it('answers its readiness and ingest probes, then stops on SIGTERM', async () => {
    const status = async (path: string): Promise<number> => {
      try {
        return (await fetch(`${base}${path}`, { signal: AbortSignal.timeout(2_000) })).status;
      } catch {
        return 0;
      }
    };
    await waitFor(() => status('/health/ready').then((code) => code === 200), 60_000, () => `/health/ready never answered 200; the api said:\n${output.slice(-3_000)}`);
    expect(await status('/health/live')).toBe(200);
    await waitFor(() => status('/health/ingest').then((code) => code === 200), 30_000, () => `/health/ingest never answered 200; the api said:\n${output.slice(-3_000)}`);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
      api?.once('exit', (code, signal) => resolveExit({ code, signal })),
    );
    api?.kill('SIGTERM');
    // Nest's shutdown hooks close the app, then raise the signal again: the process ends by SIGTERM, not by a crash.
    const exit = await exited;
    expect(exit.code === 0 || exit.signal === 'SIGTERM', `exit ${JSON.stringify(exit)}; the api said:\n${output.slice(-2_000)}`).toBe(true);
    expect(output).not.toMatch(/Error: Cannot find module/);
  });
});
