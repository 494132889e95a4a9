import { gapSchema, type Actor } from '@warroom/contracts';
import { TfIdfIndex } from '@warroom/matcher';
import { describe, expect, it } from 'vitest';
import type { GapInput, LifecycleRecord } from '../repositories/gap-records';
import {
  DEFAULT_GAP_ENGINE_SETTINGS,
  GapEngine as Engine,
  evictionVictims,
  gapCost,
  gapIdOf,
  isEstablished,
  quantile,
  suggest,
  type EvictionView,
  type GapChange,
  type GapEngineSettings,
  type Prediction,
} from './gap-engine';

/** A small knowledge base whose IDF makes 怎么, 在哪里, 多少 the common words they are. */
const kb = TfIdfIndex.of([
  ['快递什么时候到', '怎么还没发货', '物流到哪里了', '多久能到'],
  ['怎么开发票', '发票在哪里下载', '可以开专票吗', '发票抬头怎么改'],
  ['怎么退款', '退款多久到账', '退货怎么寄回', '退款到哪里了'],
  ['多少钱', '价格怎么这么贵', '有优惠吗', '怎么领优惠券'],
  ['保修多久', '在哪里保修', '怎么申请保修', '保修要多少钱'],
]);
const represent = (text: string) => kb.weigh(text, true);
class GapEngine extends Engine {
  constructor(settings: GapEngineSettings = DEFAULT_GAP_ENGINE_SETTINGS) {
    super(settings, represent);
  }
}

const T0 = Date.parse('2026-11-11T00:00:00.000Z');
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** The gap a question opened. */
function gapOf(changes: GapChange[]): string {
  const opened = changes.find((change) => change.kind === 'opened');
  if (!opened) throw new Error(`no gap opened: ${JSON.stringify(changes)}`);
  return opened.gapId;
}

/** A small deterministic generator (mulberry32), so a flood is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 8-12 random CJK ideographs: a question unlike any other. */
function garbage(random: () => number): string {
  let text = '';
  const length = 8 + Math.floor(random() * 5);
  for (let i = 0; i < length; i += 1) text += String.fromCodePoint(0x4e00 + Math.floor(random() * 0x5000));
  return text;
}
const ALICE: Actor = { userId: 'u-alice', login: 'alice' };

let sequence = 0;
function question(text: string, overrides: Partial<GapInput> = {}): GapInput {
  sequence += 1;
  return {
    eventId: `e${sequence}`,
    eventTime: T0,
    source: 'live',
    shopId: 'shop-a',
    kind: 'question',
    text,
    handoff: false,
    stage: 'pre_sale',
    sku: null,
    emotion: 'neutral',
    candidate: null,
    questionEventId: null,
    ...overrides,
  };
}

function record(gapId: string, action: LifecycleRecord['action'], overrides: Partial<LifecycleRecord> = {}): LifecycleRecord {
  return {
    actionId: `a-${action}-${gapId}`,
    source: 'live',
    shopId: 'shop-a',
    gapId,
    action,
    at: T0 + 5 * MIN,
    actor: ALICE,
    reason: '',
    target: '',
    answerId: '',
    revision: 0,
    refEventId: '',
    ...overrides,
  };
}

const TRADE_IN = ['以旧换新怎么折算', '以旧换新怎么折算价格', '以旧换新折算多少钱', '旧手机以旧换新怎么折算'];
const SUBSIDY = ['国补资格怎么领取', '国补资格在哪里领取', '国家补贴资格怎么领'];
/** A third topic, asked five times: an established gap by its size. */
const GIFT_CARD = ['礼品卡怎么绑定', '礼品卡绑定失败', '礼品卡绑定到账户', '礼品卡在哪里绑定', '礼品卡怎么绑定到账户'];

describe('GapEngine clustering', () => {
  it('groups questions that mean the same thing and keeps topics apart', () => {
    const engine = new GapEngine();
    for (const text of [...TRADE_IN, ...SUBSIDY]) engine.add(question(text));
    const gaps = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(gaps.map((gap) => gap.volume.total).sort()).toEqual([3, 4]);
    for (const gap of gaps) expect(gapSchema.parse(gap)).toEqual(gap);
  });

  it('keeps sources and shops apart', () => {
    const engine = new GapEngine();
    engine.add(question(TRADE_IN[0]!));
    engine.add(question(TRADE_IN[1]!, { source: 'rehearsal' }));
    engine.add(question(TRADE_IN[2]!, { shopId: 'shop-b' }));
    expect(engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0)).toHaveLength(2);
    expect(engine.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 10 }, T0)).toHaveLength(1);
    expect(engine.list({ source: 'rehearsal', shop: 'all', status: 'active', limit: 10 }, T0)).toHaveLength(1);
  });

  it('gives ids from the first question, so the same events in the same order give the same gaps', () => {
    const inputs = [...TRADE_IN, ...SUBSIDY].map((text, i) => question(text, { eventTime: T0 + i }));
    const a = new GapEngine();
    const b = new GapEngine();
    for (const input of inputs) a.add(input);
    for (const input of inputs) b.add(input);
    const ids = (engine: GapEngine) => engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0).map((gap) => gap.gapId).sort();
    expect(ids(a)).toEqual(ids(b));
    expect(ids(a)).toContain(gapIdOf('live', 'shop-a', inputs[0]!.eventId));
  });

  it('takes each event once', () => {
    const engine = new GapEngine();
    const input = question(TRADE_IN[0]!);
    expect(engine.add(input)).toEqual([{ kind: 'opened', gapId: gapIdOf('live', 'shop-a', input.eventId) }]);
    expect(engine.add(input)).toEqual([]);
    expect(engine.view(gapIdOf('live', 'shop-a', input.eventId), T0)?.volume.total).toBe(1);
  });

  it('never makes a gap of small talk or of text without words', () => {
    const engine = new GapEngine();
    expect(engine.add(question('你好呀', { candidate: { answerId: 'smalltalk.greeting', score: 0.3 } }))).toEqual([]);
    expect(engine.add(question('？？？'))).toEqual([]);
    expect(engine.size).toBe(0);
  });

  it('counts a flag of a question already in a gap as a flag, not a second question', () => {
    const engine = new GapEngine();
    const asked = question(TRADE_IN[0]!, { handoff: true });
    engine.add(asked);
    engine.add(question('客户问以旧换新怎么折算', { kind: 'agent_flag', emotion: null, questionEventId: asked.eventId }));
    const [gap] = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(gap).toMatchObject({ flags: 1, volume: { window: 1, total: 1 } });
    // A flag of a question the bot answered (wrongly) is a question of its own, answered by a person.
    engine.add(question('以旧换新到底怎么折算', { kind: 'agent_flag', emotion: null, questionEventId: 'answered-elsewhere' }));
    expect(engine.view(gap!.gapId, T0)).toMatchObject({ flags: 2, volume: { window: 2, total: 2 }, handoffShare: 1 });
  });

  it('masks customer data in the representative and the examples, and returns raw questions', () => {
    const engine = new GapEngine();
    engine.add(question('以旧换新怎么折算，电话13812345678'));
    engine.add(question('以旧换新怎么折算'));
    const [gap] = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(JSON.stringify(gap)).not.toContain('13812345678');
    expect(gap!.examples).toEqual(['以旧换新怎么折算', '以旧换新怎么折算，电话[手机号]']);
    expect(engine.questionsOf(gap!.gapId)).toEqual(['以旧换新怎么折算', '以旧换新怎么折算，电话13812345678']);
  });
});

describe('GapEngine figures', () => {
  it('computes volume, handoff share, mean emotion weight and cost over the window', () => {
    const engine = new GapEngine();
    engine.add(question(TRADE_IN[0]!, { eventTime: T0 - 90 * MIN, emotion: 'angry' })); // outside the 60-minute window
    engine.add(question(TRADE_IN[1]!, { eventTime: T0 - 30 * MIN, emotion: 'angry', handoff: true, stage: 'after_sale', sku: 'sku-1' }));
    engine.add(question(TRADE_IN[2]!, { eventTime: T0 - 10 * MIN, emotion: 'anxious', sku: 'sku-2' }));
    engine.add(question(TRADE_IN[3]!, { eventTime: T0 - 1 * MIN, emotion: 'neutral', stage: null, sku: 'sku-2' }));
    const [gap] = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(gap).toMatchObject({
      volume: { window: 3, total: 4 },
      stages: { pre_sale: 2, in_sale: 0, after_sale: 1, unspecified: 1 },
      skus: ['sku-2', 'sku-1'],
      firstSeenAt: new Date(T0 - 90 * MIN).toISOString(),
      lastSeenAt: new Date(T0 - MIN).toISOString(),
    });
    expect(gap!.handoffShare).toBeCloseTo(1 / 3);
    expect(gap!.meanEmotionWeight).toBeCloseTo((2 + 1.5 + 1) / 3);
    // 3 × (1 + 1/3) × 1.5 = 6
    expect(gap!.cost).toBeCloseTo(6);
    // An hour later the window is empty: cost 0, the total stays.
    expect(engine.view(gap!.gapId, T0 + 60 * MIN)).toMatchObject({ cost: 0, volume: { window: 0, total: 4 } });
  });

  it('sorts by cost', () => {
    const engine = new GapEngine();
    for (const text of TRADE_IN) engine.add(question(text));
    for (const text of SUBSIDY) engine.add(question(text, { emotion: 'angry' }));
    const gaps = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(gaps.map((gap) => gap.cost)).toEqual([6, 4]);
  });

  it('uses configured emotion weights', () => {
    const engine = new GapEngine({ ...DEFAULT_GAP_ENGINE_SETTINGS, emotionWeights: { ...DEFAULT_GAP_ENGINE_SETTINGS.emotionWeights, angry: 3 } });
    engine.add(question(TRADE_IN[0]!, { emotion: 'angry' }));
    expect(engine.list({ source: 'live', shop: 'all', status: 'active', limit: 1 }, T0)[0]?.cost).toBe(3);
  });

  it('gapCost is DESIGN.md’s formula', () => {
    expect(gapCost(10, 0.5, 1.3)).toBeCloseTo(19.5);
    expect(gapCost(0, 1, 2)).toBe(0);
  });
});

describe('suggest', () => {
  const settings = { suggestMinAgreement: 0.6, suggestMinScore: 0.35 };
  const votes = (entries: [string, number, number][]) => new Map(entries.map(([id, count, scoreSum]) => [id, { count, scoreSum }]));

  it('suggests examples for the answer most questions were nearest to, when its score is high enough', () => {
    expect(suggest({ votes: votes([['invoice', 4, 2], ['refund', 1, 0.3]]), voters: 5 }, settings)).toEqual({ kind: 'add_examples', answerId: 'invoice', score: 0.5 });
  });
  it('suggests a new answer when the questions disagree, score low, or had no candidate', () => {
    expect(suggest({ votes: votes([['invoice', 2, 1], ['refund', 2, 1]]), voters: 4 }, settings)).toEqual({ kind: 'new_answer' });
    expect(suggest({ votes: votes([['invoice', 5, 1]]), voters: 5 }, settings)).toEqual({ kind: 'new_answer' });
    expect(suggest({ votes: votes([['invoice', 2, 1.6]]), voters: 5 }, settings)).toEqual({ kind: 'new_answer' });
    expect(suggest({ votes: votes([]), voters: 3 }, settings)).toEqual({ kind: 'new_answer' });
  });
  it('gives grades from the suggestion', () => {
    const engine = new GapEngine();
    for (const text of TRADE_IN) engine.add(question(text, { candidate: { answerId: 'trade-in', score: 0.5 } }));
    for (const text of SUBSIDY) engine.add(question(text));
    const gaps = engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0);
    expect(gaps.map((gap) => [gap.suggestion.kind, gap.grades])).toEqual([
      ['add_examples', ['assistant', 'junior', 'mid', 'senior']],
      ['new_answer', ['junior', 'mid', 'senior']],
    ]);
  });
});

describe('GapEngine merges', () => {
  /** Two gaps that the clusterer later merges: lower the join threshold so a bridge question joins one. */
  function twoGapsThenBridge(engine: GapEngine): { older: string; younger: string; bridge: () => void } {
    const a = question('以旧换新', { eventTime: T0 });
    const b = question('折算价格', { eventTime: T0 + MIN });
    engine.add(a);
    engine.add(b);
    return {
      older: gapIdOf('live', 'shop-a', a.eventId),
      younger: gapIdOf('live', 'shop-a', b.eventId),
      bridge: () => {
        for (let i = 0; i < 3; i += 1) engine.add(question('以旧换新折算价格', { eventTime: T0 + (2 + i) * MIN }));
      },
    };
  }
  const settings = { ...DEFAULT_GAP_ENGINE_SETTINGS, threshold: 0.3, mergeThreshold: 0.3 };

  it('keeps the older id and lists the merged one; the younger id still finds the gap', () => {
    const engine = new GapEngine(settings);
    const { older, younger, bridge } = twoGapsThenBridge(engine);
    expect(engine.size).toBe(2);
    bridge();
    expect(engine.size).toBe(1);
    const gap = engine.view(younger, T0 + 10 * MIN);
    expect(gap).toMatchObject({ gapId: older, mergedIds: [younger], volume: { total: 5 } });
  });

  it('the older gap keeps its claim; an open survivor takes the claim of the absorbed gap', () => {
    const first = new GapEngine(settings);
    const one = twoGapsThenBridge(first);
    first.applyLifecycle(record(one.older, 'claim'));
    first.applyLifecycle(record(one.younger, 'claim', { actor: { userId: 'u-bob', login: 'bob' } }));
    one.bridge();
    expect(first.view(one.older, T0)?.claimedBy?.actor.login).toBe('alice');

    const second = new GapEngine(settings);
    const two = twoGapsThenBridge(second);
    second.applyLifecycle(record(two.younger, 'claim', { actor: { userId: 'u-bob', login: 'bob' } }));
    two.bridge();
    expect(second.view(two.older, T0)).toMatchObject({ gapId: two.older, status: 'claimed', claimedBy: { actor: { login: 'bob' } } });
  });
});

describe('GapEngine lifecycle and verification', () => {
  function published(): { engine: GapEngine; gapId: string } {
    const engine = new GapEngine();
    const first = question(TRADE_IN[0]!, { eventTime: T0 });
    engine.add(first);
    for (const text of TRADE_IN.slice(1)) engine.add(question(text, { eventTime: T0 + MIN }));
    const gapId = gapIdOf('live', 'shop-a', first.eventId);
    engine.applyLifecycle(record(gapId, 'claim', { at: T0 + 2 * MIN }));
    engine.applyLifecycle(record(gapId, 'publish', { at: T0 + 4 * MIN, target: 'shop:shop-a/trade-in', answerId: 'trade-in', revision: 3 }));
    return { engine, gapId };
  }
  const answered = (text: string, answerId: string, revision: number, overrides = {}) => ({
    eventId: `ans-${text}-${answerId}-${revision}`,
    eventTime: T0 + 5 * MIN,
    source: 'live' as const,
    shopId: 'shop-a',
    text,
    answerId,
    revision,
    ...overrides,
  });

  it('verifies at the first similar question answered by the published answer at that revision or later', () => {
    const { engine, gapId } = published();
    expect(engine.pendingAnswerIds()).toEqual(['trade-in']);
    expect(engine.verification(answered('以旧换新怎么折算', 'trade-in', 2))).toBeNull();
    expect(engine.verification(answered('以旧换新怎么折算', 'other', 3))).toBeNull();
    expect(engine.verification(answered('快递什么时候到', 'trade-in', 3))).toBeNull();
    expect(engine.verification(answered('以旧换新怎么折算', 'trade-in', 3, { shopId: 'shop-b' }))).toBeNull();
    const verify = engine.verification(answered('以旧换新能折算多少', 'trade-in', 4));
    expect(verify).toMatchObject({ gapId, action: 'verify', answerId: 'trade-in', revision: 4, at: T0 + 5 * MIN });
    engine.applyLifecycle({ actionId: 'v', ...verify! });
    expect(engine.view(gapId, T0 + 6 * MIN)).toMatchObject({ status: 'verified', timeToPatchMs: 5 * MIN, verifiedAt: new Date(T0 + 5 * MIN).toISOString() });
    expect(engine.timeToPatch('live', 'all', T0)).toEqual({ verified: 1, medianMs: 5 * MIN, p90Ms: 5 * MIN });
    expect(engine.timeToPatch('rehearsal', 'all', T0)).toEqual({ verified: 0, medianMs: null, p90Ms: null });
    // Verified gaps leave the active list.
    expect(engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0)).toEqual([]);
    expect(engine.list({ source: 'live', shop: 'all', status: 'verified', limit: 10 }, T0)).toHaveLength(1);
  });

  it('refuses what the lifecycle does not allow', () => {
    const { engine, gapId } = published();
    expect(engine.decide(record(gapId, 'claim'))).toMatchObject({ kind: 'conflict' });
    expect(engine.decide(record(gapId, 'publish', { answerId: 'trade-in', revision: 3 }))).toEqual({ kind: 'unchanged' });
    expect(engine.decide(record(gapId, 'dismiss', { reason: 'not a real question' }))).toMatchObject({ kind: 'apply' });
    expect(engine.decide(record('g-unknown', 'claim'))).toBeNull();
  });

  it('expires gaps last seen before the horizon', () => {
    const engine = new GapEngine();
    engine.add(question(TRADE_IN[0]!, { eventTime: T0 }));
    engine.add(question(SUBSIDY[0]!, { eventTime: T0 + 2 * MIN }));
    expect(engine.expire(T0 + MIN, T0 + 2 * MIN)).toHaveLength(1);
    expect(engine.size).toBe(1);
  });

  it('forgets a gap that is not established once it got no question for smallGapTtlMs, and keeps the established ones', () => {
    const engine = new GapEngine();
    const plain = gapOf(engine.add(question(TRADE_IN[0]!)));
    const claimed = gapOf(engine.add(question(SUBSIDY[0]!)));
    engine.applyLifecycle(record(claimed, 'claim'));
    const large = gapOf(engine.add(question(GIFT_CARD[0]!)));
    for (const text of GIFT_CARD.slice(1)) engine.add(question(text));
    const costly = gapOf(engine.add(question('安装师傅迟到了两个小时', { emotion: 'angry', handoff: true })));
    engine.add(question('安装师傅迟到了还不道歉', { emotion: 'angry', handoff: true }));
    expect(engine.view(large, T0)?.volume.total).toBeGreaterThanOrEqual(DEFAULT_GAP_ENGINE_SETTINGS.establishedQuestions);
    expect(engine.view(costly, T0)?.cost).toBeGreaterThanOrEqual(DEFAULT_GAP_ENGINE_SETTINGS.establishedCost);

    // Within the cost window the costly one still costs; past it nothing costs, and only size and claims protect.
    const justBefore = T0 + DEFAULT_GAP_ENGINE_SETTINGS.smallGapTtlMs - 1;
    expect(engine.expire(T0 - DAY, justBefore)).toEqual([]);
    const later = T0 + DEFAULT_GAP_ENGINE_SETTINGS.smallGapTtlMs + 1;
    expect(engine.expire(T0 - DAY, later).map((change) => change.kind === 'expired' && change.gapId).sort()).toEqual([costly, plain].sort());
    expect([claimed, large].map((gapId) => engine.view(gapId, later)?.gapId)).toEqual([claimed, large]);
  });

  it('caps the gaps of a shop under a flood of unique questions, never evicting established gaps or other shops', () => {
    const settings = { ...DEFAULT_GAP_ENGINE_SETTINGS, maxGapsPerShop: 20 };
    const engine = new GapEngine(settings);
    const large = gapOf(engine.add(question(GIFT_CARD[0]!)));
    for (const text of GIFT_CARD.slice(1)) engine.add(question(text));
    const claimed = gapOf(engine.add(question(SUBSIDY[0]!)));
    engine.applyLifecycle(record(claimed, 'claim'));
    const published = gapOf(engine.add(question(TRADE_IN[0]!)));
    engine.applyLifecycle(record(published, 'publish', { target: 'shop:shop-a/trade-in', answerId: 'trade-in', revision: 1 }));
    const elsewhere = gapOf(engine.add(question(TRADE_IN[1]!, { shopId: 'shop-b' })));

    const random = seeded(7);
    const expired: string[] = [];
    const flood: string[] = [];
    for (let i = 0; i < 500; i += 1) {
      const changes = engine.add(question(garbage(random), { eventTime: T0 + i * 1_000 }));
      for (const change of changes) {
        if (change.kind === 'opened') flood.push(change.gapId);
        if (change.kind === 'expired') expired.push(change.gapId);
      }
      expect(engine.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 1_000 }, T0).length).toBeLessThanOrEqual(settings.maxGapsPerShop);
    }
    expect(flood.length).toBeGreaterThan(450);
    expect(expired.length).toBeGreaterThan(400);
    expect(expired).not.toContain(large);
    for (const gapId of [large, claimed, published, elsewhere]) expect(engine.view(gapId, T0)?.gapId).toBe(gapId);
    // The least recently asked went first: the newest flood questions are the ones still held.
    expect(engine.view(flood.at(-1)!, T0)).not.toBeNull();
    expect(engine.view(flood[0]!, T0)).toBeNull();

    // The evicted questions are remembered for 10 minutes after they were asked (re-reads), then forgotten;
    // the held gaps' questions are kept.
    const end = T0 + 500 * 1_000;
    engine.expire(T0 - DAY, end);
    expect(engine.takenEvents).toBeGreaterThan(500);
    engine.expire(T0 - DAY, end + 10 * MIN);
    expect(engine.takenEvents).toBeLessThan(settings.maxGapsPerShop + GIFT_CARD.length + 3 + 1);
    expect(engine.takenEvents).toBeGreaterThanOrEqual(GIFT_CARD.length + 3);
  });

  it('takes the same questions to the same gaps and ids again after evictions (a rebuild replays them)', () => {
    const settings = { ...DEFAULT_GAP_ENGINE_SETTINGS, maxGapsPerShop: 10 };
    const run = (): string[] => {
      const engine = new GapEngine(settings);
      const random = seeded(11);
      const ids: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        const text = i % 20 === 0 ? GIFT_CARD[(i / 20) % GIFT_CARD.length]! : garbage(random);
        engine.add(question(text, { eventId: `r${i}`, eventTime: T0 + i * 1_000 }));
        ids.push(engine.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 100 }, T0).map((gap) => gap.gapId).join());
      }
      return ids;
    };
    expect(run()).toEqual(run());
  });
});

describe('evictionVictims', () => {
  const view = (gapId: string, total: number, lastSeen: number, overrides: Partial<EvictionView> = {}): EvictionView => ({
    gapId,
    status: 'open',
    total,
    cost: () => 1,
    lastSeen,
    ...overrides,
  });

  it('frees the excess from the smallest, then the least recently asked, never an established gap', () => {
    const gaps = [
      view('big', 9, 1),
      view('claimed', 1, 1, { status: 'claimed' }),
      view('published', 1, 1, { status: 'published' }),
      view('verified', 1, 1, { status: 'verified' }),
      view('costly', 1, 1, { cost: () => 12 }),
      view('pair-old', 2, 5),
      view('single-new', 1, 9),
      view('single-old', 1, 3),
      view('dismissed', 1, 4, { status: 'dismissed' }),
    ];
    expect(evictionVictims(gaps, 6, DEFAULT_GAP_ENGINE_SETTINGS)).toEqual(['single-old', 'dismissed', 'single-new']);
    expect(evictionVictims(gaps, 9, DEFAULT_GAP_ENGINE_SETTINGS)).toEqual([]);
    // Asked to free more than may go: only what is not established.
    expect(evictionVictims(gaps, 0, DEFAULT_GAP_ENGINE_SETTINGS)).toEqual(['single-old', 'dismissed', 'single-new', 'pair-old']);
  });

  it('counts a gap as established by its lifecycle, its size or its cost', () => {
    expect(isEstablished(view('g', 5, 0), DEFAULT_GAP_ENGINE_SETTINGS)).toBe(true);
    expect(isEstablished(view('g', 4, 0), DEFAULT_GAP_ENGINE_SETTINGS)).toBe(false);
    expect(isEstablished(view('g', 1, 0, { cost: () => 5 }), DEFAULT_GAP_ENGINE_SETTINGS)).toBe(true);
    expect(isEstablished(view('g', 1, 0, { status: 'dismissed' }), DEFAULT_GAP_ENGINE_SETTINGS)).toBe(false);
  });
});

describe('quantile', () => {
  it('is nearest-rank', () => {
    expect(quantile([], 0.5)).toBeNull();
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9)).toBe(9);
    expect(quantile([7], 0.9)).toBe(7);
  });
});

describe('predicted gaps', () => {
  const prediction = (overrides: Partial<Prediction> = {}): Prediction => ({
    source: 'live',
    shopId: 'shop-a',
    key: 'this-d11|1|shop-a|发票怎么开',
    texts: ['怎么开发票', '发票怎么开', '可以开发票吗'],
    momentLabel: '20:00 付尾款',
    momentAt: T0 + 30 * MIN,
    expectedCost: 36,
    at: T0,
    ...overrides,
  });

  it('opens a gap of no questions holding last time’s wordings, ranked by expected cost, with the lifecycle of any gap', () => {
    const engine = new GapEngine();
    const live = gapOf(engine.add(question('退款多久到账')));
    for (let i = 0; i < 3; i += 1) engine.add(question('退款多久到账'));
    const { gapId, changes } = engine.predict(prediction());
    expect(changes).toEqual([{ kind: 'opened', gapId }]);
    const gap = gapSchema.parse(engine.view(gapId, T0 + MIN));
    expect(gap).toMatchObject({ status: 'open', volume: { window: 0, total: 0 }, cost: 0, predicted: { momentLabel: '20:00 付尾款', expectedCost: 36 } });
    expect(gap.representative).toMatch(/发票/);
    expect(engine.questionsOf(gapId)).toEqual(['怎么开发票', '发票怎么开', '可以开发票吗']);
    // The live gap costs 4 now; the predicted one is expected to cost 36 at its moment: it comes first.
    expect(engine.list({ source: 'live', shop: 'all', status: 'active', limit: 10 }, T0 + MIN).map((g) => g.gapId)).toEqual([gapId, live]);
    expect(engine.applyLifecycle(record(gapId, 'claim')).decision?.kind).toBe('apply');
    // Predicting it again (the next computation) finds the same gap and keeps its claim.
    expect(engine.predict(prediction({ expectedCost: 40 }))).toEqual({ gapId, changes: [] });
    expect(engine.view(gapId, T0 + MIN)).toMatchObject({ status: 'claimed', predicted: { expectedCost: 40 } });
    // A customer asking it joins the predicted gap.
    engine.add(question('发票怎么开', { eventTime: T0 + 31 * MIN }));
    expect(engine.view(gapId, T0 + 31 * MIN)).toMatchObject({ volume: { total: 1 } });
  });

  it('marks the live gap it joins instead of opening another', () => {
    const engine = new GapEngine();
    const live = gapOf(engine.add(question('怎么开发票')));
    expect(engine.predict(prediction())).toEqual({ gapId: live, changes: [{ kind: 'state', gapId: live }] });
    expect(engine.view(live, T0)).toMatchObject({ volume: { total: 1 }, predicted: { expectedCost: 36 } });
    expect(engine.size).toBe(1);
  });

  it('is kept until an hour past its moment, then expires like a small gap', () => {
    const engine = new GapEngine();
    const { gapId } = engine.predict(prediction());
    expect(engine.expire(T0 - DAY, T0 + 30 * MIN + 59 * MIN)).toEqual([]);
    expect(engine.expire(T0 - DAY, T0 + 30 * MIN + 61 * MIN)).toEqual([{ kind: 'expired', gapId }]);
  });
});
