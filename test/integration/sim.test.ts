/**
 * The simulator through real parts (issue 10): a short compressed rehearsal — one hour of a curve with a
 * midnight rush, played in 30 real seconds — by the sim as its own process, talking HTTP to the bot as
 * its own process, whose events go through the dev broker and the ingest process into the dev store.
 * Checked in ClickHouse: questions per compressed interval follow the profile's curve, the stages the
 * bot decided follow the profile's stage mix, every event carries `source: rehearsal` (the bot's own
 * default is `live`) and the real time it was asked, and the sim's summary agrees with what was stored.
 * The profile's agents (two, overloaded at the rush on purpose) take handoffs through the bot's agent API:
 * their accepts, ends, flags and the customers who gave up land in ClickHouse, and the api's staffing
 * report built from them has a measured human handling time and agents needed with and without the bot.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  simReadySchema,
  simReportSchema,
  simSummarySchema,
  staffingReportSchema,
  type SimReady,
  type SimReport,
  type SimSummary,
} from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCurve, expectedQuestions, type Timing } from '../../apps/sim/src/curve';
import type { SimProfile } from '../../apps/sim/src/profile';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const CAMPAIGN = 'it-sim';
const SERVICE_TOKEN = 'sim-it-service-token-0123456789';
const REAL_SECONDS = 30;
const BUCKET_MS = 2_500;

/** One hour from 23:50, flat at the base rate, with the 00:00 rush at 3.5× (30 s real at speed 120). */
const PROFILE: SimProfile = {
  v: 1,
  name: 'it-rush',
  shops: ['demo-electronics', 'demo-home'],
  baseRatePerShop: 5,
  startClock: '23:50',
  durationMinutes: 60,
  speed: 120,
  levels: [{ clock: '00:00', level: 1 }],
  peaks: [{ label: '00:00 sales open', at: '00:00', day: 0, multiplier: 3.5, riseMinutes: 2, halfLifeMinutes: 8 }],
  stageMix: { pre_sale: 0.5, in_sale: 0.3, after_sale: 0.2 },
  emotions: { angry: 0.04, anxious: 0.08, worried: 0.03, disappointed: 0.02, satisfied: 0.02, grateful: 0.03 },
  conversation: {
    turns: { min: 2, max: 4 },
    thinkSeconds: { min: 0.5, max: 2 },
    greetingShare: 0.25,
    thanksShare: 0.2,
    commonShare: 0.8,
    unknownShare: 0.12,
    humanRequestShare: 0.04,
    productShare: 0.5,
  },
  orders: { share: 0.3, amountCents: { min: 4_900, max: 599_900 } },
  // Two agents, two chats each, short chats and impatient customers: some are taken, some give up.
  agents: {
    shifts: [{ team: 'all-day', agents: 2, from: '00:00', to: '00:00' }],
    concurrency: 2,
    handleSeconds: { median: 2, p90: 4 },
    firstReplySeconds: { min: 0.2, max: 0.5 },
    patienceSeconds: 3,
    flagShare: 0.3,
    orderShare: 0.5,
  },
};

interface StoredQuestion {
  event_id: string;
  t: string;
  stage: string;
  outcome: string;
  source: string;
}

describe('sim: a compressed rehearsal through the real bot', () => {
  const pipeline = usePipeline();
  let bot: AppProcess;
  let api: AppProcess;
  let dir: string;
  const apiLog = oneTimePasswordCatcher();

  beforeAll(async () => {
    const p = pipeline();
    dir = mkdtempSync(join(tmpdir(), 'sim-it-'));
    const [, apiStarted, started] = await Promise.all([
      p.startApp('ingest'),
      p.startApp('api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN }, { onLog: apiLog.onLog }),
      startAppProcess({
        name: 'bot',
        entry: 'apps/bot/src/main.ts',
        env: {
          KAFKA_BROKERS: p.broker.brokers,
          PORT: '0',
          BOT_SHOP_IDS: PROFILE.shops.join(','),
          BOT_SPOOL_DIR: join(dir, 'spool'),
          BOT_CAMPAIGN_ID: CAMPAIGN,
          // The sim names the source of each request; the bot's default must not be what we see.
          BOT_SOURCE: 'live',
          LOG_LEVEL: 'warn',
        },
        onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
      }),
    ]);
    bot = started;
    api = apiStarted;
  });

  afterAll(async () => {
    await bot?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('follows the configured curve and stage mix, with real event times and source rehearsal', async () => {
    const profileFile = join(dir, 'it-rush.json');
    writeFileSync(profileFile, JSON.stringify(PROFILE));
    const lines: string[] = [];
    const sim = await startAppProcess({
      name: 'sim',
      entry: 'apps/sim/src/main.ts',
      env: { SIM_BOT_URL: bot.url ?? '', SIM_API_URL: api.url ?? '', SIM_SERVICE_TOKEN: SERVICE_TOKEN, SIM_PROFILE: profileFile, SIM_MINUTES: String(REAL_SECONDS / 60), SIM_JSON: 'true', SIM_SEED: '2026', SIM_PROGRESS_EVERY: '5' },
      onLog: (line) => {
        lines.push(line);
        if (process.env.TEST_APP_LOGS) process.stderr.write(`[sim] ${line}\n`);
      },
    });
    expect(await sim.exited).toBe(0);
    const json = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as unknown);
    const ready: SimReady = simReadySchema.parse(json.find((item) => simReadySchema.safeParse(item).success));
    const report: SimReport = simReportSchema.parse(json.find((item) => simReportSchema.safeParse(item).success));
    const summary: SimSummary = simSummarySchema.parse(json[json.length - 1]);
    expect(report.errors).toBe(0);
    expect(summary.questions).toBeGreaterThan(300);

    // Everything the bot replied to is stored (at least once: count distinct ids).
    const p = pipeline();
    let questions: StoredQuestion[] = [];
    await waitFor(
      async () => {
        const result = await p.clickhouse.query({
          query:
            'SELECT event_id, toString(toUnixTimestamp64Milli(event_time)) AS t, stage, outcome, source FROM chat_events ' +
            "WHERE campaign_id = {campaign:String} AND kind = 'question'",
          query_params: { campaign: CAMPAIGN },
          format: 'JSONEachRow',
        });
        questions = [...new Map((await result.json<StoredQuestion>()).map((row) => [row.event_id, row])).values()];
        return questions.length >= summary.questions;
      },
      60_000,
      () => `${questions.length} of ${summary.questions} questions stored`,
    );
    expect(questions).toHaveLength(summary.questions);
    expect(new Set(questions.map((row) => row.source))).toEqual(new Set(['rehearsal']));
    const outcomes = (outcome: string) => questions.filter((row) => row.outcome === outcome).length;
    expect({ answered: outcomes('answered'), unmatched: outcomes('unmatched'), handoffs: outcomes('handoff') }).toEqual({
      answered: summary.answered,
      unmatched: summary.unmatched,
      handoffs: summary.handoffs,
    });

    // The clock is never compressed: every event time is the real time of the rehearsal.
    const startMs = Date.parse(ready.startedAt);
    const times = questions.map((row) => Number(row.t) - startMs);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...times)).toBeLessThan(REAL_SECONDS * 1000 + 5_000);

    // The curve: questions per 2.5 s (5 curve minutes) against the profile's integral over the same time.
    const curve = compileCurve(PROFILE);
    const timing: Timing = { fromMinute: 0, speed: PROFILE.speed, durationMinutes: PROFILE.durationMinutes, loop: false };
    const rate = { baseRatePerShop: PROFILE.baseRatePerShop, shops: PROFILE.shops.length };
    const buckets: { from: number; expected: number; actual: number }[] = [];
    for (let from = 0; from < REAL_SECONDS * 1000; from += BUCKET_MS) {
      buckets.push({
        from,
        expected: expectedQuestions(curve, timing, rate, from, from + BUCKET_MS),
        actual: times.filter((t) => t >= from && t < from + BUCKET_MS).length,
      });
    }
    const table = buckets.map((b) => `${(b.from / 1000).toFixed(1)}s: ${b.actual} (expected ${b.expected.toFixed(1)})`).join('\n');
    for (const bucket of buckets) {
      expect(Math.abs(bucket.actual - bucket.expected), table).toBeLessThanOrEqual(Math.max(6, bucket.expected * 0.25));
    }
    // The rush is there: the busiest interval holds well over twice the quiet one before it.
    const quiet = buckets[0]!.actual;
    const busiest = Math.max(...buckets.map((bucket) => bucket.actual));
    expect(busiest, table).toBeGreaterThan(quiet * 2.2);
    expect(summary.peakPerSec).toBeGreaterThanOrEqual(Math.floor(3 * PROFILE.baseRatePerShop * PROFILE.shops.length * 0.8));

    // The stage mix, as the bot decided it, within 8 points of the profile's.
    for (const stage of ['pre_sale', 'in_sale', 'after_sale'] as const) {
      const share = questions.filter((row) => row.stage === stage).length / questions.length;
      expect(Math.abs(share - PROFILE.stageMix[stage]), `${stage}: ${share.toFixed(3)}`).toBeLessThan(0.08);
    }
    // Orders after answered conversations: conversion exists.
    const storedOrders = async (): Promise<number> => {
      const result = await p.clickhouse.query({
        query: "SELECT uniqExact(event_id) AS n FROM chat_events WHERE campaign_id = {campaign:String} AND kind = 'order' AND source = 'rehearsal'",
        query_params: { campaign: CAMPAIGN },
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string }>();
      return Number(row?.n ?? 0);
    };
    expect(report.orders).toBeGreaterThan(0);
    await waitFor(async () => (await storedOrders()) >= report.orders, 20_000, async () => `${await storedOrders()} of ${report.orders} orders stored`);

    // The agents: every accept, end, flag and give-up went through the bot into ClickHouse.
    const agents = report.agents!;
    expect(agents).toMatchObject({ roster: 2, peakOnShift: 2, errors: 0 });
    expect(agents.accepted).toBeGreaterThan(5);
    expect(agents.ended).toBeGreaterThan(5);
    expect(agents.abandoned).toBeGreaterThan(0);
    const expectedKinds = { agent_accept: agents.accepted, agent_end: agents.ended, agent_flag: agents.flagged, abandon: agents.abandoned };
    let kinds: Record<string, number> = {};
    const readKinds = async (): Promise<void> => {
      const result = await p.clickhouse.query({
        query:
          "SELECT kind, uniqExact(event_id) AS n FROM chat_events WHERE campaign_id = {campaign:String} AND source = 'rehearsal' " +
          "AND kind IN ('agent_accept', 'agent_end', 'agent_flag', 'abandon', 'agent_reply') GROUP BY kind",
        query_params: { campaign: CAMPAIGN },
        format: 'JSONEachRow',
      });
      kinds = Object.fromEntries((await result.json<{ kind: string; n: string }>()).map((row) => [row.kind, Number(row.n)]));
    };
    await waitFor(
      async () => {
        await readKinds();
        return Object.entries(expectedKinds).every(([kind, n]) => (kinds[kind] ?? 0) >= n);
      },
      30_000,
      () => `stored ${JSON.stringify(kinds)}, expected ${JSON.stringify(expectedKinds)}`,
    );
    expect(kinds).toMatchObject(expectedKinds);
    expect(kinds.agent_reply).toBeGreaterThan(0);

    // The staffing report built from them: human handling time measured, agents needed with and without the bot.
    const quarter = 15 * 60_000;
    const from = Math.floor(startMs / quarter) * quarter;
    const to = Math.ceil((startMs + REAL_SECONDS * 1000 + 15_000) / quarter) * quarter;
    const params = new URLSearchParams({ source: 'rehearsal', from: new Date(from).toISOString(), to: new Date(to).toISOString(), interval: '15m' });
    // Reports are a manager's.
    const { mia } = await setUpUsers(api.url!, apiLog.password(), [{ login: 'mia', displayName: 'Mia', role: 'manager' }]);
    const response = await fetch(`${api.url}/api/reports/staffing?${params.toString()}`, { headers: { authorization: `Bearer ${mia!}` } });
    expect(response.status, await response.clone().text()).toBe(200);
    const staffing = staffingReportSchema.parse(await response.json());
    const totals = staffing.current.totals;
    expect(totals.handledChats).toBe(agents.ended);
    expect(totals.abandons).toBe(agents.abandoned);
    expect(totals.ahtSec).not.toBeNull();
    // The bot records accept and end when the agent's requests reach it: the sim's planned handling time, give or take the HTTP round trips.
    expect(Math.abs(totals.ahtSec! - agents.meanHandleSec!)).toBeLessThan(1);
    expect(totals.peakAgentsWithBot).toBeGreaterThan(0);
    // 30 s of traffic in a 15-minute interval needs few agents; without the bot, every conversation is offered.
    expect(totals.peakAgentsWithoutBot).toBeGreaterThanOrEqual(totals.peakAgentsWithBot!);
    const busiestInterval = staffing.current.intervals.reduce((a, b) => (b.conversations > a.conversations ? b : a));
    // The sim stored its roster (two agents all day) for the quarter-hours it ran: the report knows who was on shift.
    expect(busiestInterval.roster).toMatchObject({ onShift: 2 });
    // The bot takes a real share of the load. How large depends on the random questions of these 30 s: about
    // half of the conversations reach an agent (unmatched, emotions, asking for a human), and one run (two test
    // files at a time, as in CI) had 700 chats/h offered against 356 handed off, so the bar is 1.5x, not 2x.
    expect(busiestInterval.withoutBot.chatsPerHour).toBeGreaterThan(busiestInterval.withBot.chatsPerHour * 1.5);
  });
});
