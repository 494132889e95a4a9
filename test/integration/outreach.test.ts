/**
 * What outreach earns, through real parts (issue 22): outreach, follow-ups and orders go through the dev
 * broker and ingest into the dev store; `readOutreachFigures`, the outreach report (JSON and CSV) and the live
 * snapshot's tile must equal DESIGN.md's attribution recomputed in TypeScript from the events produced
 * (test/support/outreach-reference.ts), and the hand-counted tricky cases besides. Then an agent works the
 * follow-up list: marking one done produces a `follow_up_done` in the agent's name, and the list drops it.
 */
import {
  OUTREACH_SCENARIOS,
  followUpDoneResponseSchema,
  followUpsListSchema,
  liveSnapshotSchema,
  outreachReportSchema,
  userSchema,
  type ChatEvent,
  type LiveSnapshot,
  type OutreachReport,
  type OutreachScenario,
} from '@warroom/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { readOutreachBreakdown, readOutreachFigures } from '../../apps/api/src/repositories/outreach.repository';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { referenceOutreach, type ReferenceRange } from '../support/outreach-reference';
import { KIOSK_TOKEN, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const HOUR = 3_600_000;
const MIN = 60_000;
const DAY_WINDOW = 24 * HOUR;
const NOW = Date.now();
/** The report's range: whole hours from 30 h ago to the end of this hour, so orders past a 24 h window fit in it. */
const FROM = Math.floor((NOW - 30 * HOUR) / HOUR) * HOUR;
const TO = Math.floor(NOW / HOUR) * HOUR + HOUR;
const T0 = FROM + HOUR;
const iso = (ms: number): string => new Date(ms).toISOString();

const SHOP = 'shop-out';
const OTHER_SHOP = 'shop-other';
const BULK_SHOP = 'shop-bulk';
const NOW_SHOP = 'shop-now';
let sequence = 0;

interface Where {
  shop?: string;
  source?: 'live' | 'rehearsal';
}

function base(session: string, customer: string, at: number, where: Where = {}) {
  sequence += 1;
  return {
    v: 1 as const,
    eventId: `outreach-${sequence}`,
    eventTime: iso(at),
    source: where.source ?? 'live',
    campaignId: 'outreach-test',
    shopId: where.shop ?? SHOP,
    sessionId: session,
    customerId: customer,
    channel: 'app' as const,
    mode: 'bot' as const,
  };
}

const outreach = (session: string, customer: string, at: number, scenario: OutreachScenario, where?: Where): ChatEvent => ({
  ...base(session, customer, at, where),
  kind: 'outreach',
  scenario,
  intentScore: 0.8,
  text: '您看中的商品库存不多了，现在下单可以用券',
});
const followUpOpen = (session: string, customer: string, at: number, scenario: OutreachScenario, intentScore: number, where?: Where): ChatEvent => ({
  ...base(session, customer, at, where),
  kind: 'follow_up_open',
  scenario,
  intentScore,
});
const followUpDone = (session: string, customer: string, at: number, scenario: OutreachScenario, followUpEventId: string, where?: Where): ChatEvent => ({
  ...base(session, customer, at, where),
  kind: 'follow_up_done',
  agentId: 'agent-7',
  scenario,
  result: 'reached',
  followUpEventId,
});
const order = (customer: string, at: number, amountCents: number, where?: Where): ChatEvent => ({
  ...base(`order-${customer}-${at}`, customer, at, where),
  kind: 'order',
  orderId: `o-${sequence}`,
  amountCents,
});

/**
 * The tricky cases, in SHOP (hand-counted below):
 * c1 orders before its only touch; c2 gets an outreach then a follow-up, then one order (the outreach's: first
 * touch wins); c3 orders 25 h after its outreach (past the window); c4's follow-up is followed by an order in
 * another shop; c5 orders twice after one follow-up; c6's outreach came before the range and its order in the
 * range after a follow-up in it (the order is the earlier outreach's, so the range's follow-up earned nothing);
 * c7 is a rehearsal. fo1 stays open; fo5 is c5's, done.
 */
function trickyEvents(): { events: ChatEvent[]; openId: string } {
  const fo1 = followUpOpen('s8', 'c8', T0 + HOUR, 'unpaid_order', 0.7);
  const fo5 = followUpOpen('s5', 'c5', T0 + 4 * HOUR, 'coupon_expiring', 0.9);
  const events = [
    order('c1', T0 + HOUR, 1_000),
    outreach('s1', 'c1', T0 + 2 * HOUR, 'hesitating'),
    outreach('s2', 'c2', T0 + HOUR, 'hesitating'),
    followUpDone('s2b', 'c2', T0 + 2 * HOUR, 'unpaid_order', 'none'),
    order('c2', T0 + 3 * HOUR, 2_000),
    outreach('s3', 'c3', T0, 'out_of_stock'),
    order('c3', T0 + 25 * HOUR, 4_000),
    followUpDone('s4', 'c4', T0 + 4 * HOUR, 'repurchase', 'none'),
    order('c4', T0 + 5 * HOUR, 8_000, { shop: OTHER_SHOP }),
    fo5,
    followUpDone('s5', 'c5', T0 + 5 * HOUR, 'coupon_expiring', fo5.eventId),
    order('c5', T0 + 6 * HOUR, 16_000),
    order('c5', T0 + 7 * HOUR, 32_000),
    outreach('s6', 'c6', FROM - 2 * HOUR, 'hesitating'),
    followUpDone('s6b', 'c6', FROM + HOUR, 'hesitating', 'none'),
    order('c6', FROM + 2 * HOUR, 64_000),
    outreach('s7', 'c7', T0 + HOUR, 'hesitating', { source: 'rehearsal' }),
    order('c7', T0 + 2 * HOUR, 128_000, { source: 'rehearsal' }),
    fo1,
  ];
  return { events, openId: fo1.eventId };
}

/** A seeded mix in BULK_SHOP: customers touched zero to three times in shared or own sessions, ordering zero to two times. */
function bulkEvents(): ChatEvent[] {
  let seed = 22;
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const events: ChatEvent[] = [];
  for (let c = 0; c < 60; c += 1) {
    const customer = `b${c}`;
    for (let k = Math.floor(random() * 4); k > 0; k -= 1) {
      const at = FROM - 2 * HOUR + Math.floor(random() * (NOW - 2 * MIN - (FROM - 2 * HOUR)));
      const session = `bs-${c}-${k % 2}`;
      const scenario = pick(OUTREACH_SCENARIOS);
      events.push(random() < 0.5 ? outreach(session, customer, at, scenario, { shop: BULK_SHOP }) : followUpDone(session, customer, at, scenario, 'none', { shop: BULK_SHOP }));
    }
    for (let k = Math.floor(random() * 3); k > 0; k -= 1) {
      events.push(order(customer, FROM + Math.floor(random() * (NOW - 2 * MIN - FROM)), 100 + Math.floor(random() * 50_000), { shop: BULK_SHOP }));
    }
  }
  return events;
}

/** Touches in the last half hour in NOW_SHOP, for the wall's 60-minute window. */
function recentEvents(): ChatEvent[] {
  const where = { shop: NOW_SHOP };
  return [
    outreach('n1', 'n1', NOW - 30 * MIN, 'hesitating', where),
    order('n1', NOW - 25 * MIN, 5_000, where),
    outreach('n2', 'n2', NOW - 20 * MIN, 'unpaid_order', where),
    followUpDone('n3', 'n3', NOW - 15 * MIN, 'repurchase', 'none', where),
    order('n3', NOW - 10 * MIN, 7_000, where),
    order('n3', NOW - 9 * MIN, 3_000, where),
    followUpOpen('n4', 'n4', NOW - 8 * MIN, 'hesitating', 0.6, where),
  ];
}

describe('outreach attribution', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  const apiLog = oneTimePasswordCatcher();
  const all: ChatEvent[] = [];
  let openId = '';
  let manager = { authorization: '' };
  let agent = { authorization: '' };
  const get = (path: string, params: Record<string, string>, headers: Record<string, string>): Promise<Response> =>
    fetch(`${api.url}${path}?${new URLSearchParams(params).toString()}`, { headers });
  const range = (shop: string, windowMs = DAY_WINDOW): ReferenceRange => ({ source: 'live', shop, fromMs: FROM, toMs: TO, windowMs });

  beforeAll(async () => {
    const p = pipeline();
    api = await p.startApp('ingest,api', {}, { onLog: apiLog.onLog });
    const tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'mia', displayName: 'Mia', role: 'manager' },
      { login: 'ann', displayName: 'Ann', role: 'agent' },
    ]);
    manager = { authorization: `Bearer ${tokens.mia!}` };
    agent = { authorization: `Bearer ${tokens.ann!}` };
    const tricky = trickyEvents();
    openId = tricky.openId;
    // A question in fo1's session: the follow-up list shows it, masked.
    const asked = questionEvent({ ...base('s8', 'c8', T0 + HOUR - MIN), kind: 'question', text: '我的手机号13812345678，订单还没付款' });
    all.push(...tricky.events, asked, ...bulkEvents(), ...recentEvents());
    await p.produce(all.map((e) => ({ key: e.sessionId, value: JSON.stringify(e) })));
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= all.length,
      90_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${all.length}`,
    );
  });

  it('counts the tricky cases by hand: first touch wins, each order once, nothing past the window, from another shop or source', async () => {
    const { clickhouse } = pipeline();
    const breakdown = await readOutreachBreakdown(clickhouse, { shop: SHOP, source: 'live', from: new Date(FROM), to: new Date(TO) });
    expect(breakdown.total.bot).toEqual({ touches: 3, sessions: 3, converted: 1, rate: 1 / 3, orders: 1, amountCents: 2_000 });
    expect(breakdown.total.agent).toEqual({ touches: 4, sessions: 4, converted: 1, rate: 1 / 4, orders: 2, amountCents: 48_000 });
    expect(await readOutreachFigures(clickhouse, { shop: SHOP, source: 'live', from: new Date(FROM), to: new Date(TO) })).toEqual({
      outreachSent: 3,
      outreachSessions: 3,
      followUps: 4,
      botOutreachConversion: 1 / 3,
      humanFollowUpConversion: 1 / 4,
      followUpsOpen: 1,
    });
  });

  it('equals the attribution recomputed from the events, for every shop, per scenario and per hour, and with a shorter window', async () => {
    const { clickhouse } = pipeline();
    for (const shop of [SHOP, BULK_SHOP, 'all']) {
      for (const windowMs of [DAY_WINDOW, 3 * HOUR]) {
        const expected = referenceOutreach(all, range(shop, windowMs));
        const actual = await readOutreachBreakdown(clickhouse, { shop, source: 'live', from: new Date(FROM), to: new Date(TO), attributionWindowMs: windowMs });
        const label = `${shop}, window ${windowMs / HOUR} h`;
        expect(actual.total, label).toEqual(expected.total);
        for (const scenario of OUTREACH_SCENARIOS) {
          expect(actual.byScenario.get(scenario), `${label}, ${scenario}`).toEqual(expected.byScenario.get(scenario) ?? emptySides());
        }
        expect(new Map([...actual.byHour].sort(([a], [b]) => a - b)), label).toEqual(new Map([...expected.byHour].sort(([a], [b]) => a - b)));
      }
    }
    const bulk = referenceOutreach(all, range(BULK_SHOP));
    // The seeded mix must exercise what it is for: conversions on both sides, and sessions touched twice.
    expect(bulk.total.bot.converted).toBeGreaterThan(0);
    expect(bulk.total.agent.converted).toBeGreaterThan(0);
    expect(bulk.total.bot.touches + bulk.total.agent.touches).toBeGreaterThan(bulk.total.bot.sessions + bulk.total.agent.sessions);
  });

  it("serves the same figures as the manager's report and its CSV", async () => {
    const params = { shop: BULK_SHOP, source: 'live', from: iso(FROM), to: iso(TO) };
    const response = await get('/api/reports/outreach', params, manager);
    expect(response.status, await response.clone().text()).toBe(200);
    const report: OutreachReport = outreachReportSchema.parse(await response.json());
    const expected = referenceOutreach(all, range(BULK_SHOP));
    expect(report.total).toEqual({ ...expected.total, followUpsOpen: expected.followUpsOpen });
    expect(report.byHour).toHaveLength((TO - FROM) / HOUR);
    for (const row of report.byHour) {
      const { hourStart, ...sides } = row;
      expect(sides, hourStart).toEqual(expected.byHour.get(Date.parse(hourStart)) ?? emptySides());
    }
    const csv = await get('/api/reports/outreach.csv', params, manager);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines).toHaveLength(1 + 1 + OUTREACH_SCENARIOS.length + (TO - FROM) / HOUR);
    const [header, total] = lines.map((line) => line.split(','));
    const column = (name: string): string => total![header!.indexOf(name)]!;
    expect(column('bot_sessions')).toBe(String(expected.total.bot.sessions));
    expect(column('agent_amount_cents')).toBe(String(expected.total.agent.amountCents));
    // A trainer does not read reports; a range that is not whole hours is the request's fault.
    expect((await get('/api/reports/outreach', params, agent)).status).toBe(403);
    expect((await get('/api/reports/outreach', { ...params, from: iso(FROM + 1) }, manager)).status).toBe(400);
  });

  it("shows the wall's tile over the snapshot's window", async () => {
    let snapshot: LiveSnapshot | undefined;
    await waitFor(
      async () => {
        const response = await get('/api/metrics/snapshot', { shop: NOW_SHOP, window: '60m', source: 'live' }, { authorization: `Bearer ${KIOSK_TOKEN}` });
        if (response.status !== 200) return false;
        snapshot = liveSnapshotSchema.parse(await response.json());
        return snapshot.outreach.bot.touches > 0;
      },
      60_000,
      () => `no snapshot with outreach (last: ${JSON.stringify(snapshot?.outreach)})`,
    );
    if (!snapshot) throw new Error('no snapshot');
    const expected = referenceOutreach(all, { source: 'live', shop: NOW_SHOP, fromMs: Date.parse(snapshot.windowStart), toMs: Date.parse(snapshot.windowEnd), windowMs: DAY_WINDOW });
    expect(snapshot.outreach).toEqual({ asOf: snapshot.outreach.asOf, ...expected.total, followUpsOpen: expected.followUpsOpen });
    expect(snapshot.outreach.bot).toMatchObject({ sessions: 2, converted: 1, orders: 1, amountCents: 5_000 });
    expect(snapshot.outreach.agent).toMatchObject({ sessions: 1, converted: 1, orders: 2, amountCents: 10_000 });
  });

  it("lets an agent work the follow-up list: masked, ordered, marked done in the agent's name", async () => {
    const { clickhouse } = pipeline();
    const listed = async (): Promise<ReturnType<typeof followUpsListSchema.parse>> => {
      const response = await get('/api/follow-ups', { shop: SHOP, source: 'live' }, agent);
      expect(response.status, await response.clone().text()).toBe(200);
      return followUpsListSchema.parse(await response.json());
    };
    const before = await listed();
    expect(before.followUps.map((f) => f.id)).toEqual([openId]);
    expect(before.followUps[0]!.lastQuestion).not.toContain('13812345678');
    expect(before.followUps[0]!.lastQuestion).toContain('订单还没付款');
    const everyShop = followUpsListSchema.parse(await (await get('/api/follow-ups', { source: 'live' }, agent)).json());
    expect(everyShop.followUps.map((f) => f.id)).toEqual([openId, all.find((e) => e.kind === 'follow_up_open' && e.shopId === NOW_SHOP)!.eventId]);

    const mark = (id: string, body: unknown): Promise<Response> =>
      fetch(`${api.url}/api/follow-ups/${encodeURIComponent(id)}/done`, { method: 'POST', headers: { ...agent, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await mark(openId, { result: 'maybe' })).status).toBe(400);
    expect((await mark('no-such-follow-up', { result: 'reached' })).status).toBe(404);
    const done = await mark(openId, { result: 'reached' });
    expect(done.status, await done.clone().text()).toBe(200);
    const { eventId } = followUpDoneResponseSchema.parse(await done.json());

    const me = userSchema.parse(await (await fetch(`${api.url}/api/auth/me`, { headers: agent })).json());
    await waitFor(async () => (await listed()).followUps.length === 0, 30_000, () => 'the follow-up is still listed');
    const stored = await clickhouse.query({
      query: 'SELECT kind, agent_id, outcome, ref_event_id, scenario, session_id FROM chat_events WHERE event_id = {id:String}',
      query_params: { id: eventId },
      format: 'JSONEachRow',
    });
    expect(await stored.json()).toEqual([
      { kind: 'follow_up_done', agent_id: me.userId, outcome: 'reached', ref_event_id: openId, scenario: 'unpaid_order', session_id: 's8' },
    ]);
    expect((await mark(openId, { result: 'reached' })).status).toBe(409);
    expect((await readOutreachFigures(clickhouse, { shop: SHOP, source: 'live', from: new Date(FROM), to: new Date(TO) })).followUpsOpen).toBe(0);
  });
});

function emptySides() {
  const none = { touches: 0, sessions: 0, converted: 0, rate: null, orders: 0, amountCents: 0 };
  return { bot: { ...none }, agent: { ...none } };
}
