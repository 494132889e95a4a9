/**
 * Staffing reports through real parts (issue 11): known sessions — questions, handoffs, accepted and
 * ended human chats with known handling times, abandons — go through the dev broker and the ingest process
 * into the dev store; the api's report must match a hand computation, with the agents taken from
 * libs/staffing called directly on the hand-computed inputs.
 */
import {
  badRequestBodySchema,
  liveSnapshotSchema,
  rosterStoredSchema,
  staffingReportSchema,
  type ChatEvent,
  type StaffingIntervalRow,
  type StaffingReport,
} from '@warroom/contracts';
import { evaluateStaffing, requiredAgents } from '@warroom/staffing';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const HOUR = 3_600_000;
const MIN = 60_000;
const SEC = 1_000;
/** Three whole hours ago: every event is in the past and well within the 7 days ingest accepts. */
const H = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

const SHOP = 'shop-staff';
const SERVICE_TOKEN = 'staffing-service-token-0123456789';
let sequence = 0;

type Kind = 'handoff' | 'agent_accept' | 'agent_end' | 'abandon';
interface Options {
  shop?: string;
  source?: 'live' | 'rehearsal';
  mode?: 'bot' | 'assist';
}

function base(session: string, at: number, options: Options) {
  sequence += 1;
  return {
    v: 1 as const,
    eventId: `staffing-${sequence}`,
    eventTime: iso(at),
    source: options.source ?? 'live',
    campaignId: 'staffing-test',
    shopId: options.shop ?? SHOP,
    sessionId: session,
    customerId: `customer-${session}`,
    channel: 'app' as const,
    mode: options.mode ?? 'bot',
  };
}

type QuestionOutcome = 'answered' | 'unmatched' | 'no_match' | 'customer_request' | 'negative_emotion' | 'assist_mode';

/** A question; a handoff reason as outcome means a question handed off for that reason. */
function question(session: string, at: number, outcome: QuestionOutcome, options: Options = {}): ChatEvent {
  const b = base(session, at, options);
  if (outcome === 'answered') return questionEvent({ ...b });
  if (outcome === 'unmatched') return questionEvent({ ...b, outcome: 'unmatched', match: undefined, bestCandidate: null });
  return questionEvent({ ...b, outcome: 'handoff', handoffReason: outcome, match: undefined, bestCandidate: null });
}

function event(kind: Kind, session: string, at: number, options: Options = {}): ChatEvent {
  const b = base(session, at, options);
  switch (kind) {
    case 'handoff':
      return { ...b, kind, handoffReason: 'customer_request' };
    case 'agent_accept':
    case 'agent_end':
      return { ...b, kind, agentId: 'agent-7' };
    case 'abandon':
      return { ...b, kind };
  }
}

/** An accepted human chat handled for `handleSec`. */
function handled(session: string, acceptAt: number, handleSec: number, options: Options = {}): ChatEvent[] {
  return [event('agent_accept', session, acceptAt, options), event('agent_end', session, acceptAt + handleSec * SEC, options)];
}

const Q0 = H;
const Q1 = H + 15 * MIN;
const Q2 = H + 30 * MIN;
const Q3 = H + 45 * MIN;
const P = H - HOUR;

/**
 * The current range [H, H+1h) in 15-minute intervals; the comparison range [H−1h, H).
 *
 * interval 0: s1–s8 ask (8 conversations). Handed off: s1 (question, no_match), s2 (handoff event after an
 * answered question), s3 (a handed-off question and a handoff event: once), s4 (question; then abandons),
 * s8 (assist mode) = 5 handoffs. s7 is handed off only in interval 1. Handled: s1 300 s, s2 180 s,
 * s3 420 s → AHT 300 s. Bot-mode questions: 9 (s8's is assist mode), answered 5 (s2, s5 ×2, s6, s7).
 * interval 1: s9, s10 ask; handoffs s7 (event), s9; handled s7 240 s, s9 480 s → AHT 360 s; bot 2/1.
 * interval 2: s13 asks and is handed off, nobody accepts it → the range's AHT, (300+180+420+240+480+600)/6.
 * interval 3: s11 handed off, abandons; s12 handed off, accepted at 58:20, ended 10 min later (after the
 * range's end, still counted: 600 s). Bot 2/0.
 * Noise left out with shop=SHOP and source=live: another shop's session, a rehearsal session.
 */
function currentRangeEvents(): ChatEvent[] {
  return [
    question('s1', Q0 + 60 * SEC, 'no_match'),
    ...handled('s1', Q0 + 120 * SEC, 300),
    question('s2', Q0 + 90 * SEC, 'answered'),
    event('handoff', 's2', Q0 + 150 * SEC),
    ...handled('s2', Q0 + 200 * SEC, 180),
    question('s3', Q0 + 100 * SEC, 'negative_emotion'),
    event('handoff', 's3', Q0 + 101 * SEC),
    ...handled('s3', Q0 + 300 * SEC, 420),
    question('s4', Q0 + 200 * SEC, 'customer_request'),
    event('abandon', 's4', Q0 + 400 * SEC),
    question('s5', Q0 + 300 * SEC, 'answered'),
    question('s5', Q0 + 320 * SEC, 'answered'),
    question('s6', Q0 + 400 * SEC, 'unmatched'),
    question('s6', Q0 + 420 * SEC, 'answered'),
    question('s7', Q0 + 500 * SEC, 'answered'),
    question('s8', Q0 + 600 * SEC, 'assist_mode', { mode: 'assist' }),
    event('handoff', 's7', Q1 + 60 * SEC),
    ...handled('s7', Q1 + 100 * SEC, 240),
    question('s9', Q1 + 300 * SEC, 'no_match'),
    ...handled('s9', Q1 + 400 * SEC, 480),
    question('s10', Q1 + 500 * SEC, 'answered'),
    question('s13', Q2 + 100 * SEC, 'no_match'),
    question('s11', Q3 + 60 * SEC, 'customer_request'),
    event('abandon', 's11', Q3 + 120 * SEC),
    question('s12', Q3 + 100 * SEC, 'no_match'),
    ...handled('s12', Q3 + 800 * SEC, 600),
    // Noise: another shop (counted only with shop=all), and a rehearsal (never counted for live).
    question('x1', Q2 + 200 * SEC, 'no_match', { shop: 'shop-other' }),
    ...handled('x1', Q2 + 300 * SEC, 100, { shop: 'shop-other' }),
    question('r1', Q1 + 10 * SEC, 'no_match', { source: 'rehearsal' }),
    ...handled('r1', Q1 + 20 * SEC, 50, { source: 'rehearsal' }),
  ];
}

/** The comparison range: p1 handed off and handled 200 s, p2 answered. */
function previousRangeEvents(): ChatEvent[] {
  return [
    question('p1', P + 10 * MIN, 'no_match'),
    ...handled('p1', P + 11 * MIN, 200),
    question('p2', P + 20 * MIN, 'answered'),
  ];
}

interface Expected {
  conversations: number;
  handoffs: number;
  handledChats: number;
  ahtSec: number | null;
  ahtUsedSec: number;
  abandons: number;
  botQuestions: number;
  botAnswered: number;
}

const RANGE_AHT = (300 + 180 + 420 + 240 + 480 + 600) / 6;
const EXPECTED: Expected[] = [
  { conversations: 8, handoffs: 5, handledChats: 3, ahtSec: 300, ahtUsedSec: 300, abandons: 1, botQuestions: 9, botAnswered: 5 },
  { conversations: 2, handoffs: 2, handledChats: 2, ahtSec: 360, ahtUsedSec: 360, abandons: 0, botQuestions: 2, botAnswered: 1 },
  { conversations: 1, handoffs: 1, handledChats: 0, ahtSec: null, ahtUsedSec: RANGE_AHT, abandons: 0, botQuestions: 1, botAnswered: 0 },
  { conversations: 2, handoffs: 2, handledChats: 1, ahtSec: 600, ahtUsedSec: 600, abandons: 1, botQuestions: 2, botAnswered: 0 },
];

const TARGET = { serviceLevel: 0.8, withinSec: 20, shrinkage: 0.3 };
/** Agents to schedule for `chats` chats in a 15-minute interval: libs/staffing on the hand-computed inputs. */
function scheduled(chats: number, ahtSec: number): number {
  return chats === 0 ? 0 : requiredAgents({ chatsPerHour: chats * 4, ahtSec, concurrency: 3 }, TARGET).agentsScheduled;
}

/** Our CSV export (no quoted fields) as one record per line, keyed by the header's column names. */
function csvRows(text: string): Record<string, string>[] {
  const [header = '', ...lines] = text.trimEnd().split('\r\n');
  const columns = header.split(',');
  return lines.map((line) => {
    const values = line.split(',');
    const row: Record<string, string> = {};
    columns.forEach((column, i) => {
      row[column] = values[i] ?? '';
    });
    return row;
  });
}

describe('staffing report', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let produced = 0;
  let producedAt = 0;

  const url = (path: string, params: Record<string, string>): string => `${api.url}${path}?${new URLSearchParams(params).toString()}`;
  const kiosk = { authorization: `Bearer ${KIOSK_TOKEN}` };
  /** A signed-in manager's: reports are theirs (DESIGN.md "Roles"). */
  let auth: { authorization: string } = { authorization: '' };
  let trainerToken = '';
  const apiLog = oneTimePasswordCatcher();
  const query = {
    shop: SHOP,
    source: 'live',
    from: iso(H),
    to: iso(H + HOUR),
    interval: '15m',
    compareFrom: iso(P),
    compareTo: iso(H),
  };

  async function report(params: Record<string, string>): Promise<StaffingReport> {
    const response = await fetch(url('/api/reports/staffing', params), { headers: auth });
    expect(response.status, await response.clone().text()).toBe(200);
    return staffingReportSchema.parse(await response.json());
  }

  beforeAll(async () => {
    const p = pipeline();
    api = await p.startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN }, { onLog: apiLog.onLog });
    const tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'mia', displayName: 'Mia', role: 'manager' },
      { login: 'tom', displayName: 'Tom', role: 'trainer', grade: 'senior' },
    ]);
    auth = { authorization: `Bearer ${tokens.mia!}` };
    trainerToken = tokens.tom!;
    const events = [...currentRangeEvents(), ...previousRangeEvents()];
    produced = events.length;
    await p.produce(events.map((e) => ({ key: e.sessionId, value: JSON.stringify(e) })));
    producedAt = Date.now();
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= produced,
      90_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${produced}`,
    );
  });

  it('counts conversations, handoffs, handling time and abandons per interval, and needs the agents libs/staffing computes', async () => {
    expect((await storedCounts(pipeline().clickhouse)).rows).toBe(produced);
    const r = await report(query);
    // Everything was produced before the report was asked for: the watermark is past it.
    expect(r.asOf).not.toBeNull();
    expect(Date.parse(r.asOf!)).toBeGreaterThanOrEqual(producedAt);
    expect(r.assumptions).toEqual({
      serviceLevel: 0.8,
      withinSec: 20,
      concurrency: 3,
      shrinkage: 0.3,
      patienceSec: null,
      ahtOverrideSec: null,
      model: 'erlang-c',
    });
    expect(r.current.intervals.map((row) => row.intervalStart)).toEqual([Q0, Q1, Q2, Q3].map(iso));

    r.current.intervals.forEach((row: StaffingIntervalRow, i) => {
      const e = EXPECTED[i]!;
      const label = `interval ${i}`;
      expect(
        {
          conversations: row.conversations,
          handoffs: row.handoffs,
          handledChats: row.handledChats,
          ahtSec: row.ahtSec,
          ahtUsedSec: row.ahtUsedSec,
          abandons: row.abandons,
          botQuestions: row.botQuestions,
          botAnswered: row.botAnswered,
        },
        label,
      ).toEqual(e);
      expect(row.ahtBasis, label).toBe(i === 2 ? 'range' : 'interval');
      expect(row.hitRate, label).toBe(e.botAnswered / e.botQuestions);
      expect(row.withBot.chatsPerHour, label).toBe(e.handoffs * 4);
      expect(row.withBot.agentsScheduled, label).toBe(scheduled(e.handoffs, e.ahtUsedSec));
      expect(row.withoutBot.agentsScheduled, label).toBe(scheduled(e.conversations, e.ahtUsedSec));
      expect(row.roster, label).toBeNull();
    });

    // What if the hit rate were higher: interval 0 misses 4/9; handoffs fall with the misses.
    const [plus1, plus5] = r.current.intervals[0]!.whatIf;
    const misses = 4 / 9;
    expect(plus1!.handoffs).toBeCloseTo((5 * (misses - 0.01)) / misses, 9);
    expect(plus5!.handoffs).toBeCloseTo((5 * (misses - 0.05)) / misses, 9);
    // Saved agents are fractional (the same Erlang model between whole agents), so a few points never show 0.
    const fractional = (chatsPerHour: number) => requiredAgents({ chatsPerHour, ahtSec: 300, concurrency: 3 }, TARGET).agentsScheduledFractional;
    expect(plus5!.agentsSaved).toBeCloseTo(fractional(5 * 4) - fractional(plus5!.handoffs * 4), 9);
    expect(plus1!.agentsSaved).toBeGreaterThan(0);

    const t = r.current.totals;
    expect([t.conversations, t.handoffs, t.handledChats, t.abandons, t.botQuestions, t.botAnswered]).toEqual([13, 10, 6, 2, 14, 6]);
    expect(t.ahtSec).toBeCloseTo(RANGE_AHT, 9);
    expect(t.abandonRate).toBe(2 / 10);
    expect(t.peakAgentsWithBot).toBe(Math.max(...EXPECTED.map((e) => scheduled(e.handoffs, e.ahtUsedSec))));
    expect(t.agentHoursWithoutBot).toBe(EXPECTED.reduce((sum, e) => sum + scheduled(e.conversations, e.ahtUsedSec), 0) / 4);

    // The comparison range, side by side: p1 handed off and handled for 200 s, p2 answered.
    const previous = r.previous!;
    expect([previous.from, previous.to]).toEqual([iso(P), iso(H)]);
    expect([previous.totals.conversations, previous.totals.handoffs, previous.totals.handledChats, previous.totals.ahtSec]).toEqual([2, 1, 1, 200]);
    expect(previous.intervals[0]!.withBot.agentsScheduled).toBe(scheduled(1, 200));

    // Every shop: the other shop's session joins interval 2, with its 100 s chat.
    const all = await report({ ...query, shop: 'all' });
    expect(all.current.intervals[2]).toMatchObject({ conversations: 2, handoffs: 2, handledChats: 1, ahtSec: 100 });
  });

  it('hourly intervals, and the parameters change the targets', async () => {
    // Empty compare parameters are an error, not "no comparison".
    const empty = await fetch(url('/api/reports/staffing', { ...query, compareFrom: '', compareTo: '' }), { headers: auth });
    expect(empty.status).toBe(400);
    const { compareFrom: _f, compareTo: _t, ...single } = query;
    const hourly = await report({ ...single, interval: '1h', serviceLevel: '0.9', withinSec: '30', concurrency: '2', shrinkage: '0.25' });
    const row = hourly.current.intervals[0]!;
    expect(hourly.current.intervals).toHaveLength(1);
    expect([row.conversations, row.handoffs, row.handledChats, row.abandons]).toEqual([13, 10, 6, 2]);
    expect(row.ahtSec).toBeCloseTo(RANGE_AHT, 9);
    const plan = requiredAgents(
      { chatsPerHour: 10, ahtSec: RANGE_AHT, concurrency: 2 },
      { serviceLevel: 0.9, withinSec: 30, shrinkage: 0.25 },
    );
    expect(row.withBot.agentsScheduled).toBe(plan.agentsScheduled);
    expect(hourly.previous).toBeNull();
  });

  it('with a roster (CSV in a POST body): the service level the agents on shift reach', async () => {
    const rosterCsv = ['interval_start,agents', `${iso(Q0)},4`, `${iso(Q1)},1`, `${iso(Q3)},3`].join('\n');
    const response = await fetch(url('/api/reports/staffing', {}), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...query, rosterCsv }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    const r = staffingReportSchema.parse(await response.json());
    const [q0, q1, q2, q3] = r.current.intervals;
    // 4 on shift, ⌊4 × 0.7⌋ = 2 on chat, 5 handoffs in 15 minutes at 300 s.
    const expected0 = evaluateStaffing({ chatsPerHour: 20, ahtSec: 300, concurrency: 3 }, 2, 20);
    expect(q0!.roster).toMatchObject({ onShift: 4, onChat: 2, serviceLevel: expected0.serviceLevel, meetsTarget: expected0.serviceLevel >= 0.8 });
    // 1 on shift leaves nobody on chat.
    expect(q1!.roster).toMatchObject({ onShift: 1, onChat: 0, serviceLevel: 0, meetsTarget: false });
    expect(q2!.roster).toBeNull();
    const expected3 = evaluateStaffing({ chatsPerHour: 8, ahtSec: 600, concurrency: 3 }, 2, 20);
    expect(q3!.roster!.serviceLevel).toBe(expected3.serviceLevel);
    expect(r.current.totals.rosterAgentHours).toBe((4 + 1 + 3) / 4);
  });

  it('exports the same report as CSV', async () => {
    const response = await fetch(url('/api/reports/staffing.csv', query), { headers: auth });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = csvRows(await response.text());
    expect(rows.map((row) => row.range)).toEqual(['current', 'current', 'current', 'current', 'previous', 'previous', 'previous', 'previous']);
    rows.slice(0, 4).forEach((row, i) => {
      const e = EXPECTED[i]!;
      expect(row.interval_start).toBe(iso(H + i * 15 * MIN));
      expect([row.conversations, row.handoffs, row.handled_chats, row.abandons].map(Number)).toEqual([e.conversations, e.handoffs, e.handledChats, e.abandons]);
      expect(Number(row.agents_with_bot)).toBe(scheduled(e.handoffs, e.ahtUsedSec));
      expect(Number(row.agents_without_bot)).toBe(scheduled(e.conversations, e.ahtUsedSec));
      expect(row.on_shift).toBe('');
    });
  });

  it('refuses bad requests with 400 naming every failing path, and requests without the token with 401', async () => {
    const bad = await fetch(url('/api/reports/staffing', { from: iso(H + 5 * MIN), to: iso(H), interval: '2h', concurrency: 'three' }), { headers: auth });
    expect(bad.status).toBe(400);
    const body = badRequestBodySchema.parse(await bad.json());
    expect(body.issues?.map((issue) => issue.path).sort()).toEqual(['concurrency', 'interval']);

    const misaligned = await fetch(url('/api/reports/staffing', { from: iso(H + 5 * MIN), to: iso(H) }), { headers: auth });
    expect(badRequestBodySchema.parse(await misaligned.json()).issues?.map((issue) => issue.path).sort()).toEqual(['from', 'to']);

    const rosterCsv = [`${iso(Q0)},4`, `${iso(Q0 + 5 * MIN)},2`, 'oops', `${iso(Q1)},many`].join('\n');
    const badRoster = await fetch(url('/api/reports/staffing.csv', {}), {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ ...query, rosterCsv }),
    });
    expect(badRoster.status).toBe(400);
    const issues = badRequestBodySchema.parse(await badRoster.json()).issues ?? [];
    expect(issues.map((issue) => issue.path)).toEqual(['rosterCsv.3', 'rosterCsv.4', 'rosterCsv.2']);
    expect(issues.map((issue) => issue.message.split(':')[0])).toEqual(['line 3', 'line 4', 'line 2']);

    expect((await fetch(url('/api/reports/staffing', query))).status).toBe(401);
    expect((await fetch(url('/api/reports/staffing.csv', query), { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    // Managers' only: not the wall's kiosk token, not a trainer.
    expect((await fetch(url('/api/reports/staffing', query), { headers: kiosk })).status).toBe(401);
    expect((await fetch(url('/api/reports/staffing.csv', query), { headers: { authorization: `Bearer ${trainerToken}` } })).status).toBe(403);
  });

  // Last: the stored roster changes what the tests above expect of reports without one.
  it('stores a roster (service token); reports without their own use it, and the wall shows who is on shift now', async () => {
    const put = (body: unknown, token = SERVICE_TOKEN) =>
      fetch(url('/api/reports/roster', {}), { method: 'PUT', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const rosterCsv = ['interval_start,agents', `${iso(Q0)},4`, `${iso(Q1)},1`, `${iso(Q3)},3`].join('\n');
    const stored = await put({ shop: SHOP, source: 'live', interval: '15m', rosterCsv });
    expect(stored.status, await stored.clone().text()).toBe(200);
    expect(rosterStoredSchema.parse(await stored.json())).toEqual({ stored: 3 });
    // Uploading an interval again replaces it.
    expect((await put({ shop: SHOP, source: 'live', interval: '15m', roster: [{ intervalStart: iso(Q0), agents: 6 }] })).status).toBe(200);
    expect((await put({ shop: SHOP, source: 'live', interval: '15m', rosterCsv }, 'not-the-service-token')).status).toBe(401);
    const misaligned = await put({ shop: SHOP, source: 'live', interval: '15m', roster: [{ intervalStart: iso(Q0 + 5 * MIN), agents: 2 }] });
    expect(misaligned.status).toBe(400);

    const r = await report(query);
    expect(r.current.intervals.map((row) => row.roster?.onShift ?? null)).toEqual([6, 1, null, 3]);
    // ⌊6 × 0.7⌋ = 4 on chat, 5 handoffs in 15 minutes at 300 s.
    expect(r.current.intervals[0]!.roster!.serviceLevel).toBe(evaluateStaffing({ chatsPerHour: 20, ahtSec: 300, concurrency: 3 }, 4, 20).serviceLevel);
    // Another source has no roster.
    expect((await report({ ...query, source: 'rehearsal' })).current.intervals.every((row) => row.roster === null)).toBe(true);

    // Now: the quarter-hour (else the hour) of the stored roster, in the snapshot's agents needed now.
    const now = Date.now();
    expect((await put({ shop: SHOP, source: 'live', interval: '1h', roster: [{ intervalStart: iso(Math.floor(now / HOUR) * HOUR), agents: 9 }] })).status).toBe(200);
    const snapshotNow = async () => {
      const response = await fetch(url('/api/metrics/snapshot', { shop: SHOP, window: '5m', source: 'live' }), { headers: kiosk });
      expect(response.status, await response.clone().text()).toBe(200);
      return liveSnapshotSchema.parse(await response.json()).agentsNow;
    };
    expect((await snapshotNow()).onShift).toBe(9);
    const quarter = Math.floor(Date.now() / (15 * MIN)) * 15 * MIN;
    expect((await put({ shop: SHOP, source: 'live', interval: '15m', roster: [{ intervalStart: iso(quarter), agents: 7 }] })).status).toBe(200);
    expect((await snapshotNow()).onShift).toBe(7);
  });
});
