import { liveSnapshotSchema, type LiveSnapshot } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import {
  conversionFigures,
  emotionFigures,
  figuresKey,
  questionFigures,
  topQuestionFigures,
  unmatchedFigures,
  WORDING_MAX_CHARS,
  windowBounds,
} from './live-figures';

const at = (iso: string): Date => new Date(iso);

describe('windowBounds', () => {
  it('ends with the second of asOf and spans the window in whole seconds', () => {
    const bounds = windowBounds('5m', at('2026-11-11T00:00:00.400Z'), null);
    expect(bounds).toEqual({ from: at('2026-11-10T23:55:01.000Z'), to: at('2026-11-11T00:00:01.000Z') });
    expect(windowBounds('1m', at('2026-11-11T00:00:59.999Z'), null)).toEqual({
      from: at('2026-11-11T00:00:00.000Z'),
      to: at('2026-11-11T00:01:00.000Z'),
    });
  });

  it('starts the campaign window at the campaign start, rounded down, and empty before it starts', () => {
    const start = at('2026-11-10T20:00:00.750Z');
    expect(windowBounds('campaign', at('2026-11-11T00:00:00.400Z'), start)).toEqual({
      from: at('2026-11-10T20:00:00.000Z'),
      to: at('2026-11-11T00:00:01.000Z'),
    });
    const early = windowBounds('campaign', at('2026-11-10T19:00:00.000Z'), start);
    expect(early.from).toEqual(early.to);
    expect(() => windowBounds('campaign', at('2026-11-11T00:00:00.000Z'), null)).toThrow(/campaign start/);
  });
});

/** A row of the rollup's outcome facet, with what the store's metric definitions count of it. */
const row = (mode: string, stage: string, outcome: string, handoffReason: string, questions: number) => ({
  mode,
  stage,
  outcome,
  handoffReason,
  questions,
  botModeQuestions: mode === 'bot' ? questions : 0,
  botAnswered: mode === 'bot' && outcome === 'answered' ? questions : 0,
  questionsHandedOff: mode === 'bot' && outcome === 'handoff' ? questions : 0,
  unmatchedQueries: outcome === 'unmatched' || (outcome === 'handoff' && handoffReason === 'no_match') ? questions : 0,
});

describe('questionFigures', () => {
  const bounds = { from: at('2026-11-11T00:00:00Z'), to: at('2026-11-11T00:05:00Z') };
  it('counts hit rate and handoffs over bot mode, unmatched queries over every mode', () => {
    const figures = questionFigures(
      [
        row('bot', 'pre_sale', 'answered', '', 60),
        row('bot', 'in_sale', 'unmatched', '', 10),
        row('bot', '', 'handoff', 'no_match', 5),
        row('bot', 'after_sale', 'handoff', 'negative_emotion', 5),
        row('assist', 'pre_sale', 'handoff', 'assist_mode', 15),
        row('assist', 'pre_sale', 'handoff', 'no_match', 3),
        row('assist', 'in_sale', 'answered', '', 2),
      ],
      bounds,
    );
    expect(figures).toEqual({
      questions: 100,
      botModeQuestions: 80,
      answered: 60,
      hitRate: 0.75,
      questionsPerMinute: 20,
      modes: { bot: 80, assist: 20 },
      stages: { pre_sale: 78, in_sale: 12, after_sale: 5, unspecified: 5 },
      unmatchedQueries: 18,
      unmatchedShare: 0.18,
      handoffs: {
        count: 10,
        rate: 0.125,
        byReason: {
          customer_request: { count: 0, rate: 0 },
          no_match: { count: 5, rate: 0.0625 },
          negative_emotion: { count: 5, rate: 0.0625 },
          assist_mode: { count: 0, rate: 0 },
        },
      },
    });
    // Every bot-mode question has one outcome.
    expect(figures.answered + 10 + figures.handoffs.count).toBe(figures.botModeQuestions);
  });

  it('says null, not 0, for rates without a denominator', () => {
    const figures = questionFigures([row('assist', 'pre_sale', 'handoff', 'assist_mode', 4)], bounds);
    expect(figures.hitRate).toBeNull();
    expect(figures.handoffs.rate).toBeNull();
    expect(figures.handoffs.byReason.no_match.rate).toBeNull();
    expect(questionFigures([], bounds)).toMatchObject({ questions: 0, questionsPerMinute: 0, unmatchedShare: null });
    expect(questionFigures([], { from: bounds.to, to: bounds.to }).questionsPerMinute).toBe(0);
  });
});

describe('emotionFigures', () => {
  it('lists every emotion with its share and mean intensity', () => {
    const figures = emotionFigures(
      [
        { emotion: 'angry', questions: 2, intensitySum: 1.5 },
        { emotion: 'neutral', questions: 6, intensitySum: 1.2 },
      ],
      10,
    );
    expect(figures.angry).toEqual({ count: 2, share: 0.2, meanIntensity: 0.75 });
    expect(figures.neutral.meanIntensity).toBeCloseTo(0.2, 12);
    expect(figures.grateful).toEqual({ count: 0, share: 0, meanIntensity: null });
    expect(Object.keys(figures)).toHaveLength(7);
    expect(emotionFigures([], 0).angry).toEqual({ count: 0, share: null, meanIntensity: null });
  });
});

describe('topQuestionFigures', () => {
  it('gives share of all questions, trend against the previous window and the answer’s own hit rate', () => {
    expect(
      topQuestionFigures(
        [
          { answerId: 'delivery-time', answered: 30, previousAnswered: 20, botQuestions: 40, botAnswered: 30 },
          { answerId: 'invoice', answered: 5, previousAnswered: 0, botQuestions: 0, botAnswered: 0 },
        ],
        100,
      ),
    ).toEqual([
      { answerId: 'delivery-time', wording: null, title: null, count: 30, share: 0.3, previousCount: 20, trend: 0.5, hitRate: 0.75 },
      { answerId: 'invoice', wording: null, title: null, count: 5, share: 0.05, previousCount: 0, trend: null, hitRate: null },
    ]);
  });

  it('shows the customers’ wording masked and cut to a wall line, with the answer’s title', () => {
    const long = `${'快'.repeat(200)}😀`;
    const [phone, cut, untitled] = topQuestionFigures(
      [
        { answerId: 'delivery-time', answered: 3, previousAnswered: 0, botQuestions: 3, botAnswered: 3 },
        { answerId: 'invoice', answered: 2, previousAnswered: 0, botQuestions: 2, botAnswered: 2 },
        { answerId: 'gifts', answered: 1, previousAnswered: 0, botQuestions: 1, botAnswered: 1 },
      ],
      6,
      new Map([
        ['delivery-time', { wording: '我电话13812345678 什么时候发货', title: '几天能到' }],
        ['invoice', { wording: `😀${long}`, title: '能开发票吗' }],
        ['gifts', { wording: '有赠品吗', title: null }],
      ]),
    );
    expect(phone?.wording).not.toContain('13812345678');
    expect(phone?.wording).toContain('什么时候发货');
    expect(phone?.title).toBe('几天能到');
    expect([...(cut?.wording ?? '')]).toHaveLength(WORDING_MAX_CHARS);
    expect(cut?.wording?.startsWith('😀快')).toBe(true);
    expect(cut?.wording?.endsWith('…')).toBe(true);
    expect(untitled).toMatchObject({ wording: '有赠品吗', title: null });
  });
});

describe('unmatchedFigures', () => {
  it('masks the text and keeps the reason only for handoffs', () => {
    expect(
      unmatchedFigures([
        {
          eventId: 'e1',
          eventTimeMs: Date.parse('2026-11-11T00:00:01.250Z'),
          shopId: 'shop-a',
          text: '电话13812345678',
          outcome: 'handoff',
          handoffReason: 'no_match',
          bestCandidateId: '',
        },
        { eventId: 'e2', eventTimeMs: 0, shopId: 'shop-b', text: '能改地址吗', outcome: 'unmatched', handoffReason: '', bestCandidateId: 'address' },
      ]),
    ).toEqual([
      {
        eventId: 'e1',
        eventTime: '2026-11-11T00:00:01.250Z',
        shopId: 'shop-a',
        text: '电话[手机号]',
        outcome: 'handoff',
        handoffReason: 'no_match',
        bestCandidateId: null,
      },
      {
        eventId: 'e2',
        eventTime: '1970-01-01T00:00:00.000Z',
        shopId: 'shop-b',
        text: '能改地址吗',
        outcome: 'unmatched',
        handoffReason: null,
        bestCandidateId: 'address',
      },
    ]);
  });
});

describe('figuresKey', () => {
  const bounds = { from: at('2026-11-11T00:00:00Z'), to: at('2026-11-11T00:05:00Z') };
  const snapshot = (asOf: string, answered: number): LiveSnapshot =>
    liveSnapshotSchema.parse({
      asOf,
      shop: 'all',
      window: '5m',
      source: 'live',
      windowStart: bounds.from.toISOString(),
      windowEnd: bounds.to.toISOString(),
      ...questionFigures([row('bot', 'pre_sale', 'answered', '', answered)], bounds),
      topQuestions: [],
      newestUnmatched: [],
      emotions: emotionFigures([], answered),
      conversion: conversionFigures({ botSessions: 1, botConverted: 0, agentSessions: 0, agentConverted: 0 }, at(asOf)),
      agentsNow: {
        asOf,
        windowStart: '2026-11-11T00:00:00.000Z',
        windowEnd: bounds.to.toISOString(),
        conversations: 1,
        handoffs: 0,
        abandons: 0,
        ahtSec: null,
        ahtBasis: 'none',
        withBot: 0,
        withoutBot: null,
        savedByBot: null,
        onShift: null,
      },
      outreach: {
        asOf,
        bot: { touches: 2, sessions: 2, converted: 1, rate: 0.5, orders: 1, amountCents: 9_900 },
        agent: { touches: 0, sessions: 0, converted: 0, rate: null, orders: 0, amountCents: 0 },
        followUpsOpen: 0,
      },
      campaign: null,
      timeToPatch: { verified: 0, medianMs: null, p90Ms: null },
    });

  it('ignores the watermark and the window moving, not the figures', () => {
    const a = snapshot('2026-11-11T00:04:00.000Z', 3);
    const b = { ...snapshot('2026-11-11T00:04:01.000Z', 3), windowEnd: '2026-11-11T00:05:01.000Z' };
    expect(figuresKey(a)).toBe(figuresKey(b));
    expect(figuresKey(a)).not.toBe(figuresKey(snapshot('2026-11-11T00:04:00.000Z', 4)));
  });
});
