/**
 * The wall and the staffing report agree (issue 18: one definition per metric). Known sessions go through
 * the dev broker and the ingest process into the dev store; the wall's snapshot (the live metrics query
 * path) and a manager's staffing report are read over ranges that hold exactly those events, and must give
 * the same hit rate and the same handed-off conversations, each also equal to a count by hand. The wall's
 * handed-off questions (a metric of its own: two questions of one conversation count twice) are checked
 * against the hand count too, beside the conversations they came from.
 */
import { liveSnapshotSchema, staffingReportSchema, type ChatEvent, type LiveSnapshot, type StaffingReport } from '@warroom/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const MIN = 60_000;
const QUARTER = 15 * MIN;
const SHOP = 'shop-agree';
const iso = (ms: number): string => new Date(ms).toISOString();

/** Events from 40 minutes ago, 30 s apart: inside the wall's 60-minute window for the whole test. */
const FIRST_AT = Date.now() - 40 * MIN;
let sequence = 0;

function base(session: string, mode: 'bot' | 'assist') {
  sequence += 1;
  return {
    v: 1 as const,
    eventId: `agree-${sequence}`,
    eventTime: iso(FIRST_AT + sequence * 30_000),
    source: 'live' as const,
    campaignId: 'agree-test',
    shopId: SHOP,
    sessionId: session,
    customerId: `customer-${session}`,
    channel: 'app' as const,
    mode,
  };
}

type Outcome = 'answered' | 'unmatched' | 'no_match' | 'customer_request' | 'negative_emotion' | 'assist_mode';

/** A question; a handoff reason as outcome means a question handed off for that reason. */
function question(session: string, outcome: Outcome, mode: 'bot' | 'assist' = 'bot'): ChatEvent {
  const b = base(session, mode);
  if (outcome === 'answered') return questionEvent({ ...b });
  if (outcome === 'unmatched') return questionEvent({ ...b, outcome: 'unmatched', match: undefined, bestCandidate: null });
  return questionEvent({ ...b, outcome: 'handoff', handoffReason: outcome, match: undefined, bestCandidate: null });
}

function handoffEvent(session: string): ChatEvent {
  return { ...base(session, 'bot'), kind: 'handoff', handoffReason: 'customer_request' };
}

/**
 * Bot-mode questions 9, answered 4 (hit rate 4/9). Questions handed off in bot mode: s3, s4, s7 twice = 4.
 * Conversations handed off: s3, s4 (question and event: once), s5 (event only), s6 (assist mode), s7 = 5.
 */
const EVENTS: ChatEvent[] = [
  question('s1', 'answered'),
  question('s1', 'answered'),
  question('s2', 'unmatched'),
  question('s2', 'answered'),
  question('s3', 'no_match'),
  question('s4', 'customer_request'),
  handoffEvent('s4'),
  question('s5', 'answered'),
  handoffEvent('s5'),
  question('s6', 'assist_mode', 'assist'),
  question('s7', 'negative_emotion'),
  question('s7', 'customer_request'),
  question('s8', 'answered', 'assist'),
];
const BY_HAND = { botModeQuestions: 9, answered: 4, questionsHandedOff: 4, conversationsHandedOff: 5 };

describe('the wall and the staffing report', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let producedAt = 0;
  let manager = { authorization: '' };
  const apiLog = oneTimePasswordCatcher();

  beforeAll(async () => {
    const p = pipeline();
    api = await p.startApp('ingest,api', {}, { onLog: apiLog.onLog });
    const tokens = await setUpUsers(api.url!, apiLog.password(), [{ login: 'mia', displayName: 'Mia', role: 'manager' }]);
    manager = { authorization: `Bearer ${tokens.mia!}` };
    await p.produce(EVENTS.map((e) => ({ key: e.sessionId, value: JSON.stringify(e) })));
    producedAt = Date.now();
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= EVENTS.length,
      90_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${EVENTS.length}`,
    );
  });

  /** The wall's snapshot of the last 60 minutes, once its asOf is past every event produced. */
  async function wall(): Promise<LiveSnapshot> {
    const params = new URLSearchParams({ shop: SHOP, window: '60m', source: 'live' });
    let snapshot: LiveSnapshot | undefined;
    await waitFor(
      async () => {
        const response = await fetch(`${api.url}/api/metrics/snapshot?${params.toString()}`, { headers: { authorization: `Bearer ${KIOSK_TOKEN}` } });
        if (response.status !== 200) return false;
        snapshot = liveSnapshotSchema.parse(await response.json());
        return Date.parse(snapshot.asOf) > producedAt;
      },
      60_000,
      () => `no snapshot with asOf after ${iso(producedAt)} (last: ${snapshot?.asOf ?? 'none'})`,
    );
    return snapshot!;
  }

  /** The staffing report over whole quarter-hours from before the wall's window to after now. */
  async function report(windowStartMs: number): Promise<StaffingReport> {
    const params = new URLSearchParams({
      shop: SHOP,
      source: 'live',
      interval: '15m',
      from: iso(Math.floor(windowStartMs / QUARTER) * QUARTER),
      to: iso(Math.floor(Date.now() / QUARTER) * QUARTER + QUARTER),
    });
    const response = await fetch(`${api.url}/api/reports/staffing?${params.toString()}`, { headers: manager });
    expect(response.status, await response.clone().text()).toBe(200);
    return staffingReportSchema.parse(await response.json());
  }

  it('give the same hit rate and handed-off conversations over ranges that hold the same events', async () => {
    const snapshot = await wall();
    const r = await report(Date.parse(snapshot.windowStart));
    // Both ranges hold every event, and nothing else is stored for this shop.
    for (const event of EVENTS) {
      const at = Date.parse(event.eventTime);
      expect(at).toBeGreaterThanOrEqual(Date.parse(snapshot.windowStart));
      expect(at).toBeLessThan(Date.parse(snapshot.windowEnd));
      expect(at).toBeGreaterThanOrEqual(Date.parse(r.current.from));
      expect(at).toBeLessThan(Date.parse(r.current.to));
    }
    const t = r.current.totals;

    expect([snapshot.botModeQuestions, t.botQuestions]).toEqual([BY_HAND.botModeQuestions, BY_HAND.botModeQuestions]);
    expect([snapshot.answered, t.botAnswered]).toEqual([BY_HAND.answered, BY_HAND.answered]);
    expect(snapshot.hitRate).toBe(BY_HAND.answered / BY_HAND.botModeQuestions);
    expect(t.hitRate).toBe(snapshot.hitRate);

    // Conversations handed off: the report's handoffs, and the agents' side of the wall's conversion.
    expect([snapshot.conversion.agent.sessions, t.handoffs]).toEqual([BY_HAND.conversationsHandedOff, BY_HAND.conversationsHandedOff]);
    // Questions handed off: the wall's handoffs, each by its reason.
    expect(snapshot.handoffs.count).toBe(BY_HAND.questionsHandedOff);
    expect(snapshot.handoffs.byReason.no_match.count).toBe(1);
    expect(snapshot.handoffs.byReason.customer_request.count).toBe(2);
    expect(snapshot.handoffs.byReason.negative_emotion.count).toBe(1);
    expect(snapshot.handoffs.byReason.assist_mode.count).toBe(0);
  });
});
