/**
 * bench:gap-flood — the gap engine under a flood of unique garbage questions (issue 16): a producer (a
 * child process, so that a blocked api cannot slow the flood down) sends `--rate` unmatched questions a
 * second, each one unlike any other, for `--seconds` → dev broker → ingest process → dev store → the api's
 * GapsService polling the store (GAP_POLL_MS 300, the api role booted here, in this process, as main.ts
 * boots it, with the real knowledge packs' representation).
 *
 * Before the flood, three established gaps are made the way trainers meet them: one large (12 questions),
 * one published through `markPublished` (as the patch loop does) and one claimed by a lead. During the flood
 * the api's event loop delay is sampled with perf_hooks.monitorEventLoopDelay.
 *
 *   npm run -s bench:gap-flood -- --rate 1000 --seconds 100 --json
 *
 * `--rate 0` measures the same api idle for as long: on a shared machine, what the loop delay is without
 * any flood.
 * Last line of stdout: {"rate","seconds","produced","stored","loopP50Ms","loopP99Ms","loopMaxMs","apiCpuShare",
 * "heapBeforeMb","heapAfterMb","clustersHeld","establishedKept","establishedTotal"}. Heap is V8's used heap
 * after a forced collection; clustersHeld counts the active gaps of the flooded shop at the end;
 * apiCpuShare is the CPU time of this process (the api) during the flood over its duration.
 */
import { fork } from 'node:child_process';
import type { Server } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { createClickHouseClient } from '@warroom/clickhouse';
import type { ChatEvent, User } from '@warroom/contracts';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { z } from 'zod';
import { AppModule } from '../../apps/api/src/app.module';
import { parseApiConfig } from '../../apps/api/src/config/api-config';
import { GapsService } from '../../apps/api/src/gaps/gaps.service';
import { startAppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    /** Internal: run as the producer child with these brokers. */
    'produce-to': { type: 'string' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const SHOP = 'shop-a';
const TOKEN = 'bench-kiosk-token-0123456789';
const SESSION_SECRET = 'bench-session-secret-0123456789abcdef0123';
/** Events are sent in slices of this long (a producer's linger; see bench:live for why it matters here). */
const SLICE_MS = 250;
const log = (message: string): void => void process.stderr.write(`${message}\n`);

let sequence = 0;
function unmatched(text: string, agoMs = 0): ChatEvent {
  sequence += 1;
  const id = `${process.pid}-${sequence}`;
  return {
    v: 1,
    eventId: `flood-${id}`,
    eventTime: new Date(Date.now() - agoMs).toISOString(),
    source: 'live',
    campaignId: 'bench',
    shopId: SHOP,
    sessionId: `s-${id}`,
    customerId: `c-${id}`,
    channel: 'app',
    mode: 'bot',
    stage: 'in_sale',
    kind: 'question',
    text,
    emotion: { name: 'neutral', intensity: 0.3 },
    outcome: 'unmatched',
    bestCandidate: null,
  };
}

/**
 * 8-16 random CJK ideographs (of 20,480): unlike every other question and every answer. (No shared
 * suffix such as a number: its characters would join the questions into a few clusters.)
 */
function garbage(): string {
  const length = 8 + Math.floor(Math.random() * 9);
  let text = '';
  for (let i = 0; i < length; i += 1) text += String.fromCodePoint(0x4e00 + Math.floor(Math.random() * 0x5000));
  return text;
}

/** The producer child: the flood at RATE for SECONDS; prints how many it sent. */
async function produce(brokers: string): Promise<void> {
  const producer = createProducer(createKafka({ brokers, clientId: 'gap-flood' }), { idempotent: true });
  await producer.connect();
  const perSlice = Math.round((RATE * SLICE_MS) / 1000);
  const started = Date.now();
  let sent = 0;
  for (let slice = 0; Date.now() - started < SECONDS * 1000; slice += 1) {
    const events = Array.from({ length: perSlice }, () => unmatched(garbage()));
    // --rate 0 is the control: the same api, idle, on the same machine meanwhile.
    if (events.length > 0) await sendBatch(producer, TOPICS.chatEvents.name, events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    sent += events.length;
    const wait = started + (slice + 1) * SLICE_MS - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
  }
  await producer.disconnect();
  process.stdout.write(`${JSON.stringify({ sent })}\n`);
}

function heapAfterGcMb(): number {
  setFlagsFromString('--expose-gc');
  const gc = z.function().parse(runInNewContext('gc')) as () => void;
  gc();
  gc();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: () => Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${await what()}`);
    await new Promise((done) => setTimeout(done, 200));
  }
}

const LEAD: User = { userId: 'bench-lead', login: 'bench-lead', displayName: 'Bench lead', role: 'lead', grade: null, disabled: false };

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore()]);
  const env = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, PORT: '0', WALL_KIOSK_TOKEN: TOKEN, WARROOM_SESSION_SECRET: SESSION_SECRET, LOG_LEVEL: 'warn' };
  const ingest = await startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...env, WARROOM_ROLES: 'ingest' } });
  // The first admin's one-time password is printed at the first start; nobody signs in here.
  const consoleLog = console.log;
  console.log = () => undefined;
  const app = await NestFactory.create(AppModule.forRoot(parseApiConfig({ ...env, WARROOM_ROLES: 'api' })), { logger: ['error', 'warn'] });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  console.log = consoleLog;
  log(`api listening on ${JSON.stringify((app.getHttpServer() as Server).address())}`);
  const gaps = app.get<GapsService>(GapsService);
  const clickhouse = createClickHouseClient({ url: store.url, database: 'warroom' });
  const kafkaProducer = createProducer(createKafka({ brokers: broker.brokers, clientId: 'gap-flood-setup' }), { idempotent: true });
  await kafkaProducer.connect();

  // The established gaps: one large, one published, one claimed.
  const topics = {
    large: Array.from({ length: 12 }, (_, i) => `以旧换新怎么折算价格${'？'.repeat(i % 3)}${i}`),
    published: ['国家补贴资格怎么领取', '国补资格在哪里领', '国家补贴的资格领取入口在哪'],
    claimed: ['发票抬头可以改成公司吗', '公司抬头的发票怎么开'],
  };
  const setup = Object.values(topics).flat().map((text, i) => unmatched(text, 60_000 - i * 100));
  await sendBatch(kafkaProducer, TOPICS.chatEvents.name, setup.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
  await kafkaProducer.disconnect();
  const find = async (needle: string): Promise<string | null> =>
    (await gaps.list({ source: 'live', shop: SHOP, status: 'active', limit: 100 })).find((gap) => gap.examples.some((text) => text.includes(needle)))?.gapId ?? null;
  await waitFor(
    async () => (await find('以旧换新')) !== null && (await find('补贴')) !== null && (await find('发票')) !== null,
    60_000,
    async () => `the established gaps, seeing ${JSON.stringify((await gaps.list({ source: 'live', shop: SHOP, status: 'active', limit: 100 })).map((gap) => gap.examples))}`,
  );
  const established = { large: (await find('以旧换新'))!, published: (await find('补贴'))!, claimed: (await find('发票'))! };
  const actor = { userId: LEAD.userId, login: LEAD.login };
  // Either step failing throws its domain error (NotFound, Conflict…), which stops the bench with its reason.
  await gaps.markPublished(established.published, { actor, target: `shop:${SHOP}/subsidy`, answerId: 'subsidy', revision: 1 });
  await gaps.claim(established.claimed, { actor, user: LEAD });
  log(`established gaps: ${JSON.stringify(established)}`);

  const heapBeforeMb = heapAfterGcMb();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const floodStarted = performance.now();
  log(`flood: ${RATE}/s for ${SECONDS} s`);
  const producer = fork(__filename, ['--produce-to', broker.brokers, '--rate', String(RATE), '--seconds', String(SECONDS)], {
    execArgv: ['-r', '@swc-node/register'],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  let producerOutput = '';
  producer.stdout?.on('data', (chunk: Buffer) => (producerOutput += chunk.toString('utf8')));
  const progress = setInterval(() => log(`  loop p99 so far ${(loop.percentile(99) / 1e6).toFixed(1)} ms, max ${(loop.max / 1e6).toFixed(1)} ms`), 10_000);
  await new Promise((done) => producer.once('exit', done));
  clearInterval(progress);
  loop.disable();
  const cpu = process.cpuUsage(cpuBefore);
  // How busy the api was: near 1 it had no CPU to spare, well below 1 its loop delays are the machine's.
  const apiCpuShare = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - floodStarted)) * 100) / 100;
  const produced = z.object({ sent: z.number() }).parse(JSON.parse(producerOutput.trim().split('\n').at(-1) ?? '{}')).sent;

  const storedRows = await clickhouse.query({ query: `SELECT count() AS n FROM chat_events WHERE shop_id = {shop:String}`, query_params: { shop: SHOP }, format: 'JSONEachRow' });
  const stored = Number(z.array(z.object({ n: z.coerce.number() })).parse(await storedRows.json())[0]?.n ?? 0);
  const heapAfterMb = heapAfterGcMb();
  const held = await gaps.list({ source: 'live', shop: SHOP, status: 'active', limit: Number.MAX_SAFE_INTEGER });
  let establishedKept = 0;
  for (const gapId of Object.values(established)) if ((await gaps.get(gapId)) !== null) establishedKept += 1;
  const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
  const result = {
    rate: RATE,
    seconds: SECONDS,
    produced,
    stored,
    loopP50Ms: ms(loop.percentile(50)),
    loopP99Ms: ms(loop.percentile(99)),
    loopMaxMs: ms(loop.max),
    apiCpuShare,
    heapBeforeMb,
    heapAfterMb,
    clustersHeld: held.length,
    establishedKept,
    establishedTotal: Object.keys(established).length,
  };
  log(JSON.stringify({ event: 'summary', ...result }));
  process.stdout.write(`${values.json ? JSON.stringify(result) : Object.entries(result).map(([k, v]) => `${k}: ${v}`).join('\n')}\n`);
  // A gap engine still busy with its backlog would hold a graceful stop for as long: the parts are stopped
  // directly, and this process exits.
  await Promise.allSettled([ingest.stop(), clickhouse.close()]);
  await Promise.allSettled([broker.stop(), store.stop()]);
  process.exit(0);
}

const run = values['produce-to'] ? produce(values['produce-to']) : main();
run.catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
