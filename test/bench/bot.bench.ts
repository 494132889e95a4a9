/**
 * bench:bot — questions/s and latency through the bot's HTTP endpoint (`POST /api/chat`), with a
 * knowledge base of 3,000 synthetic answers, the bot in its own process producing its events to a dev
 * broker.
 *
 *   npm run -s bench:bot -- --json [--answers 3000] [--seconds 20] [--warmup 3] [--connections 8] [--mix unique|zipf|exact]
 *
 * Load: `connections` keep-alive connections, each sending its next question as soon as the previous
 * reply arrives (closed loop), so the bot runs at the highest rate it sustains and the latencies are
 * those at that rate. The client shares the machine with the bot, so it is a lean HTTP/1.1 client
 * (`BenchConnection`) rather than node:http's, which cost about half as much CPU per question as the
 * bot itself and so took that CPU from the bot being measured. Questions are paraphrases of the answers' examples with varied openings and
 * endings (about 1 in 10 is nonsense), so they go through the matcher rather than the exact-example
 * index: `--mix unique` (default) makes nearly every question a new text, the worst case for the
 * bot's match cache; `--mix zipf` repeats popular questions as a sale-day rush does; `--mix exact` asks
 * only the answers' own example questions, which the knowledge base answers without the matcher: the
 * ceiling of the bot itself (HTTP, rules, events, Kafka), whatever the matcher costs.
 *
 * Progress goes to stderr. Last line of stdout: {"answers","questionsPerSec","p50Ms","p99Ms"}
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { botHealthSchema, chatReplySchema, type IndustryPack, type ShopPack } from '@warroom/contracts';
import { mulberry32 } from '../../apps/sim/src/traffic';
import { startAppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { ENDINGS, EXAMPLE_FORMS, NONSENSE, OPENINGS, QUESTION_FORMS, SYNTHETIC_ANSWER_LIMIT, pairOf } from './synthetic-kb';

const { values } = parseArgs({
  options: {
    answers: { type: 'string', default: '3000' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '3' },
    connections: { type: 'string', default: '8' },
    mix: { type: 'string', default: 'unique' },
    json: { type: 'boolean', default: false },
  },
});
const ANSWERS = Number(values.answers);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const CONNECTIONS = Number(values.connections);
const MIX = values.mix;
if (![ANSWERS, SECONDS, CONNECTIONS].every((n) => Number.isInteger(n) && n > 0) || !(WARMUP >= 0) || !['unique', 'zipf', 'exact'].includes(MIX)) {
  throw new Error('usage: --answers N --seconds N --warmup N --connections N --mix unique|zipf|exact');
}
const SHOP = 'bench-shop';
const log = (message: string): void => void process.stderr.write(`${message}\n`);

function writePacks(dir: string): void {
  if (ANSWERS > SYNTHETIC_ANSWER_LIMIT) throw new Error(`at most ${SYNTHETIC_ANSWER_LIMIT} synthetic answers`);
  const industry: IndustryPack = {
    v: 1,
    kind: 'industry',
    id: 'bench',
    title: '压测行业包',
    revision: 1,
    answers: Array.from({ length: ANSWERS }, (_, i) => {
      const [thing, aspect] = pairOf(i);
      return {
        id: `a${i}`,
        topic: 'specs' as const,
        stage: 'pre_sale' as const,
        examples: EXAMPLE_FORMS.map((form) => form(thing, aspect)),
        reply: { type: 'text' as const, text: `关于${thing}的${aspect}：以商品页说明为准，如有疑问请随时联系我们。` },
      };
    }),
    attributes: [],
  };
  const shop: ShopPack = { v: 1, kind: 'shop', shopId: SHOP, industry: 'bench', title: '压测店', revision: 1, overrides: [], answers: [] };
  mkdirSync(join(dir, 'industry'), { recursive: true });
  writeFileSync(join(dir, 'industry', 'bench.json'), JSON.stringify(industry));
  writeFileSync(join(dir, 'shop.json'), JSON.stringify(shop));
}

/** The question stream: nearly all new texts (`unique`), popular ones repeated (`zipf`, s = 1), or examples (`exact`). */
function questionSource(seed: number): () => string {
  const rng = mulberry32(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
  const harmonic = Array.from({ length: ANSWERS }, (_, i) => 1 / (i + 1));
  const total = harmonic.reduce((sum, weight) => sum + weight, 0);
  const popular = (): number => {
    let roll = rng() * total;
    for (let i = 0; i < harmonic.length; i += 1) {
      roll -= harmonic[i]!;
      if (roll < 0) return i;
    }
    return 0;
  };
  return () => {
    if (MIX === 'exact') {
      const [thing, aspect] = pairOf(Math.floor(rng() * ANSWERS));
      return pick(EXAMPLE_FORMS)(thing, aspect);
    }
    if (rng() < 0.1) return pick(NONSENSE);
    if (MIX === 'zipf') {
      const index = popular();
      const [thing, aspect] = pairOf(index);
      return QUESTION_FORMS[index % QUESTION_FORMS.length]!(thing, aspect);
    }
    const [thing, aspect] = pairOf(Math.floor(rng() * ANSWERS));
    return `${pick(OPENINGS)}${pick(QUESTION_FORMS)(thing, aspect)}${pick(ENDINGS)}`;
  };
}

interface Load {
  completed: number;
  latenciesMs: number[];
  outcomes: Map<string, number>;
  texts: Set<string>;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/**
 * One keep-alive HTTP/1.1 connection with one request in flight: the request is written in one piece,
 * the reply read by its Content-Length (what the bot's JSON replies carry). Anything else - another
 * status, no length, a chunked body, a closed connection - fails the run rather than being guessed at.
 */
class BenchConnection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting: { resolve: (body: string) => void; reject: (error: Error) => void } | null = null;

  private constructor(
    private readonly socket: Socket,
    private readonly head: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the bot closed the connection')));
  }

  static open(url: URL): Promise<BenchConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.off('error', reject);
        resolve(new BenchConnection(socket, `POST ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/json\r\n`));
      });
      socket.once('error', reject);
    });
  }

  post(body: string): Promise<string> {
    if (this.waiting) return Promise.reject(new Error('one request at a time per connection'));
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(`${this.head}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf(HEADER_END);
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end);
    const status = head.slice(9, 12);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (status !== '200' || !length || /\r\ntransfer-encoding:/i.test(head)) {
      this.fail(new Error(`unexpected reply: ${head.split('\r\n')[0]}`));
      return;
    }
    const bodyEnd = end + HEADER_END.length + Number(length[1]);
    if (this.buffered.length < bodyEnd) return;
    const body = this.buffered.toString('utf8', end + HEADER_END.length, bodyEnd);
    this.buffered = this.buffered.subarray(bodyEnd);
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.resolve(body);
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = null;
    waiting?.reject(error);
  }
}

async function runLoad(url: URL, seconds: number, record: boolean, seed: number): Promise<Load> {
  const load: Load = { completed: 0, latenciesMs: [], outcomes: new Map(), texts: new Set() };
  const deadline = performance.now() + seconds * 1000;
  const next = questionSource(seed);
  let session = 0;
  const ask = async (bench: BenchConnection, connection: number): Promise<void> => {
    while (performance.now() < deadline) {
      session += 1;
      const text = next();
      // A few questions per session, as customers ask them.
      const body = JSON.stringify({ shopId: SHOP, sessionId: `bench-${connection}-${Math.floor(session / 4)}`, customerId: `c-${session}`, text });
      const started = performance.now();
      const reply = await bench.post(body);
      const elapsed = performance.now() - started;
      if (!record) continue;
      load.completed += 1;
      load.latenciesMs.push(elapsed);
      load.texts.add(text);
      if (load.completed % 50 === 0) {
        // Parse a sample against the contract; parsing every reply would load the client, not the bot.
        const outcome = chatReplySchema.parse(JSON.parse(reply)).outcome;
        load.outcomes.set(outcome, (load.outcomes.get(outcome) ?? 0) + 1);
      }
    }
  };
  const connections = await Promise.all(Array.from({ length: CONNECTIONS }, () => BenchConnection.open(url)));
  try {
    await Promise.all(connections.map((connection, index) => ask(connection, index)));
  } finally {
    for (const connection of connections) connection.close();
  }
  return load;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'bench-bot-'));
  const packDir = join(work, 'packs');
  writePacks(packDir);
  const broker = await startDevBroker({ onLog: () => undefined });
  log(`dev broker at ${broker.brokers}; starting the bot with ${ANSWERS} answers`);
  const bot = await startAppProcess({
    name: 'bot',
    entry: 'apps/bot/src/main.ts',
    env: {
      KAFKA_BROKERS: broker.brokers,
      PORT: '0',
      BOT_SHOP_IDS: SHOP,
      BOT_PACK_DIR: packDir,
      BOT_SPOOL_DIR: join(work, 'spool'),
      BOT_CAMPAIGN_ID: 'bench',
      LOG_LEVEL: 'warn',
    },
    readyTimeoutMs: 180_000,
    onLog: (line) => log(`[bot] ${line}`),
  });
  try {
    const base = bot.url ?? '';
    const url = new URL('/api/chat', base);
    if (WARMUP > 0) await runLoad(url, WARMUP, false, 7);
    log(`measuring ${SECONDS} s with ${CONNECTIONS} keep-alive connections, ${MIX} questions`);
    const started = performance.now();
    const load = await runLoad(url, SECONDS, true, 42);
    const seconds = (performance.now() - started) / 1000;
    const sorted = Float64Array.from(load.latenciesMs).sort();
    const result = {
      answers: ANSWERS,
      questionsPerSec: Math.round(load.completed / seconds),
      p50Ms: Math.round(percentile([...sorted], 50) * 100) / 100,
      p99Ms: Math.round(percentile([...sorted], 99) * 100) / 100,
    };
    const health = botHealthSchema.parse(await (await fetch(new URL('/health', base))).json());
    log(
      `${load.completed} questions (${load.texts.size} distinct texts), sampled outcomes ${JSON.stringify(Object.fromEntries(load.outcomes))}; ` +
        `events ${JSON.stringify(health.events)}`,
    );
    if (!values.json) log(`${result.questionsPerSec} questions/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms`);
    console.log(JSON.stringify(result));
  } finally {
    await bot.stop();
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
