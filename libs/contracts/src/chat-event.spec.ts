import { describe, expect, it } from 'vitest';
import { EVENT_KINDS, REASONS_MAX_CHARS, boundReasons, chatEventSchema, parseChatEvent, type ChatEvent } from './chat-event';
import { LONE_SURROGATE_MESSAGE } from './well-formed';

const NOW = Date.parse('2026-11-11T00:00:30.000Z');

function question(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const event: Record<string, unknown> = {
    v: 1,
    eventId: 'e-1',
    eventTime: '2026-11-11T00:00:00.000+08:00',
    source: 'live',
    campaignId: '2026-11-11',
    shopId: 'shop-a',
    sessionId: 's-1',
    customerId: 'c-1',
    channel: 'app',
    mode: 'bot',
    stage: 'pre_sale',
    kind: 'question',
    text: '这款手机支持快充吗',
    emotion: { name: 'neutral', intensity: 0.2 },
    outcome: 'answered',
    match: { answerId: 'fast-charge', revision: 3, score: 0.91 },
  };
  // An override of `undefined` removes the field: strict schemas reject unknown keys even when undefined.
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) delete event[key];
    else event[key] = value;
  }
  return event;
}

describe('ChatEvent v1', () => {
  it('accepts an answered question and keeps its fields', () => {
    const event: ChatEvent = chatEventSchema.parse(question());
    expect(event.kind).toBe('question');
    if (event.kind === 'question' && event.outcome === 'answered') expect(event.match.answerId).toBe('fast-charge');
  });

  it('accepts every kind with its own fields', () => {
    const base = { ...question() };
    for (const key of ['text', 'emotion', 'outcome', 'match', 'kind']) delete base[key];
    const kinds: Record<string, unknown>[] = [
      { kind: 'answer', text: '支持', answer: { answerId: 'a', revision: 1, score: 0.9 }, questionEventId: 'e-0' },
      { kind: 'handoff', handoffReason: 'customer_request' },
      { kind: 'agent_accept', agentId: 'ag-1' },
      { kind: 'agent_reply', agentId: 'ag-1', text: '您好' },
      { kind: 'agent_end', agentId: 'ag-1' },
      { kind: 'agent_flag', agentId: 'ag-1', text: '以旧换新怎么算' },
      { kind: 'order', orderId: 'o-1', amountCents: 129900 },
      { kind: 'abandon' },
      { kind: 'intent', scenario: 'hesitating', intentScore: 0.7 },
      { kind: 'outreach', scenario: 'unpaid_order', intentScore: 0.8, text: '您的订单还未付款，库存有限' },
      { kind: 'outreach_reply', text: '不需要了', optOut: true, outreachEventId: 'e-9' },
      { kind: 'follow_up_open', scenario: 'repurchase', intentScore: 0.6 },
      { kind: 'follow_up_done', agentId: 'ag-1', scenario: 'repurchase', result: 'reached', followUpEventId: 'e-8' },
    ];
    for (const fields of kinds) expect(chatEventSchema.safeParse({ ...base, ...fields }).success, String(fields.kind)).toBe(true);
    expect(new Set(kinds.map((fields) => fields.kind))).toEqual(new Set(EVENT_KINDS.filter((kind) => kind !== 'question')));
  });

  it('refuses an outreach event without its scenario, with an unknown one, or with a score outside 0..1', () => {
    const base = { ...question() };
    for (const key of ['text', 'emotion', 'outcome', 'match', 'kind']) delete base[key];
    const outreach = { ...base, kind: 'outreach', scenario: 'hesitating', intentScore: 0.8, text: '还在考虑吗' };
    expect(chatEventSchema.safeParse(outreach).success).toBe(true);
    expect(chatEventSchema.safeParse({ ...outreach, scenario: undefined }).success).toBe(false);
    expect(chatEventSchema.safeParse({ ...outreach, scenario: 'lottery' }).success).toBe(false);
    expect(chatEventSchema.safeParse({ ...outreach, intentScore: 1.5 }).success).toBe(false);
    expect(chatEventSchema.safeParse({ ...base, kind: 'follow_up_done', agentId: 'ag-1', scenario: 'hesitating', result: 'maybe', followUpEventId: 'e-1' }).success).toBe(false);
  });

  it('requires the fields of each question outcome', () => {
    expect(chatEventSchema.safeParse(question({ outcome: 'unmatched', match: undefined, bestCandidate: null })).success).toBe(true);
    expect(chatEventSchema.safeParse(question({ outcome: 'unmatched', match: undefined })).success).toBe(false);
    expect(
      chatEventSchema.safeParse(question({ outcome: 'handoff', match: undefined, bestCandidate: null })).success,
    ).toBe(false);
    expect(
      chatEventSchema.safeParse(
        question({ outcome: 'handoff', match: undefined, bestCandidate: null, handoffReason: 'no_match' }),
      ).success,
    ).toBe(true);
  });

  it('rejects unknown versions, kinds and sources', () => {
    expect(chatEventSchema.safeParse(question({ v: 2 })).success).toBe(false);
    expect(chatEventSchema.safeParse(question({ kind: 'refund' })).success).toBe(false);
    expect(chatEventSchema.safeParse(question({ source: 'test' })).success).toBe(false);
  });

  it('accepts an additive v1 field and drops it, at the top and inside members', () => {
    const parsed = chatEventSchema.parse(question({ surprise: true, emotion: { name: 'neutral', intensity: 0.2, cause: 'x' } }));
    expect(parsed).not.toHaveProperty('surprise');
    expect(parsed.kind === 'question' ? parsed.emotion : null).toEqual({ name: 'neutral', intensity: 0.2 });
  });

  it('refuses a lone surrogate in any string, naming the field', () => {
    for (const field of ['text', 'sessionId', 'customerId', 'eventId', 'shopId', 'campaignId', 'sku']) {
      const result = chatEventSchema.safeParse(question({ [field]: '退货 \ud800' }));
      expect(result.success, field).toBe(false);
      expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toContain(`${field}: ${LONE_SURROGATE_MESSAGE}`);
    }
    expect(chatEventSchema.safeParse(question({ match: { answerId: 'a\udc00', revision: 1, score: 0.5 } })).success).toBe(false);
    // A surrogate pair is well formed.
    expect(chatEventSchema.safeParse(question({ text: '好评 \ud83d\ude00' })).success).toBe(true);
  });

  it('refuses numbers that do not fit their ClickHouse columns', () => {
    const base = { ...question() };
    for (const key of ['text', 'emotion', 'outcome', 'match', 'kind']) delete base[key];
    const order = (amountCents: number): boolean => chatEventSchema.safeParse({ ...base, kind: 'order', orderId: 'o-1', amountCents }).success;
    expect(order(1e300)).toBe(false);
    expect(order(2 ** 60)).toBe(false);
    expect(order(Number.MAX_SAFE_INTEGER)).toBe(true);
    const answered = (revision: number, score: number): boolean => chatEventSchema.safeParse(question({ match: { answerId: 'a', revision, score } })).success;
    expect(answered(2 ** 32, 0.5)).toBe(false);
    expect(answered(2 ** 32 - 1, 0.5)).toBe(true);
    expect(answered(1, Number.POSITIVE_INFINITY)).toBe(false);
    expect(answered(1, Number.NaN)).toBe(false);
  });
});

describe('parseChatEvent', () => {
  it('parses bytes', () => {
    const result = parseChatEvent(Buffer.from(JSON.stringify(question())), NOW);
    expect(result.ok).toBe(true);
  });

  it('names every failing field', () => {
    const result = parseChatEvent(
      JSON.stringify(question({ shopId: '', emotion: { name: 'bored', intensity: 2 } })),
      NOW,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons.some((reason) => reason.startsWith('shopId:'))).toBe(true);
    expect(result.reasons.some((reason) => reason.startsWith('emotion.name:'))).toBe(true);
    expect(result.reasons.some((reason) => reason.startsWith('emotion.intensity:'))).toBe(true);
  });

  it('refuses bytes that are not UTF-8 instead of repairing them', () => {
    const valid = Buffer.from(JSON.stringify(question()), 'utf8');
    const at = valid.indexOf(Buffer.from('这', 'utf8'));
    const broken = Buffer.concat([valid.subarray(0, at), Buffer.from([0xe8, 0xbf]), valid.subarray(at + 3)]);
    const result = parseChatEvent(broken, NOW);
    expect(result.ok ? [] : result.reasons).toEqual(['(root): not valid UTF-8']);
  });

  it('refuses a lone surrogate escaped in the JSON with the field and the reason', () => {
    const raw = JSON.stringify(question()).replace('这款手机', '退货 \\ud800');
    const result = parseChatEvent(Buffer.from(raw, 'utf8'), NOW);
    expect(result.ok ? [] : result.reasons).toEqual([`text: ${LONE_SURROGATE_MESSAGE}`]);
  });

  it('tells an unknown version by name', () => {
    const result = parseChatEvent(JSON.stringify(question({ v: 2 })), NOW);
    expect(result.ok ? [] : result.reasons).toEqual(['v: unsupported version: this reader knows v 1 only']);
  });

  it('keeps the reasons of a hostile message within 1 KiB', () => {
    const hostile: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i += 1) hostile[`field${i}`] = i;
    const wide = parseChatEvent(JSON.stringify({ ...hostile, kind: 'question', v: 'x'.repeat(100_000) }), NOW);
    const wrongTypes = parseChatEvent(JSON.stringify(Object.fromEntries(Object.keys(question()).map((key) => [key, { deep: 'x'.repeat(5_000) }]))), NOW);
    const longJunk = parseChatEvent(Buffer.from(`{"v":1,${'x'.repeat(1_000_000)}`), NOW);
    for (const result of [wide, wrongTypes, longJunk]) {
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.reasons.join('').length).toBeLessThanOrEqual(REASONS_MAX_CHARS);
    }
  });

  it('gives deeply nested JSON a clean reason', () => {
    const depth = 200_000;
    const nested = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const result = parseChatEvent(Buffer.from(nested), NOW);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reasons.join('; ').length).toBeLessThanOrEqual(REASONS_MAX_CHARS);
    const inText = parseChatEvent(JSON.stringify(question()).replace('"这款手机支持快充吗"', `${'['.repeat(depth)}${']'.repeat(depth)}`), NOW);
    expect(inText.ok ? [] : inText.reasons).toEqual(['text: Invalid input: expected string, received array']);
  });

  it('explains non-JSON and empty messages', () => {
    const notJson = parseChatEvent(Buffer.from('{"v":1,'), NOW);
    expect(notJson.ok ? [] : notJson.reasons[0]).toMatch(/not JSON/);
    const empty = parseChatEvent(null, NOW);
    expect(empty.ok ? [] : empty.reasons[0]).toMatch(/no value/);
  });

  it('dead-letters events older than 7 days or more than 5 minutes ahead', () => {
    const old = parseChatEvent(JSON.stringify(question({ eventTime: '2026-11-03T00:00:00Z' })), NOW);
    expect(old.ok ? [] : old.reasons[0]).toMatch(/more than 7 days old/);
    const future = parseChatEvent(JSON.stringify(question({ eventTime: '2026-11-11T00:06:00Z' })), NOW);
    expect(future.ok ? [] : future.reasons[0]).toMatch(/5 minutes in the future/);
    const nearFuture = parseChatEvent(JSON.stringify(question({ eventTime: '2026-11-11T00:04:00Z' })), NOW);
    expect(nearFuture.ok).toBe(true);
  });
});

describe('boundReasons', () => {
  it('keeps short lists whole, cuts long reasons and says how many were left out', () => {
    expect(boundReasons(['a: x', 'b: y'])).toEqual(['a: x', 'b: y']);
    const many = boundReasons(Array.from({ length: 10_000 }, (_, i) => `field${i}: ${'x'.repeat(300)}`));
    expect(many.join('').length).toBeLessThanOrEqual(REASONS_MAX_CHARS);
    expect(many[0]).toHaveLength(200);
    expect(many.at(-1)).toMatch(/^… and \d+ more$/);
  });
});
