import type { OrderRequest, OutreachDelivery, OutreachInbox as Inbox, OutreachReplyRequest } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BotApi, OutreachInboxApi } from './bot-client';
import { INBOX_BEHAVIOUR, OutreachInbox, answerOutreach } from './outreach-inbox';
import { mulberry32 } from './traffic';

const AMOUNT = { min: 1000, max: 50_000 };

describe('answerOutreach', () => {
  it('orders about as often as DESIGN.md’s store saw its bot convert, says no, replies, or ignores', () => {
    const rng = mulberry32(22);
    const counts = { order: 0, no: 0, reply: 0, ignore: 0 };
    const draws = 20_000;
    for (let i = 0; i < draws; i += 1) {
      const answer = answerOutreach(rng, AMOUNT);
      if (answer.kind === 'order') {
        counts.order += 1;
        expect(answer.amountCents).toBeGreaterThanOrEqual(AMOUNT.min);
        expect(answer.amountCents).toBeLessThanOrEqual(AMOUNT.max);
        expect(answer.afterMs).toBeGreaterThanOrEqual(INBOX_BEHAVIOUR.orderDelaySec.min * 1000);
        expect(answer.afterMs).toBeLessThanOrEqual(INBOX_BEHAVIOUR.orderDelaySec.max * 1000);
      } else if (answer.kind === 'reply') {
        if (/不用|不需要|退订|别打扰/.test(answer.text)) counts.no += 1;
        else counts.reply += 1;
      } else {
        counts.ignore += 1;
      }
    }
    // 15–18 %: the bot's 4–5 points over the humans' 10–14 %.
    expect(counts.order / draws).toBeGreaterThan(0.15);
    expect(counts.order / draws).toBeLessThan(0.18);
    expect(counts.no / draws).toBeCloseTo(INBOX_BEHAVIOUR.optOutShare, 1);
    expect(counts.reply / draws).toBeCloseTo(INBOX_BEHAVIOUR.replyShare, 1);
    expect(counts.ignore).toBeGreaterThan(counts.order);
  });
});

class FakeBot implements OutreachInboxApi, Pick<BotApi, 'order'> {
  deliveries: { offset: number; delivery: OutreachDelivery }[] = [];
  readonly orders: OrderRequest[] = [];
  readonly replies: OutreachReplyRequest[] = [];
  readonly asked: number[] = [];

  outreachInbox(after: number, limit: number): Promise<Inbox> {
    this.asked.push(after);
    const page = this.deliveries.filter((entry) => entry.offset > after).slice(0, limit);
    return Promise.resolve({ deliveries: page.map((entry) => entry.delivery), next: page.at(-1)?.offset ?? after });
  }

  outreachReply(request: OutreachReplyRequest) {
    this.replies.push(request);
    return Promise.resolve({ eventId: `r-${this.replies.length}`, optOut: false });
  }

  order(request: OrderRequest) {
    this.orders.push(request);
    return Promise.resolve({ eventId: `o-${this.orders.length}` });
  }
}

describe('OutreachInbox', () => {
  const start = Date.parse('2026-11-11T02:00:00Z');

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(start);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  function delivery(n: number, overrides: Partial<OutreachDelivery> = {}): OutreachDelivery {
    return {
      outreachEventId: `out-${n}`,
      shopId: 'demo-electronics',
      customerId: `c-${n}`,
      sessionId: `s-${n}`,
      source: 'rehearsal',
      channel: 'app',
      scenario: 'hesitating',
      intentScore: 0.7,
      text: '优惠还在',
      sku: '100012345',
      sentAt: new Date(start + 1000).toISOString(),
      ...overrides,
    };
  }

  it('answers each of this rehearsal’s messages once, in real seconds, and orders as the same customer', async () => {
    const bot = new FakeBot();
    const inbox = new OutreachInbox(bot, mulberry32(3), { shops: ['demo-electronics'], source: 'rehearsal', pollMs: 1000, amountCents: AMOUNT, runId: 'run1' });
    bot.deliveries = Array.from({ length: 400 }, (_, n) => ({ offset: n * 2, delivery: delivery(n) }));
    // Not this rehearsal's: another source, another shop, sent before the simulator started.
    bot.deliveries.push(
      { offset: 1000, delivery: delivery(1000, { source: 'live' }) },
      { offset: 1001, delivery: delivery(1001, { shopId: 'other-shop' }) },
      { offset: 1002, delivery: delivery(1002, { sentAt: new Date(start - 1).toISOString() }) },
    );
    await inbox.poll();
    await inbox.poll();
    expect(inbox.stats.received).toBe(400);
    expect(bot.asked).toEqual([-1, 1002]);
    expect(bot.orders).toEqual([]);
    await vi.advanceTimersByTimeAsync(INBOX_BEHAVIOUR.orderDelaySec.max * 1000);
    expect(inbox.stats.ordered + inbox.stats.replied + inbox.stats.ignored).toBe(400);
    expect(inbox.stats.ordered / 400).toBeGreaterThan(0.1);
    expect(inbox.stats.ordered / 400).toBeLessThan(0.25);
    expect(bot.orders[0]).toMatchObject({ shopId: 'demo-electronics', source: 'rehearsal', mode: 'bot', sku: '100012345' });
    expect(bot.orders[0]!.sessionId).toMatch(/^s-\d+-back$/);
    expect(new Set(bot.orders.map((order) => order.orderId)).size).toBe(bot.orders.length);
    expect(bot.replies[0]).toMatchObject({ shopId: 'demo-electronics', outreachEventId: expect.stringMatching(/^out-/) as unknown });
    expect(inbox.stats.errors).toBe(0);
  });

  it('gives no answer after it stopped, and counts a bot’s refusal as an error', async () => {
    const bot = new FakeBot();
    const inbox = new OutreachInbox(bot, mulberry32(5), { shops: ['demo-electronics'], source: 'rehearsal', pollMs: 1000, amountCents: AMOUNT, runId: 'run2' });
    bot.deliveries = Array.from({ length: 50 }, (_, n) => ({ offset: n, delivery: delivery(n) }));
    await inbox.poll();
    await inbox.stop();
    await vi.advanceTimersByTimeAsync(INBOX_BEHAVIOUR.orderDelaySec.max * 1000);
    expect(bot.orders).toEqual([]);
    expect(bot.replies).toEqual([]);

    const failing = new OutreachInbox(
      { ...bot, outreachInbox: () => Promise.reject(new Error('401')), order: (request) => bot.order(request), outreachReply: (request) => bot.outreachReply(request) },
      mulberry32(5),
      { shops: ['demo-electronics'], source: 'rehearsal', pollMs: 1000, amountCents: AMOUNT, runId: 'run3' },
    );
    await failing.poll();
    expect(failing.stats).toMatchObject({ errors: 1, lastError: '401' });
  });
});
