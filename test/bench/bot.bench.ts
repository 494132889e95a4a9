/**
 * bench:bot — questions/s and latency through the bot's HTTP endpoint (`POST /api/chat`), with a
 * knowledge base of 3,000 synthetic answers, the bot in its own process producing its events to a dev
 * broker.
 *
 *   npm run -s bench:bot -- --json [--answers 3000] [--seconds 20] [--warmup 3] [--connections 8] [--mix unique|zipf|exact]
 *
 * Load: `connections` keep-alive connections, each sending its next question as soon as the previous
 * reply arrives (closed loop), so the bot runs at the highest rate it sustains and the latencies are
 * those at that rate, through the lean client of bench-connection.ts (the client shares the machine with
 * the bot). Questions are paraphrases of the answers' examples with varied openings and
 * endings (about 1 in 10 is nonsense), so they go through the matcher rather than the exact-example
 * index: `--mix unique` (default) makes nearly every question a new text, the worst case for the
 * bot's match cache; `--mix zipf` repeats popular questions as a sale-day rush does; `--mix exact` asks
 * only the answers' own example questions, which the knowledge base answers without the matcher: the
 * ceiling of the bot itself (HTTP, rules, events, Kafka), whatever the matcher costs.
 *
 * Progress goes to stderr. Last line of stdout: {"answers","questionsPerSec","p50Ms","p99Ms"}
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { botHealthSchema, chatReplySchema, type IndustryPack, type ShopPack } from '@warroom/contracts';
import { mulberry32 } from '../../apps/sim/src/traffic';
import { startAppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { BenchConnection } from './bench-connection';
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
      if (reply.status !== 200) throw new Error(`POST /api/chat answered ${reply.status}: ${reply.body}`);
      if (!record) continue;
      load.completed += 1;
      load.latenciesMs.push(elapsed);
      load.texts.add(text);
      if (load.completed % 50 === 0) {
        // Parse a sample against the contract; parsing every reply would load the client, not the bot.
        const outcome = chatReplySchema.parse(JSON.parse(reply.body)).outcome;
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
