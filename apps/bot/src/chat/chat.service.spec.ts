import { chatEventSchema, chatReplySchema, type ChatEvent, type ChatRequest } from '@warroom/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { AgentDeskService } from '../agent/agent-desk.service';
import { HandoffQueue } from '../agent/handoff-queue';
import type { EventSink } from '../events/event-outbox';
import { SELLING_POINTS_ANSWER_ID } from '../knowledge/knowledge-base';
import { OutreachService } from '../outreach/outreach.service';
import { MemoryOutreachLog } from '../testing/outreach-log';
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
  let queue: HandoffQueue;
  let desk: AgentDeskService;

  beforeEach(() => {
    sink = new CapturingSink();
    now = Date.parse('2026-11-11T00:00:00+08:00');
    const kb = testKnowledgeBase();
    const sessions = new SessionStore({ idleMs: 30 * 60_000, max: 1000 });
    const clock = { now: () => now };
    const settings = { campaignId: 'c-1111', source: 'rehearsal' as const, channel: 'app' as const, angryHandoffIntensity: 0.7 };
    queue = new HandoffQueue({ max: 1000, activeIdleMs: 30 * 60_000 });
    desk = new AgentDeskService(queue, sessions, kb, sink, clock, settings, { maxWaitMs: 15 * 60_000 });
    // A shop without outreach rules: nothing of the outreach shows in these conversations (outreach.service.spec).
    const outreachSettings = { idleMs: 60_000, sweepMs: 1000, maxWaitMs: 3_600_000, maxSessions: 1000 };
    const outreach = new OutreachService(new Map(), outreachSettings, settings, sink, clock, { deliver: () => Promise.resolve() }, queue, new MemoryOutreachLog());
    chat = new ChatService(kb, sessions, sink, clock, settings, desk, outreach);
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

  describe('the human side: handoff queue, accept, reply, end, flag, abandon', () => {
    const kindsOf = (events: ChatEvent[]) => events.map((event) => event.kind);

    it('queues a handed-off session, an agent accepts, replies and ends it, each step an event', () => {
      ask('转人工');
      sink.take();
      now += 12_000;
      const listed = desk.list({ limit: 100 });
      expect(listed).toMatchObject({ waitingTotal: 1, active: [] });
      expect(listed.waiting[0]).toMatchObject({ sessionId: 's-1', handoffReason: 'customer_request', waitSec: 12, lastQuestion: { text: '转人工' }, source: 'rehearsal', questions: 1 });

      const chatHeld = desk.accept({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-1' });
      expect(chatHeld).toMatchObject({ agentId: 'agent-1', waitedSec: 12 });
      expect(() => desk.accept({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-2' })).toThrow(/already held by agent agent-1/);
      expect(() => desk.reply({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-2', text: '你好' })).toThrow(/held by agent agent-1/);
      // The customer writes on: the agent sees the newest question.
      ask('我的订单到哪了');
      expect(desk.list({ limit: 100 }).active[0]).toMatchObject({ lastQuestion: { text: '我的订单到哪了' }, questions: 2 });
      sink.take();

      desk.reply({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-1', text: '亲，我来帮您查' });
      now += 180_000;
      desk.end({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-1' });
      const events = sink.take();
      expect(kindsOf(events)).toEqual(['agent_reply', 'agent_end']);
      expect(events[1]).toMatchObject({ source: 'rehearsal', campaignId: 'c-1111', agentId: 'agent-1', eventTime: new Date(now).toISOString() });
      expect(desk.list({ limit: 100 })).toMatchObject({ waitingTotal: 0, waiting: [], active: [] });
      // The accept event went out when it happened.
      expect(chatHeld.acceptEventId).toMatch(/-/);

      // Flagged after the chat ended: the session's newest question by default.
      const flagged = desk.flag({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-1', text: '新的运费规则知识库里没有' });
      const [flag] = sink.take();
      expect(flag).toMatchObject({ eventId: flagged.eventId, kind: 'agent_flag', text: '新的运费规则知识库里没有' });
      expect(flag?.kind === 'agent_flag' && flag.questionEventId).toBeTruthy();
    });

    it('a customer who gives up leaves the queue with one abandon; the bot abandons those who waited too long', () => {
      ask('转人工', { sessionId: 's-a' });
      ask('转人工', { sessionId: 's-b' });
      sink.take();
      expect(() => desk.abandon({ shopId: 'shop-a', sessionId: 's-a', customerId: 'someone-else' })).toThrow(/not customer someone-else/);
      desk.abandon({ shopId: 'shop-a', sessionId: 's-a', customerId: 'c-1' });
      expect(() => desk.abandon({ shopId: 'shop-a', sessionId: 's-a', customerId: 'c-1' })).toThrow(/not in the handoff queue/);
      expect(kindsOf(sink.take())).toEqual(['abandon']);
      now += 15 * 60_000 + 1;
      expect(desk.expire()).toBe(1);
      const [expired] = sink.take();
      expect(expired).toMatchObject({ kind: 'abandon', sessionId: 's-b' });
      expect(queue.waiting).toBe(0);
    });

    it('an accepted chat cannot be abandoned; assist mode never queues', () => {
      ask('转人工');
      desk.accept({ shopId: 'shop-a', sessionId: 's-1', agentId: 'agent-1' });
      expect(() => desk.abandon({ shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1' })).toThrow(/with agent agent-1/);
      ask('质保多久', { mode: 'assist', sessionId: 's-assist' });
      expect(queue.get('shop-a', 's-assist')).toBeUndefined();
    });
  });

  it('refuses a shop it does not serve', () => {
    expect(() => ask('你好', { shopId: 'shop-b' })).toThrow(/does not serve shop shop-b/);
  });
});
