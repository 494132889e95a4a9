/**
 * bench:login — sign-ins while the api serves wall viewers: does hashing passwords stall the frames?
 * Dev broker, dev store, ingest and api processes; `--viewers` real WebSocket viewers of `/live` in a
 * child process (test/bench/live-clients.ts); then, in one run:
 *   1. baseline: the viewers alone for `--baseline-seconds`;
 *   2. `--logins` sign-ins (POST /api/auth/login, right passwords) from `--parallel` clients, each signing
 *      in one after another as one of `--parallel` users.
 * The api logs its event loop's delay every 5 s (`event-loop: p50=… p99=… max=…`, EventLoopMonitor); each
 * phase takes the worst p99 among the lines that cover it. A viewer's frame gap is the time between two
 * frames it received (a snapshot or a heartbeat every tick).
 *
 *   npm run -s bench:login -- --json [--logins 200] [--parallel 20] [--viewers 1000]
 *
 * Last line of stdout: {"logins","p50Ms","p99Ms","eventLoopP99Ms","baselineEventLoopP99Ms",
 * "viewerFrameGapP99Ms","baselineViewerFrameGapP99Ms"}.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { EVENT_LOOP_REPORT_MS } from '../../apps/api/src/common/event-loop-monitor';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';

const { values } = parseArgs({
  options: {
    logins: { type: 'string', default: '200' },
    parallel: { type: 'string', default: '20' },
    viewers: { type: 'string', default: '1000' },
    'baseline-seconds': { type: 'string', default: '15' },
    json: { type: 'boolean', default: false },
  },
});
const LOGINS = Number(values.logins);
const PARALLEL = Number(values.parallel);
const VIEWERS = Number(values.viewers);
const BASELINE_MS = Number(values['baseline-seconds']) * 1000;
const KIOSK_TOKEN = 'bench-kiosk-token-0123456789';
const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123';
const PASSWORD = 'bench password of the agents';
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const viewerResultSchema = z.object({
  event: z.literal('result'),
  snapshots: z.number(),
  heartbeats: z.number(),
  frameGaps: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() }),
  dropped: z.number(),
  closed: z.number(),
});
type ViewerResult = z.infer<typeof viewerResultSchema>;

/** The api's event-loop lines, with when they arrived. */
const loopReports: { at: number; p99Ms: number }[] = [];
const LOOP_LINE = /event-loop: p50=[\d.]+ms p99=([\d.]+)ms/;

/** The worst p99 among the reports that cover [from, to] (each covers the 5 s before it arrived). */
function worstLoopP99(from: number, to: number): number | null {
  const covering = loopReports.filter((report) => report.at > from && report.at - EVENT_LOOP_REPORT_MS < to);
  return covering.length === 0 ? null : Math.max(...covering.map((report) => report.p99Ms));
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function startViewers(url: string): { ready: Promise<void>; command(line: 'measure' | 'report' | 'stop'): Promise<ViewerResult | null> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', resolve(__dirname, 'live-clients.ts'), '--url', url, '--token', KIOSK_TOKEN, '--clients', String(VIEWERS)],
    { cwd: resolve(__dirname, '../..'), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((done) => (onReady = done));
  let onResult: (result: ViewerResult) => void = () => undefined;
  createInterface({ input: child.stdout }).on('line', (line) => {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'event' in parsed && parsed.event === 'ready') {
      log(`viewers: ${line}`);
      onReady();
    } else {
      onResult(viewerResultSchema.parse(parsed));
    }
  });
  return {
    ready,
    command: async (line) => {
      const result = line === 'measure' ? null : new Promise<ViewerResult>((done) => (onResult = done));
      child.stdin.write(`${line}\n`);
      const answer = result === null ? null : await result;
      if (line === 'stop') child.kill();
      return answer;
    },
  };
}

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore({ onLog: () => undefined })]);
  const apps: AppProcess[] = [];
  const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, PORT: '0' };
  try {
    // Ingest first: it runs the migrations; two processes must not run them at once.
    apps.push(await startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', LOG_LEVEL: 'warn' }, onLog: () => undefined }));
    const firstAdmin = oneTimePasswordCatcher();
    const api = await startAppProcess({
      name: 'api',
      entry: 'apps/api/src/main.ts',
      env: { ...common, WARROOM_ROLES: 'api', WALL_KIOSK_TOKEN: KIOSK_TOKEN, WARROOM_SESSION_SECRET: SESSION_SECRET, LOG_LEVEL: 'log' },
      onLog: (line) => {
        firstAdmin.onLog(line);
        const loop = LOOP_LINE.exec(line);
        if (loop) loopReports.push({ at: Date.now(), p99Ms: Number(loop[1]) });
      },
    });
    apps.push(api);
    const base = api.url!;
    const logins = Array.from({ length: PARALLEL }, (_, i) => `bench.agent${i}`);
    await setUpUsers(base, firstAdmin.password(), logins.map((login) => ({ login, displayName: login, role: 'agent' as const })), PASSWORD);
    log(`api at ${base}, ${logins.length} users; connecting ${VIEWERS} viewers…`);

    const viewers = startViewers(base);
    await viewers.ready;
    await viewers.command('measure');
    const baselineFrom = Date.now();
    log(`baseline: viewers alone for ${BASELINE_MS / 1000} s`);
    await new Promise((done) => setTimeout(done, BASELINE_MS));
    const baselineTo = Date.now();
    const baseline = (await viewers.command('report'))!;

    await viewers.command('measure');
    log(`${LOGINS} sign-ins from ${PARALLEL} parallel clients…`);
    const latencies: number[] = [];
    let failed = 0;
    const loginsFrom = Date.now();
    await Promise.all(
      logins.map(async (login, client) => {
        for (let i = client; i < LOGINS; i += PARALLEL) {
          // `own` is what setUpUsers made each user replace the admin's password with.
          const reply = await call(base, 'POST', '/api/auth/login', null, { login, password: `${PASSWORD} (own)` });
          if (reply.status !== 200) failed += 1;
          latencies.push(reply.ms);
        }
      }),
    );
    const loginsTo = Date.now();
    // The report that covers the last sign-ins arrives up to 5 s later.
    await new Promise((done) => setTimeout(done, EVENT_LOOP_REPORT_MS + 500));
    const underLogins = (await viewers.command('stop'))!;
    if (failed > 0) throw new Error(`${failed} of ${LOGINS} sign-ins failed`);

    latencies.sort((a, b) => a - b);
    const result = {
      logins: latencies.length,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      eventLoopP99Ms: worstLoopP99(loginsFrom, loginsTo),
      baselineEventLoopP99Ms: worstLoopP99(baselineFrom, baselineTo),
      viewerFrameGapP99Ms: underLogins.frameGaps.p99,
      baselineViewerFrameGapP99Ms: baseline.frameGaps.p99,
    };
    log(`sign-ins took ${((loginsTo - loginsFrom) / 1000).toFixed(1)} s; viewers: baseline ${JSON.stringify(baseline)}, under sign-ins ${JSON.stringify(underLogins)}`);
    console.log(values.json ? JSON.stringify(result) : result);
  } finally {
    for (const app of apps.reverse()) await app.stop();
    await Promise.all([store.stop(), broker.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
