/**
 * `npm run -s rehearsal -- --minutes 5 --speed 60 --json`: the whole night in a few minutes. Starts the
 * whole system on the embedded default (dev broker, a fresh dev store, ingest, the api, the bot), creates the
 * demo users, runs the simulator's rehearsal with its customers, agents and trainers (who patch the gaps as
 * the night goes), stops everything, and prints what the store recorded: one JSON line with --json
 * (`rehearsalFigures`), a few readable lines otherwise. Fixed seed (--seed, default 1111). Not part of CI.
 *
 * Output: progress on stderr (--verbose: every part's log lines too); stdout: the figures, JSON last.
 * Exit 0, 1 when a part failed, 2 on bad flags.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createClickHouseClient, type ClickHouseClient } from '@warroom/clickhouse';
import { botMatchResponseSchema, liveSnapshotSchema } from '@warroom/contracts';
import { z } from 'zod';
import { oneTimePasswordIn } from '../apps/api/src/auth/first-admin';
import { CONVERSATION_MEASURES, METRIC_TABLES, OUTCOME_FACET, QUESTION_MEASURES } from '../apps/api/src/repositories/metric-sql';
import { startAppProcess } from '../infra/dev/app-process';
import { startDevBroker } from '../infra/dev/broker/launch';
import { freePort } from '../infra/dev/ports';
import { startDevStore } from '../infra/dev/store/launch';
import { setUpDevUsers } from './dev-users';
import { registerRehearsalCampaign, simReady } from './rehearsal-campaign';

const SHOPS = 'demo-electronics,demo-home';
const DATABASE = 'warroom';
const SOURCE = 'rehearsal';
/** How long the store may take to hold every question the simulator was answered after it stopped. */
const DRAIN_TIMEOUT_MS = 120_000;
/** Handoffs the knowledge base cannot change: a customer asking for a person, or upset. */
const HANDOFFS_KB_CANNOT_CHANGE = ['customer_request', 'negative_emotion'];

/** What a rehearsal recorded: the figures of issue 22's "Must show" (the lead adds the outreach ones). */
export interface RehearsalFigures {
  questions: number;
  hitRateFirstMinute: number | null;
  hitRateLastMinute: number | null;
  patchesPublished: number;
  rolledBack: number;
  medianTimeToPatchSec: number | null;
  firstMinuteReplayHitRate: number | null;
}

export interface FigureSources {
  clickhouse: ClickHouseClient;
  /** Whether the bot's knowledge base as it is now answers this text (a match, no event, no session). */
  answersNow: (shopId: string, text: string) => Promise<boolean>;
  /** The wall's median time-to-patch of the rehearsal (first seen → verified), ms; the gaps live in the api. */
  medianTimeToPatchMs: number | null;
}

const quantity = z.coerce.number();

async function rows<S extends z.ZodType>(clickhouse: ClickHouseClient, query: string, params: Record<string, unknown>, row: S): Promise<z.infer<S>[]> {
  const result = await clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
  return z.array(row).parse(await result.json());
}

const ratio = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);

/**
 * The figures from the store (and the bot, for the replay): hit rate as the wall defines it (metric-sql.ts)
 * over the first and the last minute of the rehearsal's questions; patches applied by people (rollbacks apart);
 * and the first minute's bot-mode questions asked again of the final knowledge base, so that a rise is the
 * patches' and not a change in the mix of questions. A question handed off because the customer asked for a
 * person or was upset stays unanswered in the replay: no patch changes that.
 */
export async function rehearsalFigures(sources: FigureSources): Promise<RehearsalFigures> {
  const { clickhouse } = sources;
  const params = { source: SOURCE };
  const [span] = await rows(
    clickhouse,
    `SELECT sum(questions) AS questions, toUnixTimestamp(min(bucket)) * 1000 AS first_ms, toUnixTimestamp(max(bucket)) * 1000 AS last_ms
     FROM ${METRIC_TABLES.questionRollup} WHERE ${OUTCOME_FACET} AND source = {source:String}`,
    params,
    z.object({ questions: quantity, first_ms: quantity, last_ms: quantity }),
  );
  const questions = span?.questions ?? 0;
  const firstMs = span?.first_ms ?? 0;
  const lastMs = span?.last_ms ?? 0;
  const hitRateBetween = async (fromMs: number, toMs: number): Promise<number | null> => {
    const [row] = await rows(
      clickhouse,
      `SELECT sum(${QUESTION_MEASURES.botAnswered}) AS answered, sum(${QUESTION_MEASURES.botModeQuestions}) AS bot
       FROM ${METRIC_TABLES.questionRollup}
       WHERE ${OUTCOME_FACET} AND source = {source:String}
         AND bucket >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND bucket < fromUnixTimestamp64Milli({to:Int64}, 'UTC')`,
      { ...params, from: firstMs === 0 ? 0 : fromMs, to: toMs },
      z.object({ answered: quantity, bot: quantity }),
    );
    return ratio(row?.answered ?? 0, row?.bot ?? 0);
  };
  const [decisions] = await rows(
    clickhouse,
    `SELECT countIf(op != 'rollback') AS published, countIf(op = 'rollback') AS rolled_back
     FROM (SELECT op, author_id FROM kb_revisions WHERE status = 'applied' ORDER BY log_offset LIMIT 1 BY log_offset)
     WHERE author_id != ''`,
    {},
    z.object({ published: quantity, rolled_back: quantity }),
  );

  // The first minute's bot-mode questions, each distinct (shop, text) asked once of the bot as it is now.
  const firstMinute = await rows(
    clickhouse,
    `SELECT shop_id, text, count() AS asked, countIf(outcome = 'handoff' AND has({fixed:Array(String)}, handoff_reason)) AS fixed
     FROM ${METRIC_TABLES.events}
     WHERE kind = 'question' AND mode = 'bot' AND source = {source:String}
       AND event_time >= fromUnixTimestamp64Milli({from:Int64}, 'UTC') AND event_time < fromUnixTimestamp64Milli({to:Int64}, 'UTC')
     GROUP BY shop_id, text`,
    { ...params, from: firstMs, to: firstMs + 60_000, fixed: HANDOFFS_KB_CANNOT_CHANGE },
    z.object({ shop_id: z.string(), text: z.string(), asked: quantity, fixed: quantity }),
  );
  let replayed = 0;
  let answeredNow = 0;
  for (const row of firstMinute) {
    replayed += row.asked;
    if (row.text.trim() !== '' && (await sources.answersNow(row.shop_id, row.text))) answeredNow += row.asked - row.fixed;
  }

  return {
    questions,
    hitRateFirstMinute: questions === 0 ? null : await hitRateBetween(firstMs, firstMs + 60_000),
    hitRateLastMinute: questions === 0 ? null : await hitRateBetween(lastMs - 59_000, lastMs + 1_000),
    patchesPublished: decisions?.published ?? 0,
    rolledBack: decisions?.rolled_back ?? 0,
    medianTimeToPatchSec: sources.medianTimeToPatchMs === null ? null : Math.round(sources.medianTimeToPatchMs / 100) / 10,
    firstMinuteReplayHitRate: ratio(answeredNow, replayed),
  };
}

interface Options {
  minutes: number;
  speed: number;
  seed: number;
  json: boolean;
  verbose: boolean;
}

function options(): Options | null {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      minutes: { type: 'string', default: '5' },
      speed: { type: 'string', default: '60' },
      seed: { type: 'string', default: '1111' },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const parsed = z
    .object({ minutes: z.coerce.number().positive().max(24 * 60), speed: z.coerce.number().positive().max(10_000), seed: z.coerce.number().int() })
    .safeParse(values);
  if (!parsed.success) return null;
  return { ...parsed.data, json: values.json, verbose: values.verbose };
}

async function main(): Promise<number> {
  let opts: Options | null;
  try {
    opts = options();
  } catch (error) {
    console.error(`rehearsal: ${(error as Error).message}`);
    return 2;
  }
  if (!opts) {
    console.error('usage: npm run -s rehearsal -- [--minutes 5] [--speed 60] [--seed 1111] [--json] [--verbose]');
    return 2;
  }
  const { minutes, speed, seed, json, verbose } = opts;
  const say = (line: string): void => void process.stderr.write(`rehearsal: ${line}\n`);
  const logOf = (name: string) => (line: string) => {
    if (verbose) process.stderr.write(`[${name}] ${line}\n`);
  };
  const began = Date.now();
  const parts: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const part of parts.reverse()) await part.stop().catch((error: unknown) => say(`${part.name} did not stop: ${(error as Error).message}`));
  };
  try {
    const broker = await startDevBroker();
    parts.push({ name: 'dev broker', stop: () => broker.stop() });
    const storePassword = randomBytes(18).toString('base64url');
    const store = await startDevStore({ password: storePassword });
    parts.push({ name: 'dev store', stop: () => store.stop() });
    const kioskToken = randomBytes(18).toString('base64url');
    const serviceToken = randomBytes(24).toString('base64url');
    const apiBotToken = randomBytes(24).toString('base64url');
    const simBotToken = randomBytes(24).toString('base64url');
    const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, CLICKHOUSE_PASSWORD: storePassword, WALL_KIOSK_TOKEN: kioskToken, LOG_LEVEL: 'warn' };
    const botPort = await freePort();
    const ingest = await startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', PORT: '0' }, onLog: logOf('ingest') });
    parts.push({ name: 'ingest', stop: () => ingest.stop() });
    let oneTimePassword: string | null = null;
    const api = await startAppProcess({
      name: 'api',
      entry: 'apps/api/src/main.ts',
      onLog: (line) => {
        oneTimePassword ??= oneTimePasswordIn(line);
        logOf('api')(line);
      },
      env: {
        ...common,
        WARROOM_ROLES: 'api',
        PORT: '0',
        WARROOM_SESSION_SECRET: randomBytes(32).toString('base64url'),
        WARROOM_SERVICE_TOKEN: serviceToken,
        WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`,
        WARROOM_BOT_TOKEN: apiBotToken,
        HEALTH_INGEST_URL: `${ingest.url ?? ''}/health/ingest`,
        HEALTH_BOT_URL: `http://127.0.0.1:${botPort}/health`,
      },
    });
    parts.push({ name: 'api', stop: () => api.stop() });
    const apiUrl = api.url!;
    const bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      onLog: logOf('bot'),
      env: {
        KAFKA_BROKERS: broker.brokers,
        PORT: String(botPort),
        BOT_SHOP_IDS: SHOPS,
        BOT_SOURCE: SOURCE,
        BOT_SPOOL_DIR: `${store.dataDir}-bot-spool`,
        BOT_KB_API_URL: apiUrl,
        BOT_KB_API_TOKEN: serviceToken,
        BOT_SERVICE_TOKENS: `${apiBotToken},${simBotToken}`,
        LOG_LEVEL: 'warn',
      },
    });
    parts.push({ name: 'bot', stop: () => bot.stop() });
    const users = await setUpDevUsers(apiUrl, oneTimePassword, false);
    say(`system up in ${((Date.now() - began) / 1000).toFixed(1)} s; ${minutes} min at ×${speed} with ${users.trainerLogins.length} trainers`);

    const simLines: string[] = [];
    const sim = await startAppProcess({
      name: 'sim',
      entry: 'apps/sim/src/main.ts',
      readyTimeoutMs: 120_000,
      onLog: (line) => {
        simLines.push(line);
        const ready = simReady(line);
        if (ready) {
          void registerRehearsalCampaign(apiUrl, serviceToken, ready).catch((error: unknown) => say(`campaign not registered: ${(error as Error).message}`));
        }
        logOf('sim')(line);
      },
      env: {
        SIM_BOT_URL: bot.url ?? `http://127.0.0.1:${botPort}`,
        SIM_API_URL: apiUrl,
        SIM_SERVICE_TOKEN: serviceToken,
        SIM_BOT_TOKEN: simBotToken,
        SIM_SHOPS: SHOPS,
        SIM_PROFILE: 'double11',
        SIM_SPEED: String(speed),
        SIM_MINUTES: String(minutes),
        SIM_SEED: String(seed),
        SIM_SOURCE: SOURCE,
        SIM_TRAINERS: users.trainerLogins.join(','),
        SIM_JSON: 'true',
        SIM_QUIET: 'true',
      },
    });
    parts.push({ name: 'sim', stop: () => sim.stop() });
    const simCode = await sim.exited;
    const simSummary = simLines.map((line) => simSummaryOf(line)).filter((summary) => summary !== null).at(-1);
    const trainers = simLines.find((line) => line.includes('"event":"trainers"'));
    if (trainers) say(`trainers: ${trainers}`);
    if (simCode !== 0 || !simSummary) throw new Error(`the simulator exited with code ${simCode}: ${simLines.slice(-5).join(' | ')}`);

    const clickhouse = createClickHouseClient({ url: store.url, database: DATABASE, password: storePassword });
    await drained(clickhouse, simSummary.questions);
    const figures = await rehearsalFigures({
      clickhouse,
      answersNow: (shopId, text) => matches(bot.url ?? `http://127.0.0.1:${botPort}`, simBotToken, shopId, text),
      medianTimeToPatchMs: await wallTimeToPatch(apiUrl, kioskToken),
    });
    say(`conversion (DESIGN.md, the wall's): ${await conversionLine(clickhouse)}`);
    await clickhouse.close();
    await stopAll();
    say(`done in ${((Date.now() - began) / 1000).toFixed(0)} s`);
    if (!json) {
      const percent = (rate: number | null): string => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);
      process.stdout.write(
        `${figures.questions} questions; hit rate ${percent(figures.hitRateFirstMinute)} in the first minute, ${percent(figures.hitRateLastMinute)} in the last ` +
          `(the first minute's questions asked again at the end: ${percent(figures.firstMinuteReplayHitRate)}); ` +
          `${figures.patchesPublished} patches published, ${figures.rolledBack} rolled back; median time to patch ${figures.medianTimeToPatchSec ?? '-'} s\n`,
      );
    }
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    return 0;
  } catch (error) {
    say(`failed: ${(error as Error).message}`);
    await stopAll();
    return 1;
  }
}

const simSummaryLine = z.object({ questions: z.number(), answered: z.number(), unmatched: z.number(), handoffs: z.number(), peakPerSec: z.number() });

function simSummaryOf(line: string): z.infer<typeof simSummaryLine> | null {
  if (!line.startsWith('{')) return null;
  try {
    return simSummaryLine.safeParse(JSON.parse(line)).data ?? null;
  } catch {
    return null;
  }
}

/** Waits until the store holds at least the questions the simulator was answered (ingest catches up). */
async function drained(clickhouse: ClickHouseClient, questions: number): Promise<void> {
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  for (;;) {
    const [row] = await rows(
      clickhouse,
      `SELECT count() AS stored FROM ${METRIC_TABLES.events} WHERE kind = 'question' AND source = {source:String}`,
      { source: SOURCE },
      z.object({ stored: quantity }),
    );
    if ((row?.stored ?? 0) >= questions) return;
    if (Date.now() > deadline) throw new Error(`the store holds ${row?.stored ?? 0} of the ${questions} questions after ${DRAIN_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** The bot's and the agents' conversion over the whole rehearsal, as the wall counts it (a readable line). */
async function conversionLine(clickhouse: ClickHouseClient): Promise<string> {
  const [row] = await rows(
    clickhouse,
    `SELECT countIf(NOT handed_off) AS bot, countIf(NOT handed_off AND ordered) AS bot_ordered,
            countIf(handed_off) AS agent, countIf(handed_off AND ordered) AS agent_ordered
     FROM (
       SELECT minIf(event_time, kind = 'question') AS started_at, ${CONVERSATION_MEASURES.handedOff} AS handed_off,
              arrayExists(at -> at >= started_at AND at <= started_at + toIntervalHour(24), groupArrayIf(event_time, kind = 'order')) AS ordered
       FROM ${METRIC_TABLES.events}
       WHERE kind IN ('question', 'handoff', 'order') AND source = {source:String}
       GROUP BY shop_id, session_id
       HAVING countIf(kind = 'question') > 0
     )`,
    { source: SOURCE },
    z.object({ bot: quantity, bot_ordered: quantity, agent: quantity, agent_ordered: quantity }),
  );
  const percent = (part: number, whole: number): string => (whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`);
  return `bot ${percent(row?.bot_ordered ?? 0, row?.bot ?? 0)} of ${row?.bot ?? 0} sessions, agents ${percent(row?.agent_ordered ?? 0, row?.agent ?? 0)} of ${row?.agent ?? 0}`;
}

async function matches(botUrl: string, token: string, shopId: string, text: string): Promise<boolean> {
  const response = await fetch(`${botUrl}/api/kb/match`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ shopId, text, topK: 1 }),
  });
  if (!response.ok) throw new Error(`POST /api/kb/match: ${response.status} ${(await response.text()).slice(0, 200)}`);
  return botMatchResponseSchema.parse(await response.json()).matched;
}

/** The rehearsal wall's median time-to-patch (first seen → verified over the rehearsal's campaign). */
async function wallTimeToPatch(apiUrl: string, kioskToken: string): Promise<number | null> {
  const params = new URLSearchParams({ shop: 'all', window: '60m', source: SOURCE });
  const response = await fetch(`${apiUrl}/api/metrics/snapshot?${params.toString()}`, { headers: { authorization: `Bearer ${kioskToken}` } });
  if (!response.ok) throw new Error(`GET /api/metrics/snapshot: ${response.status}`);
  return liveSnapshotSchema.parse(await response.json()).timeToPatch.medianMs;
}

if (require.main === module) {
  void main().then((code) => {
    process.stdout.write('', () => process.exit(code));
  });
}
