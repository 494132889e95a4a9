import { chatEventSchema, type ChatEvent, type OutreachDelivery, type ShopOutreach } from '@warroom/contracts';
import { NotFound } from '@warroom/nest-common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HandoffQueue } from '../agent/handoff-queue';
import type { EventSink } from '../events/event-outbox';
import { MemoryOutreachLog } from '../testing/outreach-log';
import { testOutreachRules } from '../testing/outreach-rules';
import { OutreachService, type EventCommon } from './outreach.service';

const SHOP = 'shop-a';
const IDLE_MS = 60_000;
const DAY_MS = 86_400_000;

class CapturingSink implements EventSink {
  readonly events: ChatEvent[] = [];

  publish(events: readonly ChatEvent[]): void {
    for (const event of events) this.events.push(chatEventSchema.parse(event));
  }

  take(): ChatEvent[] {
    return this.events.splice(0);
  }
}

class CapturingChannel {
  readonly delivered: OutreachDelivery[] = [];
  failing = false;

  deliver(deliveries: readonly OutreachDelivery[]): Promise<void> {
    if (this.failing) return Promise.reject(new Error('message box down'));
    this.delivered.push(...deliveries);
    return Promise.resolve();
  }
}

/** One bot's outreach: its own sessions, queue, sink and channel, sharing the deployment's log. */
interface Bot {
  outreach: OutreachService;
  sink: CapturingSink;
  channel: CapturingChannel;
  queue: HandoffQueue;
}

describe('OutreachService', () => {
  let now: number;
  let log: MemoryOutreachLog;
  const bots: Bot[] = [];

  async function startBot(rules: ShopOutreach = testOutreachRules()): Promise<Bot> {
    const sink = new CapturingSink();
    const channel = new CapturingChannel();
    const queue = new HandoffQueue({ max: 1000, activeIdleMs: 30 * 60_000 });
    const outreach = new OutreachService(
      new Map([[SHOP, rules]]),
      // Sweeps are called by the tests, on the fake clock.
      { idleMs: IDLE_MS, sweepMs: 60_000, maxWaitMs: 12 * 3_600_000, maxSessions: 1000 },
      { campaignId: 'c-1111', source: 'rehearsal', channel: 'app', angryHandoffIntensity: 0.7 },
      sink,
      { now: () => now },
      channel,
      queue,
      log,
    );
    await outreach.onApplicationBootstrap();
    const bot = { outreach, sink, channel, queue };
    bots.push(bot);
    return bot;
  }

  function common(sessionId: string, customerId: string, extra: Partial<EventCommon> = {}): EventCommon {
    return {
      v: 1,
      eventTime: new Date(now).toISOString(),
      source: 'rehearsal',
      campaignId: 'c-1111',
      shopId: SHOP,
      sessionId,
      customerId,
      channel: 'app',
      mode: 'bot',
      stage: 'pre_sale',
      sku: '100012345',
      ...extra,
    };
  }

  /** A customer's messages in a session, then silence until it ended, then a sweep. */
  async function session(bot: Bot, sessionId: string, customerId: string, messages: string[]): Promise<ChatEvent[]> {
    for (const text of messages) bot.outreach.observeQuestion(common(sessionId, customerId), text);
    now += IDLE_MS;
    await bot.outreach.sweep();
    return bot.sink.take().filter((event) => event.kind !== 'intent');
  }

  const hesitating = ['这款多少钱', '有货吗', '有优惠券吗'];

  beforeEach(() => {
    // 10:00 in Shanghai: outside the test rules' quiet hours.
    now = Date.parse('2026-11-11T10:00:00+08:00');
    log = new MemoryOutreachLog();
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.outreach.onApplicationShutdown();
  });

  it('records an intent event when the session’s scenario or score changes, not on every message', async () => {
    const bot = await startBot();
    const intents = (text: string) => bot.outreach.observeQuestion(common('s-1', 'c-1'), text);
    expect(intents('你好')).toEqual([]);
    expect(intents('这款多少钱')).toMatchObject([{ kind: 'intent', scenario: 'hesitating', intentScore: 0.35, sessionId: 's-1', customerId: 'c-1' }]);
    expect(intents('到底多少钱')).toEqual([]);
    expect(intents('有货吗')).toMatchObject([{ kind: 'intent', scenario: 'hesitating', intentScore: 0.55 }]);
    expect(intents('我的订单还没付款')).toMatchObject([{ kind: 'intent', scenario: 'unpaid_order', intentScore: 0.6 }]);
    for (const event of intents('有优惠券吗')) chatEventSchema.parse(event);
  });

  it('judges neither replays nor assist-mode chats', async () => {
    const bot = await startBot();
    expect(bot.outreach.observeQuestion(common('s-1', 'c-1', { source: 'replay' }), '多少钱')).toEqual([]);
    expect(bot.outreach.observeQuestion(common('s-2', 'c-2', { mode: 'assist' }), '多少钱')).toEqual([]);
  });

  it('sends one outreach of the scenario’s template when a high-intent session ends without an order', async () => {
    const bot = await startBot();
    bot.outreach.observeQuestion(common('s-1', 'c-1'), hesitating[0]!);
    now += IDLE_MS - 1;
    await bot.outreach.sweep();
    expect(bot.channel.delivered).toEqual([]);
    const events = await session(bot, 's-1', 'c-1', hesitating.slice(1));
    expect(events).toMatchObject([
      { kind: 'outreach', scenario: 'hesitating', intentScore: 0.7, text: '您看的商品还有优惠，点这里继续购买。', sessionId: 's-1', customerId: 'c-1', mode: 'bot', sku: '100012345' },
    ]);
    expect(bot.channel.delivered).toMatchObject([{ outreachEventId: events[0]!.eventId, shopId: SHOP, customerId: 'c-1', sessionId: 's-1', source: 'rehearsal' }]);
    // Once only: the session is judged once.
    now += IDLE_MS;
    await bot.outreach.sweep();
    expect(bot.sink.take()).toEqual([]);
    expect(Object.fromEntries(bot.outreach.outcomeCounts())).toEqual({ outreach: 1 });
  });

  it('reaches a customer once per shop day, whichever bot holds the next session', async () => {
    const first = await startBot();
    const second = await startBot();
    expect(await session(first, 's-1', 'c-1', hesitating)).toHaveLength(1);
    expect(await session(first, 's-2', 'c-1', hesitating)).toEqual([]);
    expect(await session(second, 's-3', 'c-1', hesitating)).toEqual([]);
    expect(first.outreach.outcomeCounts().get('daily_cap')).toBe(1);
    expect(second.outreach.outcomeCounts().get('daily_cap')).toBe(1);
    // The next shop day (10:00 again), the customer may hear from the shop again.
    now += DAY_MS;
    expect(await session(second, 's-4', 'c-1', hesitating)).toMatchObject([{ kind: 'outreach' }]);
  });

  it('grants one touch when two bots ask for the same customer at once: the log decides', async () => {
    const first = await startBot();
    const second = await startBot();
    for (const [bot, sessionId] of [[first, 's-1'], [second, 's-2']] as const) {
      for (const text of hesitating) bot.outreach.observeQuestion(common(sessionId, 'c-1'), text);
    }
    now += IDLE_MS;
    await Promise.all([first.outreach.sweep(), second.outreach.sweep()]);
    const sent = [...first.sink.take(), ...second.sink.take()].filter((event) => event.kind === 'outreach');
    expect(sent).toHaveLength(1);
    const refused = [first, second].map((bot) => bot.outreach.outcomeCounts().get('refused_daily_cap') ?? 0);
    // Each bot applies both touches; each sees the later one refused.
    expect(refused).toEqual([1, 1]);
  });

  it('never reaches a customer who said no, across bots and restarts', async () => {
    const bot = await startBot();
    const [outreach] = await session(bot, 's-1', 'c-1', hesitating);
    const reply = await bot.outreach.reply({ shopId: SHOP, sessionId: 's-1', customerId: 'c-1', outreachEventId: outreach!.eventId, text: '不用了，别再发了' });
    expect(reply.optOut).toBe(true);
    expect(bot.sink.take()).toMatchObject([{ kind: 'outreach_reply', eventId: reply.eventId, optOut: true, outreachEventId: outreach!.eventId, text: '不用了，别再发了' }]);
    expect(log.records.at(-1)).toEqual({ type: 'opt_out', shopId: SHOP, customerId: 'c-1', outreachEventId: outreach!.eventId });
    now += DAY_MS;
    expect(await session(bot, 's-2', 'c-1', hesitating)).toEqual([]);
    expect(bot.outreach.outcomeCounts().get('opted_out')).toBe(1);
    // A bot started later rebuilds the ledger from the log: the "no" holds, for follow-ups too.
    const restarted = await startBot();
    expect(await session(restarted, 's-3', 'c-1', ['滤芯用完了'])).toEqual([]);
    expect(restarted.outreach.outcomeCounts().get('opted_out')).toBe(1);
  });

  it('records a reply that is not a no, and the message box’s explicit opt-out', async () => {
    const bot = await startBot();
    const [first] = await session(bot, 's-1', 'c-1', hesitating);
    expect(await bot.outreach.reply({ shopId: SHOP, sessionId: 's-1', customerId: 'c-1', outreachEventId: first!.eventId, text: '优惠到几号？' })).toMatchObject({ optOut: false });
    expect(bot.sink.take()).toMatchObject([{ kind: 'outreach_reply', optOut: false }]);
    expect(log.records.some((record) => record.type === 'opt_out')).toBe(false);
    const [second] = await session(bot, 's-2', 'c-2', hesitating);
    expect(await bot.outreach.reply({ shopId: SHOP, sessionId: 's-2', customerId: 'c-2', outreachEventId: second!.eventId, text: '好的', optOut: true })).toMatchObject({ optOut: true });
  });

  it('refuses a reply to an outreach the customer never got', async () => {
    const bot = await startBot();
    const [outreach] = await session(bot, 's-1', 'c-1', hesitating);
    await expect(bot.outreach.reply({ shopId: SHOP, sessionId: 's-1', customerId: 'c-2', outreachEventId: outreach!.eventId, text: '不要' })).rejects.toThrow(NotFound);
    await expect(bot.outreach.reply({ shopId: SHOP, sessionId: 's-1', customerId: 'c-1', outreachEventId: 'nope', text: '不要' })).rejects.toThrow(NotFound);
  });

  it('puts a scenario the shop keeps for humans on the follow-up list instead', async () => {
    const bot = await startBot();
    expect(await session(bot, 's-1', 'c-1', ['滤芯用完了'])).toMatchObject([{ kind: 'follow_up_open', scenario: 'repurchase', intentScore: 0.4, customerId: 'c-1' }]);
    expect(bot.channel.delivered).toEqual([]);
  });

  it('skips a session with an order, and one below the threshold', async () => {
    const bot = await startBot();
    for (const text of hesitating) bot.outreach.observeQuestion(common('s-1', 'c-1'), text);
    bot.outreach.noteOrder({ shopId: SHOP, sessionId: 's-1', customerId: 'c-1' });
    // An order before any cue counts too.
    bot.outreach.noteOrder({ shopId: SHOP, sessionId: 's-2', customerId: 'c-2' });
    expect(await session(bot, 's-2', 'c-2', hesitating)).toEqual([]);
    expect(await session(bot, 's-3', 'c-3', ['多少钱'])).toEqual([]);
    expect(Object.fromEntries(bot.outreach.outcomeCounts())).toEqual({ ordered: 2, low_intent: 1 });
  });

  it('waits while the session’s handoff is open, and reaches the customer once it closed', async () => {
    const bot = await startBot();
    bot.queue.handOff(
      {
        shopId: SHOP,
        sessionId: 's-1',
        customerId: 'c-1',
        channel: 'app',
        source: 'rehearsal',
        mode: 'bot',
        stage: 'pre_sale',
        sku: null,
        handoffReason: 'customer_request',
        lastQuestion: { eventId: 'q-1', text: '转人工', atMs: now },
        emotion: { name: 'neutral', intensity: 0 },
        questions: 1,
      },
      now,
    );
    expect(await session(bot, 's-1', 'c-1', hesitating)).toEqual([]);
    bot.queue.abandon(SHOP, 's-1');
    now += 5_000;
    await bot.outreach.sweep();
    expect(bot.sink.take()).toMatchObject([{ kind: 'outreach', sessionId: 's-1' }]);
  });

  it('holds a message through the shop’s quiet hours', async () => {
    const bot = await startBot();
    now = Date.parse('2026-11-11T22:59:00+08:00');
    expect(await session(bot, 's-1', 'c-1', hesitating)).toEqual([]);
    now = Date.parse('2026-11-12T08:00:00+08:00');
    await bot.outreach.sweep();
    expect(bot.sink.take()).toMatchObject([{ kind: 'outreach', eventTime: '2026-11-12T00:00:00.000Z' }]);
  });

  it('lets a session go, its touch used, when the channel fails: a customer may miss a message, never get two', async () => {
    const bot = await startBot();
    bot.channel.failing = true;
    expect(await session(bot, 's-1', 'c-1', hesitating)).toEqual([]);
    expect(bot.outreach.outcomeCounts().get('channel_failed')).toBe(1);
    bot.channel.failing = false;
    expect(await session(bot, 's-2', 'c-1', hesitating)).toEqual([]);
  });
});
