/**
 * `npm start -- --ingest 2 --api 2 --bot 2` for real (issue 20): the launcher (scripts/dev-stack.ts) starts two
 * processes of each app, the wall's address is the api proxy (REST and the `/live` WebSocket through it), and
 * the simulator's customers reach both bots through the session router.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { botHealthSchema, serverFrameSchema } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { waitFor } from '../support/pipeline';

const REPO_ROOT = resolve(__dirname, '../..');

/** The `url` of the ready line a part printed under its name (`[bot-2] {"event":"ready",…}`). */
function readyUrlOf(lines: string[], part: string): string {
  for (const line of lines) {
    if (!line.startsWith(`[${part}] {`)) continue;
    const ready = JSON.parse(line.slice(part.length + 3)) as { event?: unknown; url?: unknown };
    if (ready.event === 'ready' && typeof ready.url === 'string') return ready.url;
  }
  throw new Error(`${part} printed no ready line with its url`);
}

async function firstFrame(wsUrl: string): Promise<string> {
  const socket = new WebSocket(wsUrl);
  try {
    return await new Promise<string>((done, fail) => {
      socket.once('open', () => socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'rehearsal' } })));
      socket.once('message', (bytes: Buffer) => done(serverFrameSchema.parse(JSON.parse(bytes.toString('utf8'))).event));
      socket.once('error', fail);
    });
  } finally {
    socket.close();
  }
}

describe('npm start -- --ingest 2 --api 2 --bot 2', () => {
  const lines: string[] = [];
  let wall: URL;
  let stop: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    const launcher = spawn(process.execPath, ['-r', '@swc-node/register', 'scripts/dev-stack.ts', '--ingest', '2', '--api', '2', '--bot', '2'], {
      cwd: REPO_ROOT,
      // A free port instead of 3000 (a developer's npm start may hold it); the web app's source folder serves.
      env: { ...process.env, PORT: '0', WEB_DIST_DIR: 'apps/web' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const exited = new Promise<void>((done) => launcher.once('exit', () => done()));
    stop = async () => {
      if (launcher.exitCode !== null || launcher.signalCode !== null) return;
      launcher.kill('SIGTERM');
      const timer = setTimeout(() => launcher.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    };
    const onLine = (line: string): void => void lines.push(line);
    createInterface({ input: launcher.stdout }).on('line', onLine);
    createInterface({ input: launcher.stderr }).on('line', onLine);
    await waitFor(
      () => Promise.resolve(lines.some((line) => line.includes('warroom is running')) || launcher.exitCode !== null),
      // Seven processes started one after the other on a machine shared with other runs.
      420_000,
      () => `the launcher was not running in time:\n${lines.slice(-40).join('\n')}`,
    );
    const url = /The wall: (\S+)/.exec(lines.find((line) => line.includes('warroom is running')) ?? '')?.[1];
    if (url === undefined) throw new Error(`the launcher printed no wall URL:\n${lines.slice(-40).join('\n')}`);
    wall = new URL(url);
  }, 480_000);
  afterAll(() => stop(), 90_000);

  it('runs two processes of each app, serves the wall through the api proxy, and spreads customers over both bots', async () => {
    expect(lines).toContainEqual(expect.stringMatching(/^topology: 2 ingest \(one consumer group\), 2 api behind the proxy at http:\/\/\S+, 2 bots behind the session router at /));
    const [api1, api2] = [readyUrlOf(lines, 'api-1'), readyUrlOf(lines, 'api-2')];
    expect(new Set([api1, api2, wall.origin]).size).toBe(3);
    for (const part of ['ingest-1', 'ingest-2']) expect(readyUrlOf(lines, part)).toMatch(/^http:/);

    // The wall's address: every request answered by one api process or the other, the live socket too.
    const token = wall.searchParams.get('token')!;
    for (let i = 0; i < 4; i += 1) {
      const campaigns = await fetch(new URL('/api/campaigns', wall.origin), { headers: { authorization: `Bearer ${token}` } });
      await campaigns.body?.cancel();
      expect(campaigns.status).not.toBe(502);
    }
    expect(await firstFrame(`${wall.origin.replace(/^http/, 'ws')}/live?token=${token}`)).toMatch(/^[a-z_]+$/);

    // The simulator's customers, routed by session, reach both bots.
    const bots = [readyUrlOf(lines, 'bot-1'), readyUrlOf(lines, 'bot-2')];
    await waitFor(
      async () => {
        const sessions = await Promise.all(bots.map(async (bot) => botHealthSchema.parse(await (await fetch(new URL('/health', bot))).json()).sessions));
        return sessions.every((count) => count > 0);
      },
      60_000,
      () => `the simulator's customers did not reach both bots:\n${lines.slice(-30).join('\n')}`,
    );
  });
});
