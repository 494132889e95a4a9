import { chatEventSchema, chatReplySchema, type ChatEvent, type ChatRequest } from '@warroom/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import type { EventSink } from '../events/event-outbox';
import { SELLING_POINTS_ANSWER_ID } from '../knowledge/knowledge-base';
import { testKnowledgeBase } from '../testing/packs';
import { ChatService } from './chat.service';
import { SessionStore } from './session-store';

class CapturingSink implements EventSink {
  readonly events: ChatEvent[] = [];

  publish(events: readonly ChatEvent[]): void {
    // What the outbox does first: every event must be a valid ChatEvent v1.
    for (const event of events) this.events.push(chatEventSchema.parse(event));
  }

  take(): ChatEvent[] {
    return this.events.splice(0);
  }
}

describe('ChatService', () => {
  let sink: CapturingSink;
  let now: number;
  let chat: ChatService;

  beforeEach(() => {
    sink = new CapturingSink();
    now = Date.parse('2026-11-11T00:00:00+08:00');
    chat = new ChatService(
      testKnowledgeBase(),
      new SessionStore({ idleMs: 30 * 60_000, max: 1000 }),
      sink,
      { now: () => now },
      { campaignId: 'c-1111', source: 'rehearsal', channel: 'app', angryHandoffIntensity: 0.7 },
    );
  });

  const ask = (text: string, extra: Partial<ChatRequest> = {}) =>
    chatReplySchema.parse(chat.ask({ shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1', text, ...extra }));

  it('answers from the knowledge base and records the question and the answer', () => {
    const reply = ask('保修几年');
    expect(reply).toMatchObject({ outcome: 'answered', answer: { answerId: 'warranty', revision: 7, score: 1 }, stage: 'pre_sale' });
    const [question, answer] = sink.take();
    expect(question).toMatchObject({
      kind: 'question',
      outcome: 'answered',
      match: { answerId: 'warranty', revision: 7 },
      campaignId: 'c-1111',
      source: 'rehearsal',
      mode: 'bot',
      eventTime: new Date(now).toISOString(),
    });
    expect(answer).toMatchObject({ kind: 'answer', text: '本店保修两年。', questionEventId: question?.eventId });
  });

  it('sends selling points for a bare product link, then answers follow-ups about that product', () => {
    const link = ask('https://item.example.com/100012345.html 这个怎么样');
    expect(link).toMatchObject({ outcome: 'answered', sku: '100012345', answer: { answerId: SELLING_POINTS_ANSWER_ID } });
    const weight = ask('这款多重');
    expect(weight).toMatchObject({ outcome: 'answered', sku: '100012345', answer: { answerId: 'weight', revision: 4 } });
    expect(weight.outcome === 'answered' && weight.reply.text).toBe('X20 约 187 克。');
    const events = sink.take();
    expect(events.filter((event) => event.kind === 'question').map((event) => event.sku)).toEqual(['100012345', '100012345']);
  });

  it('answers a question sent with a link about that product', () => {
    const reply = ask('https://item.example.com/100012345.html 重量是多少');
    expect(reply).toMatchObject({ outcome: 'answered', sku: '100012345', answer: { answerId: 'weight' } });
  });

  it('uses the SKU of the page the customer asks from', () => {
    expect(ask('这款多重', { sku: '100012345' })).toMatchObject({ answer: { answerId: 'weight', revision: 4 } });
  });

  it('asks to rephrase once, then hands off with no_match, recording the best candidate each time', () => {
    const first = ask('火星上能送货吗');
    expect(first).toMatchObject({ outcome: 'unmatched' });
    const second = ask('月球上呢');
    expect(second).toMatchObject({ outcome: 'handoff', handoffReason: 'no_match', suggestions: [] });
    const events = sink.take();
    expect(events.map((event) => [event.kind, event.kind === 'question' ? event.outcome : event.kind === 'handoff' ? event.handoffReason : ''])).toEqual([
      ['question', 'unmatched'],
      ['question', 'handoff'],
      ['handoff', 'no_match'],
    ]);
    const unmatched = events[0];
    expect(unmatched?.kind === 'question' && unmatched.outcome === 'unmatched' ? unmatched.bestCandidate : undefined).toEqual(
      first.outcome === 'unmatched' ? first.bestCandidate : null,
    );
  });

  it('hands off when the customer asks for a person, or is angry enough', () => {
    expect(ask('转人工')).toMatchObject({ outcome: 'handoff', handoffReason: 'customer_request' });
    expect(ask('什么时候发货，骗子黑店！！', { sessionId: 's-2' })).toMatchObject({
      outcome: 'handoff',
      handoffReason: 'negative_emotion',
      emotion: { name: 'angry' },
    });
    expect(sink.take().filter((event) => event.kind === 'handoff').map((event) => event.kind === 'handoff' && event.handoffReason)).toEqual([
      'customer_request',
      'negative_emotion',
    ]);
  });

  it('answers small talk (never a gap)', () => {
    expect(ask('你好')).toMatchObject({ outcome: 'answered', answer: { answerId: 'smalltalk.greeting' } });
  });

  it('suggests the top 3 answers in assist mode, records the question as handed off (assist_mode) and the agent reply', () => {
    const reply = ask('质保多久', { mode: 'assist' });
    expect(reply).toMatchObject({ outcome: 'handoff', handoffReason: 'assist_mode', reply: null });
    if (reply.outcome !== 'handoff') return;
    expect(reply.suggestions).toHaveLength(3);
    expect(reply.suggestions[0]).toMatchObject({ answerId: 'warranty', score: 1, reply: { text: '本店保修两年。' } });
    const recorded = chat.recordAgentReply({ shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1', agentId: 'agent-7', text: '本店保修两年哦' });
    const events = sink.take();
    expect(events.map((event) => event.kind)).toEqual(['question', 'agent_reply']);
    expect(events[0]).toMatchObject({ mode: 'assist', outcome: 'handoff', handoffReason: 'assist_mode', bestCandidate: { answerId: 'warranty' } });
    expect(events[1]).toMatchObject({ eventId: recorded.eventId, mode: 'assist', agentId: 'agent-7', text: '本店保修两年哦' });
  });

  it("derives the stage from the words, then the session's order", () => {
    expect(ask('保修几年')).toMatchObject({ stage: 'pre_sale' });
    chat.recordOrder({ shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1', orderId: 'o-1', amountCents: 249_900 });
    expect(ask('保修几年')).toMatchObject({ stage: 'in_sale' });
    expect(ask('我收到货了，怎么申请退货')).toMatchObject({ stage: 'after_sale' });
    expect(ask('保修几年')).toMatchObject({ stage: 'after_sale' });
    expect(sink.take().find((event) => event.kind === 'order')).toMatchObject({ orderId: 'o-1', amountCents: 249_900, stage: 'in_sale' });
  });

  it('keeps sessions apart and starts afresh after the idle time', () => {
    ask('https://item.example.com/100012345.html');
    expect(ask('这款多重', { sessionId: 's-other' })).toMatchObject({ sku: null });
    now += 31 * 60_000;
    expect(ask('这款多重')).toMatchObject({ sku: null });
  });

  it('refuses a shop it does not serve', () => {
    expect(() => ask('你好', { shopId: 'shop-b' })).toThrow(/does not serve shop shop-b/);
  });
});
