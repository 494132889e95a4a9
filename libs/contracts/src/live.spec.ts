import { describe, expect, it } from 'vitest';
import { EMOTIONS, HANDOFF_REASONS } from './chat-event';
import {
  clientFrameSchema,
  liveProtocols,
  liveSnapshotSchema,
  serverFrameSchema,
  snapshotQuerySchema,
  tokenFromLiveProtocols,
  type LiveSnapshot,
} from './live';

const AS_OF = '2026-11-11T00:00:00.400Z';

function snapshot(): LiveSnapshot {
  return {
    asOf: AS_OF,
    shop: 'all',
    window: '5m',
    source: 'live',
    windowStart: '2026-11-10T23:55:01.000Z',
    windowEnd: '2026-11-11T00:00:01.000Z',
    questions: 10,
    botModeQuestions: 8,
    answered: 6,
    hitRate: 0.75,
    questionsPerMinute: 2,
    modes: { bot: 8, assist: 2 },
    stages: { pre_sale: 5, in_sale: 3, after_sale: 1, unspecified: 1 },
    unmatchedQueries: 2,
    unmatchedShare: 0.2,
    handoffs: {
      count: 1,
      rate: 0.125,
      byReason: Object.fromEntries(HANDOFF_REASONS.map((reason) => [reason, { count: reason === 'no_match' ? 1 : 0, rate: reason === 'no_match' ? 0.125 : 0 }])) as LiveSnapshot['handoffs']['byReason'],
    },
    topQuestions: [{ answerId: 'delivery-time', wording: '什么时候发货', title: '什么时候发货', count: 4, share: 0.4, previousCount: 2, trend: 1, hitRate: 0.8 }],
    newestUnmatched: [
      {
        eventId: 'e1',
        eventTime: '2026-11-10T23:59:59.000Z',
        shopId: 'shop-a',
        text: '电话[手机号]',
        outcome: 'handoff',
        handoffReason: 'no_match',
        bestCandidateId: null,
      },
    ],
    emotions: Object.fromEntries(EMOTIONS.map((emotion) => [emotion, { count: 0, share: 0, meanIntensity: null }])) as LiveSnapshot['emotions'],
    conversion: {
      asOf: AS_OF,
      bot: { sessions: 5, converted: 1, rate: 0.2 },
      agent: { sessions: 0, converted: 0, rate: null },
    },
    outreach: {
      asOf: AS_OF,
      bot: { touches: 40, sessions: 38, converted: 7, rate: 7 / 38, orders: 8, amountCents: 129_900 },
      agent: { touches: 20, sessions: 20, converted: 2, rate: 0.1, orders: 2, amountCents: 39_800 },
      followUpsOpen: 3,
    },
    timeToPatch: { verified: 2, medianMs: 90_000, p90Ms: 240_000 },
    agentsNow: {
      asOf: AS_OF,
      windowStart: '2026-11-10T23:45:00.000Z',
      windowEnd: '2026-11-11T00:00:00.000Z',
      conversations: 40,
      handoffs: 6,
      abandons: 1,
      ahtSec: 180,
      ahtBasis: '15m',
      withBot: 3,
      withoutBot: 9,
      savedByBot: 6,
      onShift: null,
    },
    campaign: {
      id: 'double11-2026',
      name: '双11',
      startsAt: '2026-11-10T12:00:00.000Z',
      endsAt: '2026-11-11T16:00:00.000Z',
      currentMoment: { label: '00:00 开售', at: '2026-11-10T16:00:00.000Z' },
      nextMoment: { label: '20:00 尾款', at: '2026-11-11T12:00:00.000Z' },
      planQuestionsPerMinute: 2.5,
      planTrend: [{ at: '2026-11-11T00:00:00.000Z', questionsPerMinute: 2.5 }],
    },
  };
}

describe('live contracts', () => {
  it('accepts a full snapshot and a snapshot frame', () => {
    expect(liveSnapshotSchema.parse(snapshot())).toEqual(snapshot());
    expect(serverFrameSchema.parse({ event: 'snapshot', data: snapshot() }).event).toBe('snapshot');
  });

  it('refuses what the wall must never be shown', () => {
    const bad: [string, (s: LiveSnapshot) => unknown][] = [
      ['a rate above 1', (s) => ({ ...s, hitRate: 1.2 })],
      ['a missing emotion', (s) => ({ ...s, emotions: { ...s.emotions, angry: undefined } })],
      ['a missing reason', (s) => ({ ...s, handoffs: { ...s.handoffs, byReason: { no_match: s.handoffs.byReason.no_match } } })],
      ['eleven top questions', (s) => ({ ...s, topQuestions: Array.from({ length: 11 }, () => s.topQuestions[0]) })],
      ['a negative count', (s) => ({ ...s, questions: -1 })],
      ['an unknown field', (s) => ({ ...s, extra: 1 })],
      ['a negative plan', (s) => ({ ...s, campaign: { ...s.campaign!, planQuestionsPerMinute: -1 } })],
      ['a trend below -100 %', (s) => ({ ...s, topQuestions: [{ ...s.topQuestions[0], trend: -2 }] })],
    ];
    for (const [name, change] of bad) {
      expect(liveSnapshotSchema.safeParse(change(snapshot())).success, name).toBe(false);
    }
  });

  it('defaults a query to all shops, 5 minutes, live, and checks subscribe frames', () => {
    expect(snapshotQuerySchema.parse({})).toEqual({ shop: 'all', window: '5m', source: 'live' });
    expect(clientFrameSchema.safeParse({ event: 'subscribe', data: { window: '7m' } }).success).toBe(false);
    expect(snapshotQuerySchema.safeParse({ shop: 'shop a' }).success).toBe(false);
  });
});

describe('the /live token subprotocol', () => {
  it('carries any token, session or kiosk, as a valid subprotocol and back', () => {
    for (const token of ['v1.eyJ1IjoidS0xIn0.c2lnbmF0dXJl', 'kiosk token with spaces/+=?&', '大屏-令牌-0123456789']) {
      const [live, carried] = liveProtocols(token);
      expect(live).toBe('warroom.live');
      // RFC 6455 subprotocols are HTTP tokens: no separators, spaces or non-ASCII.
      expect(carried).toMatch(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/);
      expect(tokenFromLiveProtocols(`${live}, ${carried}`)).toEqual({ token });
    }
  });

  it('finds no token when none is offered, and reports one that does not decode', () => {
    expect(tokenFromLiveProtocols(undefined)).toBeNull();
    expect(tokenFromLiveProtocols('warroom.live, graphql-ws')).toBeNull();
    const errorOf = (header: string): string => {
      const found = tokenFromLiveProtocols(header);
      return found !== null && 'error' in found ? found.error : `no error: ${JSON.stringify(found)}`;
    };
    expect(errorOf('warroom.live, warroom.token.a/b')).toMatch(/base64url/);
    expect(errorOf('warroom.live, warroom.token.A')).toMatch(/does not decode/); // a length no encoder makes
    expect(errorOf('warroom.token.__8')).toMatch(/does not decode/); // bytes ff ff: not UTF-8
  });
});
