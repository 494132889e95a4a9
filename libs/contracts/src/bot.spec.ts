import { describe, expect, it } from 'vitest';
import { botClientFrameSchema, chatReplySchema, chatRequestSchema } from './bot';

describe('chat contracts', () => {
  const request = { shopId: 'demo-electronics', sessionId: 's-1', customerId: 'c-1', text: '保修几年' };

  it('accepts a minimal request and rejects unknown fields, blank text and a bad mode', () => {
    expect(chatRequestSchema.safeParse(request).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, sku: '100012345', mode: 'assist', channel: 'web', source: 'replay' }).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, extra: 1 }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...request, text: '   ' }).success).toBe(false);
    expect(chatRequestSchema.safeParse({ ...request, mode: 'auto' }).success).toBe(false);
  });

  it('carries a request id in WebSocket frames only', () => {
    expect(botClientFrameSchema.safeParse({ event: 'ask', data: { ...request, requestId: 'r1' } }).success).toBe(true);
    expect(chatRequestSchema.safeParse({ ...request, requestId: 'r1' }).success).toBe(false);
  });

  it('requires the fields of each outcome', () => {
    const base = { questionEventId: 'q', sessionId: 's', stage: 'pre_sale', emotion: { name: 'neutral', intensity: 0 }, sku: null };
    const reply = { type: 'text', text: '您好' };
    expect(chatReplySchema.safeParse({ ...base, outcome: 'answered', answer: { answerId: 'a', revision: 1, score: 0.9 }, reply }).success).toBe(true);
    expect(chatReplySchema.safeParse({ ...base, outcome: 'answered', reply }).success).toBe(false);
    expect(
      chatReplySchema.safeParse({ ...base, outcome: 'handoff', handoffReason: 'assist_mode', bestCandidate: null, reply: null, suggestions: [] })
        .success,
    ).toBe(true);
  });
});
