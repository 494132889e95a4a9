/**
 * bench:live — the whole live path under load: a producer at `--rate` events/s → dev broker → ingest
 * process → dev store (raw table + rollup view) → api process (live metrics engine, gateway) → `--clients`
 * real WebSocket viewers in a child process (test/bench/live-clients.ts). Latency is what a viewer sees:
 * its receive time − the asOf of each snapshot it receives.
 *
 *   npm run -s bench:live -- --rate 20000 --seconds 60 --clients 1000 --json
 *        [--views all/5m,shop-a/5m]  [--tick-ms 250]  [--linger-ms 250]
 *
 * Last line of stdout: {"rate","seconds","clients","events","p50Ms","p99Ms","maxMs","droppedClients"}.
 * stderr: progress, ingest lag, the api's own timing lines (`live: … asOfAge=p50/p99/max compute=…
 * fanOut=…`, where asOfAge is how old the watermark is when a tick starts), and a summary line
 * `{"event":"summary",…}` with what was stored and lost.
 *
 * The dev broker keeps about 5 MiB per partition, so events are consumed while they are produced; if
 * ingest falls behind by more than that, the broker drops events and `lost` says so.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { z } from 'zod';
import { TrafficGenerator } from '../../apps/sim/src/traffic';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '20' },
    clients: { type: 'string', default: '100' },
    views: { type: 'string', default: 'all/5m' },
    'tick-ms': { type: 'string', default: '250' },
    'linger-ms': { type: 'string', default: '250' },
    json: { type: 'boolean', default: false },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const CLIENTS = Number(values.clients);
const TOKEN = 'bench-kiosk-token-0123456789';
const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123';
const SHOPS = ['shop-a', 'shop-b', 'shop-c'];
/**
 * The producer batches what it generates for this long, as Kafka producers do (linger.ms), and sends it as
 * one request. On the dev broker this matters far beyond latency: ingest gets about one record batch per
 * partition per fetch, so small produce requests cap what one ingest round (one INSERT) can store.
 * Measured on the 2-core box at 2,000 events/s: 50 ms batches, ingest stores ~900/s and falls behind;
 * 250 ms batches, it keeps up. Latency is counted from asOf, which is when events reached the broker, so
 * the linger is not part of it.
 */
const SLICE_MS = Number(values['linger-ms']);
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const clientResultSchema = z.object({
  event: z.literal('result'),
  snapshots: z.number(),
  heartbeats: z.number(),
  latencies: z.object({ p50: z.number().nullable(), p99: z.number().nullable(), max: z.number().nullable() }),
  dropped: z.number(),
  closed: z.number(),
  badFrames: z.number(),
});
type ClientResult = z.infer<typeof clientResultSchema>;

/**
 * CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. Sampled at
 * the start and end of the measured period, it shows which process the two cores went to.
 */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime are fields 14 and 15 of stat, 12 and 13 after the ") " split; in clock ticks (100/s).
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The viewers' process: started, waited for until every client has its first snapshot, told when to measure. */
function startClients(url: string): { pid: number; ready: Promise<void>; measure(): void; stop(): Promise<ClientResult> } {
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', resolve(__dirname, 'live-clients.ts'), '--url', url, '--token', TOKEN, '--clients', String(CLIENTS), '--views', values.views],
    { cwd: resolve(__dirname, '../..'), stdio: ['pipe', 'pipe', 'inherit'] },
  );
  process.once('exit', () => child.kill('SIGKILL'));
  let onReady: () => void = () => undefined;
  let onResult: (result: ClientResult) => void = () => undefined;
  const ready = new Promise<void>((done) => (onReady = done));
  const result = new Promise<ClientResult>((done) => (onResult = done));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed === 'object' && parsed !== null && 'event' in parsed && parsed.event === 'ready') {
      log(`clients: ${line}`);
      onReady();
    } else {
      onResult(clientResultSchema.parse(parsed));
    }
  });
  return {
    pid: child.pid ?? -1,
    ready,
    measure: () => child.stdin.write('measure\n'),
    stop: async () => {
      child.stdin.write('stop\n');
      const final = await result;
      // Its sockets are closed; without this its open stdin would keep it, and so this process, alive.
      child.kill();
      return final;
    },
  };
}

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore({ onLog: () => undefined })]);
  const apps: AppProcess[] = [];
  const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, PORT: '0' };
  const relay = (name: string) => (line: string) => {
    // The api's timing lines and ingest's health lines say where the time goes; the rest is noise here.
    if (/live: |status=|WARN|ERROR|Error/.test(line)) log(`[${name}] ${line.replace(/\x1b\[[0-9;]*m/g, '')}`);
  };
  const clickhouse = createClickHouseClient({ url: store.url, database: 'warroom' });
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench-live' });
  const producer = createProducer(kafka);
  try {
    // Ingest first: it runs the migrations; two processes must not run them at once.
    apps.push(await startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', LOG_LEVEL: 'log' }, onLog: relay('ingest') }));
    const api = await startAppProcess({
      name: 'api',
      entry: 'apps/api/src/main.ts',
      env: { ...common, WARROOM_ROLES: 'api', WALL_KIOSK_TOKEN: TOKEN, WARROOM_SESSION_SECRET: SESSION_SECRET, METRICS_TICK_MS: values['tick-ms'], LOG_LEVEL: 'log' },
      onLog: relay('api'),
    });
    apps.push(api);
    await producer.connect();

    // Every viewer connected and greeted (the watermark is known once ingest has seen the empty topic).
    const clients = startClients(api.url!);
    await clients.ready;

    const generator = new TrafficGenerator({ shops: SHOPS, source: 'live', campaignId: 'bench', seed: 1, runId: `bench${process.pid}` });
    const processes: Record<string, number> = {
      producer: process.pid,
      broker: broker.pid,
      store: store.pid,
      ingest: apps[0]!.pid,
      api: api.pid,
      clients: clients.pid,
    };
    const cpuAtStart = Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)]));
    let produced = 0;
    let maxBehind = 0;
    const started = performance.now();
    // A stuck producer or store must fail the run, not hang it.
    const watchdog = setTimeout(() => {
      console.error(`bench:live: no result after ${SECONDS + 240} s (produced ${produced}); giving up`);
      process.exit(1);
    }, (SECONDS + 240) * 1000);
    watchdog.unref();
    clients.measure();
    let nextReport = started + 5_000;
    while (performance.now() - started < SECONDS * 1000) {
      const sliceStarted = performance.now();
      // At most one second's worth a slice: a producer that falls behind (a starved CPU) sends less, and says
      // so in the summary (producedPerSec), instead of building ever larger slices that outlast the run.
      const due = Math.min(RATE, Math.floor((RATE * (sliceStarted - started)) / 1000) - produced);
      const messages: { key: string; value: string }[] = [];
      const now = new Date();
      while (messages.length < due) {
        for (const event of generator.nextQuestion(now)) messages.push({ key: event.sessionId, value: JSON.stringify(event) });
      }
      if (messages.length > 0) {
        // 1,000 messages a request: the dev broker loses the framing of multi-megabyte produce requests.
        await sendBatch(producer, TOPICS.chatEvents.name, messages, { chunkSize: 1_000 });
        produced += messages.length;
      }
      if (sliceStarted > nextReport) {
        nextReport += 5_000;
        const stored = await storedCount();
        maxBehind = Math.max(maxBehind, produced - stored);
        log(`t=${((sliceStarted - started) / 1000).toFixed(0)}s produced=${produced} stored=${stored} behind=${produced - stored}`);
      }
      await new Promise((done) => setTimeout(done, Math.max(0, SLICE_MS - (performance.now() - sliceStarted))));
    }
    const producingSeconds = (performance.now() - started) / 1000;
    const cpu = Object.fromEntries(
      Object.entries(processes).map(([name, pid]) => {
        const [before, after] = [cpuAtStart[name], cpuSeconds(pid)];
        return [name, before === null || before === undefined || after === null ? null : Math.round((after - before) * 10) / 10];
      }),
    );
    log(`CPU seconds while producing (${producingSeconds.toFixed(0)} s on ${availableParallelism()} cores): ${JSON.stringify(cpu)}`);
    log(`produced ${produced} events in ${producingSeconds.toFixed(1)} s (${Math.round(produced / producingSeconds)}/s of ${RATE}/s asked)`);

    // Let ingest catch up (or give up after a minute), so the last snapshots carry the last events.
    const catchUpStarted = performance.now();
    let stored = await storedCount();
    while (stored < produced && performance.now() - catchUpStarted < 60_000) {
      await new Promise((done) => setTimeout(done, 250));
      stored = await storedCount();
    }
    const catchUpSeconds = ((performance.now() - catchUpStarted) / 1000).toFixed(1);
    log(
      stored >= produced
        ? `ingest caught up ${catchUpSeconds} s after the producer stopped`
        : `ingest did not catch up: ${produced - stored} events missing ${catchUpSeconds} s after the producer stopped`,
    );
    await new Promise((done) => setTimeout(done, 1_500));
    const result = await clients.stop();
    const summary = {
      event: 'summary',
      producedPerSec: Math.round(produced / producingSeconds),
      stored,
      maxBehind,
      lost: produced - stored,
      snapshots: result.snapshots,
      heartbeats: result.heartbeats,
      closedClients: result.closed,
      badFrames: result.badFrames,
    };
    log(JSON.stringify(summary));
    const line = {
      rate: RATE,
      seconds: SECONDS,
      clients: CLIENTS,
      events: produced,
      p50Ms: result.latencies.p50,
      p99Ms: result.latencies.p99,
      maxMs: result.latencies.max,
      droppedClients: result.dropped,
    };
    clearTimeout(watchdog);
    if (!values.json) log(`latency p50 ${line.p50Ms} ms, p99 ${line.p99Ms} ms, max ${line.maxMs} ms; ${line.droppedClients} clients dropped`);
    console.log(JSON.stringify(line));
  } finally {
    await producer.disconnect().catch(() => undefined);
    await clickhouse.close();
    for (const app of apps.reverse()) await app.stop();
    await Promise.all([broker.stop(), store.stop()]);
  }

  async function storedCount(): Promise<number> {
    const result = await clickhouse.query({ query: 'SELECT count() AS n FROM chat_events', format: 'JSONEachRow' });
    return Number((await result.json<{ n: number }>())[0]?.n ?? 0);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
