import type { EventSource, OutreachDelivery } from '@warroom/contracts';
import type { BotApi, OutreachInboxApi } from './bot-client';
import { intBetween, pick, type Rng } from './conversation';

/**
 * The rehearsal's customers reading what the bots sent them (issue 22): the simulator follows the bots'
 * inbox (`GET /api/outreach/inbox`, any bot lists every bot's deliveries) and answers each message with
 * the probabilities below, in real seconds: some order (a new session, the same customer: the order the
 * attribution window counts), some say no for good, some ask something back, most never answer.
 */

/**
 * Shares of the customers reached: the order share is what DESIGN.md's store reported for its bot (human
 * follow-up 10–14 %, the bot 4–5 points more), so a rehearsal's outreach converts about 15–18 %.
 */
export const INBOX_BEHAVIOUR = {
  orderShare: 0.165,
  optOutShare: 0.07,
  replyShare: 0.12,
  /** Real seconds from the message to the order: well inside a rehearsal and the attribution window. */
  orderDelaySec: { min: 5, max: 90 },
  replyDelaySec: { min: 2, max: 30 },
} as const;

const NO_THANKS = ['不用了，别再发了', '不需要，谢谢', '退订', '别打扰我了'];
const QUESTIONS = ['优惠到什么时候？', '还有别的颜色吗', '能再便宜点吗', '现在下单什么时候到？', '好的，我晚点看看'];

export type CustomerAnswer =
  | { kind: 'order'; afterMs: number; amountCents: number }
  | { kind: 'reply'; afterMs: number; text: string }
  | { kind: 'ignore' };

/** What one customer does with one outreach message. */
export function answerOutreach(rng: Rng, amountCents: { min: number; max: number }): CustomerAnswer {
  const roll = rng();
  const { orderShare, optOutShare, replyShare, orderDelaySec, replyDelaySec } = INBOX_BEHAVIOUR;
  if (roll < orderShare) {
    return { kind: 'order', afterMs: intBetween(rng, orderDelaySec.min, orderDelaySec.max) * 1000, amountCents: intBetween(rng, amountCents.min, amountCents.max) };
  }
  const afterMs = intBetween(rng, replyDelaySec.min, replyDelaySec.max) * 1000;
  if (roll < orderShare + optOutShare) return { kind: 'reply', afterMs, text: pick(rng, NO_THANKS) };
  if (roll < orderShare + optOutShare + replyShare) return { kind: 'reply', afterMs, text: pick(rng, QUESTIONS) };
  return { kind: 'ignore' };
}

export interface OutreachInboxSettings {
  shops: readonly string[];
  /** Only messages of the rehearsal's own sessions are answered. */
  source: EventSource;
  pollMs: number;
  amountCents: { min: number; max: number };
  /** Makes order ids unique across runs. */
  runId: string;
}

export interface InboxStats {
  received: number;
  ordered: number;
  replied: number;
  ignored: number;
  errors: number;
  lastError: string | null;
}

const PAGE = 500;

export class OutreachInbox {
  readonly stats: InboxStats = { received: 0, ordered: 0, replied: 0, ignored: 0, errors: 0, lastError: null };
  private after = -1;
  private readonly startedAtMs: number;
  private readonly pending = new Set<NodeJS.Timeout>();
  private pollTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly bot: OutreachInboxApi & Pick<BotApi, 'order'>,
    private readonly rng: Rng,
    private readonly settings: OutreachInboxSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAtMs = now();
  }

  start(): void {
    this.pollTimer = setInterval(() => {
      this.polling ??= this.poll().finally(() => {
        this.polling = null;
      });
    }, this.settings.pollMs);
    this.pollTimer.unref();
  }

  /** Stops reading; answers not given yet are never given. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.polling;
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  /** Reads every delivery sent since the last poll; each of this rehearsal's gets its customer's answer. */
  async poll(): Promise<void> {
    try {
      for (;;) {
        const page = await this.bot.outreachInbox(this.after, PAGE);
        this.after = page.next;
        for (const delivery of page.deliveries) this.receive(delivery);
        if (page.deliveries.length < PAGE || this.stopped) return;
      }
    } catch (error) {
      this.failed(error);
    }
  }

  private receive(delivery: OutreachDelivery): void {
    // Messages of an earlier run (the inbox keeps them) or of other traffic are not this rehearsal's.
    if (delivery.source !== this.settings.source || !this.settings.shops.includes(delivery.shopId)) return;
    if (Date.parse(delivery.sentAt) < this.startedAtMs) return;
    this.stats.received += 1;
    const answer = answerOutreach(this.rng, this.settings.amountCents);
    if (answer.kind === 'ignore') {
      this.stats.ignored += 1;
      return;
    }
    this.later(answer.afterMs, async () => {
      if (answer.kind === 'order') {
        await this.bot.order({
          shopId: delivery.shopId,
          sessionId: `${delivery.sessionId}-back`,
          customerId: delivery.customerId,
          orderId: `${this.settings.runId}-outreach-${delivery.outreachEventId}`,
          amountCents: answer.amountCents,
          ...(delivery.sku === undefined ? {} : { sku: delivery.sku }),
          source: delivery.source,
          channel: delivery.channel,
          mode: 'bot',
        });
        this.stats.ordered += 1;
        return;
      }
      await this.bot.outreachReply({
        shopId: delivery.shopId,
        sessionId: delivery.sessionId,
        customerId: delivery.customerId,
        outreachEventId: delivery.outreachEventId,
        text: answer.text,
      });
      this.stats.replied += 1;
    });
  }

  private later(afterMs: number, act: () => Promise<void>): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      if (this.stopped) return;
      act().catch((error: unknown) => this.failed(error));
    }, afterMs);
    timer.unref();
    this.pending.add(timer);
  }

  private failed(error: unknown): void {
    this.stats.errors += 1;
    this.stats.lastError = (error as Error).message;
  }
}
