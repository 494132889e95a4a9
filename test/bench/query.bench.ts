/**
 * bench:query — the wall's, the gaps' and the reports' queries on a store holding one whole campaign: a fresh
 * dev store is filled with `--rows` events generated inside ClickHouse (INSERT … SELECT … FROM numbers()),
 * 24 hours on the 11.11 curve (apps/sim/profiles/double11.json), then every query is timed through the real
 * repository methods (apps/api/src/repositories), so what is measured is the product's SQL.
 *
 *   npm run -s bench:query -- --rows 100000000 --json   [--runs 30] [--budget-seconds 60] [--data-root DIR]
 *
 * "Now" is the campaign's last moment. The wall's default views are all shops and one shop, each over the
 * last 5 minutes and over the campaign: the campaign view is the 12 hours before now (the busiest half of
 * the curve, as if the campaign had started 12 hours ago), which holds more than half of the rows. A tick
 * is every query of one live tick of those 4 views, conversion and agents needed now included (the api
 * refreshes those two less often; a tick where both are due is the slowest one).
 *
 * Per-query p50/p99 and rows read go to stderr; the last line of stdout is
 * {"rows","windowRows","fillSeconds","top10P99Ms","hitRateCampaignP99Ms","tickP99Ms","reportP99Ms","gapsPollP99Ms"}.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouseClient, runMigrations, type ClickHouseClient } from '@warroom/clickhouse';
import { TOPICS } from '@warroom/kafka';
import { z } from 'zod';
import { GapsRepository } from '../../apps/api/src/repositories/gaps.repository';
import { MetricsRepository, type MetricsWindowRange } from '../../apps/api/src/repositories/metrics.repository';
import { StaffingRepository } from '../../apps/api/src/repositories/staffing.repository';
import { compileCurve } from '../../apps/sim/src/curve';
import { simProfileSchema } from '../../apps/sim/src/profile';
import { startDevStore } from '../../infra/dev/store/launch';
import { cumulative, percentile, rowsPerMinute, shareBounds } from './campaign-shape';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '2000000' },
    runs: { type: 'string', default: '30' },
    'budget-seconds': { type: 'string', default: '60' },
    'data-root': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
/** Time given to each query's runs: a slow query at 100M rows gets fewer runs, never fewer than MIN_RUNS. */
const BUDGET_SECONDS = Number(values['budget-seconds']);
const MIN_RUNS = 5;
if (!Number.isInteger(ROWS) || ROWS < 100_000) throw new Error(`--rows must be a whole number >= 100000, got ${values.rows}`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error(`--runs must be a whole number >= 1, got ${values.runs}`);
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const DATABASE = 'warroom';
const PROFILE = simProfileSchema.parse(JSON.parse(readFileSync(resolve(__dirname, '../../apps/sim/profiles/double11.json'), 'utf8')));
/** The campaign: 24 hours from the profile's start clock (23:00) on the eve of 11.11. */
const CAMPAIGN_START = new Date('2026-11-10T23:00:00.000Z');
const CAMPAIGN_MINUTES = 1440;
const NOW = new Date(CAMPAIGN_START.getTime() + CAMPAIGN_MINUTES * 60_000);
const CAMPAIGN_VIEW_MS = 12 * 3_600_000;
const SHOPS = Array.from({ length: 20 }, (_, i) => `shop-${String(i + 1).padStart(2, '0')}`);
const ANSWERS = 3_000;
/** The fill's INSERTs and a slow query at 100M rows take minutes: progress headers keep the connection alive meanwhile. */
const LONG_REQUESTS = { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '10000' } as const;
/** Minutes per INSERT: a chunk of the curve, so a progress line comes every few seconds. */
const CHUNK_MINUTES = 30;
/** Consecutive rows share a session (and so a shop): a conversation's events are close in time, as in the simulator. */
const EVENTS_PER_SESSION = 4;
/** Bytes a row takes in the store, measured on 2M rows with some room: what the store's place must hold. */
const STORE_BYTES_PER_ROW = 60;

/**
 * Events per question of the simulator's bot (apps/sim/src/traffic.ts): every question, an answer for each
 * answered one, a handoff event for a bot handoff, an order after some answers.
 */
const KIND_SHARES = { question: 1, answer: 0.63, handoff: 0.02, order: 0.05 } as const;
/** Questions by (mode, outcome, handoff reason): 30 % unmatched queries (unmatched, or handed off for no match). */
const QUESTION_OUTCOMES = [
  { mode: 'bot', outcome: 'answered', reason: '', share: 0.63 },
  { mode: 'bot', outcome: 'unmatched', reason: '', share: 0.29 },
  { mode: 'bot', outcome: 'handoff', reason: 'no_match', share: 0.01 },
  { mode: 'bot', outcome: 'handoff', reason: 'negative_emotion', share: 0.01 },
  { mode: 'bot', outcome: 'handoff', reason: 'customer_request', share: 0.01 },
  { mode: 'assist', outcome: 'handoff', reason: 'assist_mode', share: 0.05 },
] as const;
/** Questions that were not answered name their best candidate this often (the simulator's knowledge covers most). */
const BEST_CANDIDATE_SHARE = 0.7;

/** The profile's emotion mix, the rest neutral; its stage mix. */
function profileMixes(): { emotions: [string[], number[]]; stages: [string[], number[]] } {
  const emotions = Object.entries(PROFILE.emotions);
  const named = emotions.reduce((sum, [, share]) => sum + share, 0);
  const stages = Object.entries(PROFILE.stageMix);
  return {
    emotions: [[...emotions.map(([name]) => name), 'neutral'], shareBounds([...emotions.map(([, share]) => share), Math.max(0, 1 - named)])],
    stages: [stages.map(([name]) => name), shareBounds(stages.map(([, share]) => share))],
  };
}

/**
 * One chunk of rows, numbers [first, first + count): the minute of each row by the chunk's running totals
 * of rows per minute, a uniform moment inside it, and every other column from its own hash of the number.
 * Categories are picked with `arrayFirstIndex` over share bounds (campaign-shape.ts).
 */
const FILL_SQL = `
INSERT INTO chat_events
  (event_id, event_time, source, campaign_id, shop_id, session_id, customer_id, kind, channel, mode, stage, sku, text,
   outcome, handoff_reason, answer_id, answer_revision, score, emotion, emotion_intensity, agent_id, order_id,
   amount_cents, ref_event_id, original_event_id, kafka_topic, kafka_partition, kafka_offset, ingested_at)
SELECT
  concat('ev-', toString(number)) AS event_id,
  at AS event_time,
  'live', {campaign:String}, shop, concat(shop, '-s', toString(session)), concat('c', toString(session)),
  kind,
  if(cityHash64(number, 2) % 10 < 7, 'app', 'web'),
  if(kind = 'question', {q_modes:Array(String)}[outcome_pick], 'bot'),
  if(kind = 'question', {stages:Array(String)}[arrayFirstIndex(b -> b > uniform(number, 3), {stage_bounds:Array(Float64)})], ''),
  '',
  multiIf(kind = 'question', concat('question about item ', toString(cityHash64(number, 4) % 400)),
          kind = 'answer', concat('answer ', toString(answer_number)), ''),
  if(kind = 'question', {q_outcomes:Array(String)}[outcome_pick], ''),
  multiIf(kind = 'question', {q_reasons:Array(String)}[outcome_pick], kind = 'handoff', 'customer_request', ''),
  if(kind = 'answer' OR (kind = 'question' AND ({q_outcomes:Array(String)}[outcome_pick] = 'answered'
                                                 OR uniform(number, 5) < {best_candidate_share:Float64})),
     concat('ans-', toString(answer_number)), ''),
  if(kind = 'answer' OR (kind = 'question' AND {q_outcomes:Array(String)}[outcome_pick] = 'answered'), 1, 0),
  if(kind IN ('question', 'answer'), 0.55 + 0.45 * uniform(number, 6), 0),
  if(kind = 'question', {emotions:Array(String)}[arrayFirstIndex(b -> b > uniform(number, 7), {emotion_bounds:Array(Float64)})], ''),
  if(kind = 'question', round(uniform(number, 8), 2), 0),
  '',
  if(kind = 'order', concat('o', toString(number)), ''),
  if(kind = 'order', 4900 + cityHash64(number, 9) % 595000, 0),
  if(kind = 'answer', concat('ev-', toString(number - 1)), ''),
  '',
  {topic:String}, number % 6, number,
  addMilliseconds(at, 150)
FROM
(
  SELECT
    number,
    intDiv(number, {events_per_session:UInt64}) AS session,
    {shops:Array(String)}[1 + cityHash64(session) % length({shops:Array(String)})] AS shop,
    addMilliseconds({chunk_start:DateTime64(3, 'UTC')},
      toInt64(arrayFirstIndex(total -> total > number - {first:UInt64}, {minute_totals:Array(UInt64)}) - 1) * 60000
        + toInt64(cityHash64(number, 1) % 60000)) AS at,
    {kinds:Array(String)}[arrayFirstIndex(b -> b > uniform(number, 10), {kind_bounds:Array(Float64)})] AS kind,
    arrayFirstIndex(b -> b > uniform(number, 11), {outcome_bounds:Array(Float64)}) AS outcome_pick,
    -- Skewed popularity: a few answers are asked about most, as on a real knowledge base.
    1 + toUInt32(floor(pow(uniform(number, 12), 2.5) * {answers:UInt32})) AS answer_number
  FROM numbers({first:UInt64}, {count:UInt64})
)`;

/** A uniform number in [0, 1) from a row number and a salt; a SQL function so the fill reads as its definition. */
const UNIFORM_FUNCTION = 'CREATE FUNCTION IF NOT EXISTS uniform AS (n, salt) -> (cityHash64(n, salt) % 1000000) / 1000000';

async function fill(clickhouse: ClickHouseClient): Promise<void> {
  const curve = compileCurve(PROFILE);
  const perMinute = rowsPerMinute(
    Array.from({ length: CAMPAIGN_MINUTES }, (_, minute) => curve.multiplier(minute + 0.5)),
    ROWS,
  );
  const mixes = profileMixes();
  const kinds = Object.keys(KIND_SHARES);
  const fixed = {
    campaign: 'bench-1111',
    topic: TOPICS.chatEvents.name,
    shops: SHOPS,
    events_per_session: EVENTS_PER_SESSION,
    answers: ANSWERS,
    best_candidate_share: BEST_CANDIDATE_SHARE,
    kinds,
    kind_bounds: shareBounds(Object.values(KIND_SHARES)),
    q_modes: QUESTION_OUTCOMES.map((row) => row.mode),
    q_outcomes: QUESTION_OUTCOMES.map((row) => row.outcome),
    q_reasons: QUESTION_OUTCOMES.map((row) => row.reason),
    outcome_bounds: shareBounds(QUESTION_OUTCOMES.map((row) => row.share)),
    emotions: mixes.emotions[0],
    emotion_bounds: mixes.emotions[1],
    stages: mixes.stages[0],
    stage_bounds: mixes.stages[1],
  };
  await clickhouse.command({ query: UNIFORM_FUNCTION });
  const started = performance.now();
  let first = 0;
  for (let minute = 0; minute < CAMPAIGN_MINUTES; minute += CHUNK_MINUTES) {
    const counts = perMinute.slice(minute, minute + CHUNK_MINUTES);
    const totals = cumulative(counts);
    const count = totals.at(-1) ?? 0;
    await clickhouse.command({
      query: FILL_SQL,
      query_params: {
        ...fixed,
        first,
        count,
        minute_totals: totals,
        chunk_start: toStoreTime(new Date(CAMPAIGN_START.getTime() + minute * 60_000)),
      },
    });
    first += count;
    const seconds = (performance.now() - started) / 1000;
    const eta = (seconds / first) * (ROWS - first);
    log(`fill: ${first.toLocaleString('en')} of ${ROWS.toLocaleString('en')} rows, ${Math.round(first / seconds).toLocaleString('en')} rows/s, ~${Math.round(eta)} s left`);
  }
}

/** Waits for the store's merges (a live store merges as it goes), up to a bound. */
async function settle(clickhouse: ClickHouseClient): Promise<void> {
  const started = performance.now();
  for (;;) {
    const result = await clickhouse.query({
      query: `SELECT (SELECT count() FROM system.merges) AS merges,
                     (SELECT count() FROM system.parts WHERE active AND database = {db:String} AND table = 'chat_events') AS event_parts,
                     (SELECT count() FROM system.parts WHERE active AND database = {db:String} AND table = 'question_rollup_1s') AS rollup_parts,
                     (SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = {db:String}) AS bytes`,
      query_params: { db: DATABASE },
      format: 'JSONEachRow',
    });
    const [state] = z.array(z.object({ merges: z.coerce.number(), event_parts: z.coerce.number(), rollup_parts: z.coerce.number(), bytes: z.coerce.number() })).parse(await result.json());
    const seconds = (performance.now() - started) / 1000;
    if (!state || state.merges === 0 || seconds > 600) {
      log(`store: ${state?.event_parts} parts of chat_events, ${state?.rollup_parts} of question_rollup_1s, ${state?.merges} merges running after ${Math.round(seconds)} s; ${Math.round((state?.bytes ?? 0) / 2 ** 20)} MiB`);
      return;
    }
    await new Promise((done) => setTimeout(done, 2_000));
  }
}

/** 'YYYY-MM-DD hh:mm:ss.sss' in UTC. */
function toStoreTime(at: Date): string {
  return at.toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * The statements each measured call sent, so that its rows to read can be asked of the store afterwards
 * with EXPLAIN ESTIMATE (parts, rows and marks left after the primary key and partitions pruned): what
 * explains a slow query.
 */
class StatementLog {
  statements: { query: string; params: Record<string, unknown> }[] = [];
  wrap(client: ClickHouseClient): ClickHouseClient {
    return new Proxy(client, {
      get: (target, property, receiver) => {
        if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
        const query: ClickHouseClient['query'] = (params) => {
          this.statements.push({ query: params.query, params: params.query_params ?? {} });
          return target.query(params);
        };
        return query;
      },
    });
  }

  /** Rows to read per table by the statements logged since the last call, summed over statements. */
  async estimate(client: ClickHouseClient): Promise<string> {
    const perTable = new Map<string, number>();
    for (const statement of this.statements.splice(0)) {
      const result = await client.query({ query: `EXPLAIN ESTIMATE ${statement.query}`, query_params: statement.params, format: 'JSONEachRow' });
      for (const row of z.array(z.object({ table: z.string(), rows: z.coerce.number() })).parse(await result.json())) {
        perTable.set(row.table, (perTable.get(row.table) ?? 0) + row.rows);
      }
    }
    return [...perTable].map(([table, rows]) => `${table} ${rows.toLocaleString('en')}`).join(', ');
  }
}

interface Timing {
  name: string;
  runs: number;
  p50: number;
  p99: number;
}

/**
 * Runs `run` once to warm up, then up to RUNS times within BUDGET_SECONDS (at least MIN_RUNS): wall times
 * in ms; then what its statements read, on stderr.
 */
async function time(name: string, statements: StatementLog, estimator: ClickHouseClient, run: () => Promise<unknown>): Promise<Timing> {
  await run();
  const samples: number[] = [];
  const started = performance.now();
  while (samples.length < RUNS && (samples.length < MIN_RUNS || performance.now() - started < BUDGET_SECONDS * 1000)) {
    statements.statements = [];
    const runStarted = performance.now();
    await run();
    samples.push(performance.now() - runStarted);
  }
  const timing = { name, runs: samples.length, p50: round(percentile(samples, 50)), p99: round(percentile(samples, 99)) };
  const reads = await statements.estimate(estimator);
  log(`${name.padEnd(28)} p50 ${String(timing.p50).padStart(8)} ms  p99 ${String(timing.p99).padStart(8)} ms  (${timing.runs} runs)  rows to read: ${reads}`);
  return timing;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Where the store lives: in memory when /dev/shm has room for it with margin, else on disk. */
function storeRoot(): string {
  if (values['data-root'] !== undefined) return values['data-root'];
  // Memory is shared with other processes: /dev/shm only with ample room.
  const needed = ROWS * STORE_BYTES_PER_ROW * 4;
  const free = (path: string): number => {
    try {
      const stats = statfsSync(path);
      return stats.bavail * stats.bsize;
    } catch {
      return 0;
    }
  };
  const root = free('/dev/shm') > needed ? '/dev/shm' : tmpdir();
  log(`store in ${root} (${Math.round(free(root) / 2 ** 30)} GiB free, ~${Math.round(needed / 2 ** 30)} GiB asked)`);
  return root;
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(storeRoot(), 'warroom-bench-query-'));
  const store = await startDevStore({ dataDir, onLog: (line) => log(`[dev-store] ${line}`) });
  const admin = createClickHouseClient({ url: store.url, requestTimeoutMs: 300_000, settings: LONG_REQUESTS });
  const estimator = createClickHouseClient({ url: store.url, database: DATABASE, requestTimeoutMs: 300_000, settings: LONG_REQUESTS });
  const statements = new StatementLog();
  const clickhouse = statements.wrap(createClickHouseClient({ url: store.url, database: DATABASE, requestTimeoutMs: 300_000, settings: LONG_REQUESTS }));
  try {
    await runMigrations(admin, { database: DATABASE });
    const filler = createClickHouseClient({ url: store.url, database: DATABASE, requestTimeoutMs: 3_600_000, settings: LONG_REQUESTS });
    const fillStarted = performance.now();
    try {
      await fill(filler);
      await settle(filler);
    } finally {
      await filler.close();
    }
    const fillSeconds = Math.round((performance.now() - fillStarted) / 100) / 10;

    const counted = await clickhouse.query({
      query: `SELECT count() AS rows, countIf(event_time >= {from:DateTime64(3, 'UTC')}) AS window_rows FROM chat_events`,
      query_params: { from: toStoreTime(new Date(NOW.getTime() - CAMPAIGN_VIEW_MS)) },
      format: 'JSONEachRow',
    });
    const [counts] = z.array(z.object({ rows: z.coerce.number(), window_rows: z.coerce.number() })).parse(await counted.json());
    if (counts?.rows !== ROWS) throw new Error(`the store holds ${counts?.rows} rows, ${ROWS} were generated`);
    log(`${counts.rows.toLocaleString('en')} rows, ${counts.window_rows.toLocaleString('en')} in the 12-hour campaign view; ${fillSeconds} s to fill`);

    const metrics = new MetricsRepository(clickhouse);
    const staffing = new StaffingRepository(clickhouse);
    const gaps = new GapsRepository(clickhouse);
    const views: { label: string; range: MetricsWindowRange }[] = [];
    for (const shop of ['all', SHOPS[0]!]) {
      for (const [label, ms] of [['5m', 5 * 60_000], ['12h', CAMPAIGN_VIEW_MS]] as const) {
        views.push({ label: `${shop}.${label}`, range: { shop, source: 'live', from: new Date(NOW.getTime() - ms), to: NOW } });
      }
    }
    const agentsNow = (shop: string): Promise<unknown> =>
      Promise.all([
        // StaffingService.agentsNow: the reports' query over the hour ending now in quarters, and who is on shift.
        staffing.intervalCounts({ shop, source: 'live', from: new Date(NOW.getTime() - 3_600_000), to: NOW, intervalMs: 900_000 }),
        staffing.onShiftAt({ shop, source: 'live' }, NOW),
      ]);

    const timings: Timing[] = [];
    for (const view of views) {
      timings.push(await time(`wall.rollup.${view.label}`, statements, estimator, () => metrics.questionRollup(view.range, 10)));
      timings.push(await time(`wall.unmatched.${view.label}`, statements, estimator, () => metrics.newestUnmatched(view.range, 10)));
      timings.push(await time(`wall.conversion.${view.label}`, statements, estimator, () => metrics.conversion(view.range)));
    }
    for (const shop of ['all', SHOPS[0]!]) timings.push(await time(`wall.agentsNow.${shop}`, statements, estimator, () => agentsNow(shop)));
    const tick = await time('tick (4 views)', statements, estimator, () =>
      Promise.all([
        ...views.flatMap((view) => [metrics.questionRollup(view.range, 10), metrics.newestUnmatched(view.range, 10), metrics.conversion(view.range)]),
        agentsNow('all'),
        agentsNow(SHOPS[0]!),
      ]),
    );
    const tickFast = await time('tick, rollup+unmatched only', statements, estimator, () =>
      Promise.all(views.flatMap((view) => [metrics.questionRollup(view.range, 10), metrics.newestUnmatched(view.range, 10)])),
    );
    // GapsService's poll: what was stored in the last second of the last 24 hours, and the verification of published answers.
    const position = { from: NOW.getTime() - 24 * 3_600_000, ingestedFrom: NOW.getTime() - 1_000 };
    const gapsPoll = await time('gaps.poll', statements, estimator, () =>
      Promise.all([gaps.gapInputs(position, 5_000), gaps.answeredBy(['ans-1', 'ans-2', 'ans-3'], position)]),
    );
    const reports: Timing[] = [];
    for (const shop of ['all', SHOPS[0]!]) {
      reports.push(
        await time(`report.24h.${shop}`, statements, estimator, () =>
          staffing.intervalCounts({ shop, source: 'live', from: CAMPAIGN_START, to: NOW, intervalMs: 900_000 }),
        ),
      );
    }

    const p99Of = (name: string): number => {
      const found = timings.find((timing) => timing.name === name);
      if (!found) throw new Error(`no timing named ${name}`);
      return found.p99;
    };
    const line = {
      rows: counts.rows,
      windowRows: counts.window_rows,
      fillSeconds,
      top10P99Ms: p99Of('wall.rollup.all.5m'),
      hitRateCampaignP99Ms: p99Of('wall.rollup.all.12h'),
      tickP99Ms: tick.p99,
      tickFastP99Ms: tickFast.p99,
      reportP99Ms: Math.max(...reports.map((report) => report.p99)),
      gapsPollP99Ms: gapsPoll.p99,
    };
    if (!values.json) log(`top-10 ${line.top10P99Ms} ms, 12-hour hit rate ${line.hitRateCampaignP99Ms} ms, tick ${line.tickP99Ms} ms (p99)`);
    console.log(JSON.stringify(line));
  } finally {
    await Promise.all([clickhouse.close(), estimator.close(), admin.close()]);
    await store.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
