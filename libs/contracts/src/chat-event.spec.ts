import { describe, expect, it } from 'vitest';
import { chatEventSchema, parseChatEvent, type ChatEvent } from './chat-event';

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
    ];
    for (const fields of kinds) expect(chatEventSchema.safeParse({ ...base, ...fields }).success, String(fields.kind)).toBe(true);
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

  it('rejects unknown versions, kinds, sources and extra fields', () => {
    expect(chatEventSchema.safeParse(question({ v: 2 })).success).toBe(false);
    expect(chatEventSchema.safeParse(question({ kind: 'refund' })).success).toBe(false);
    expect(chatEventSchema.safeParse(question({ source: 'test' })).success).toBe(false);
    expect(chatEventSchema.safeParse(question({ surprise: true })).success).toBe(false);
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
