import type { Channel, ChatReply, EventSource, SimReport, SimSummary, Stage } from '@warroom/contracts';
import { AgentFloor, agentOrderChance, type WaitingCustomer } from './agents';
import type { AgentDeskApi, BotApi } from './bot-client';
import type { Conversation, ConversationSource, Message, Rng } from './conversation';
import { intBetween, pick, pickWeighted } from './conversation';
import { Pacer, type Curve, type Timing } from './curve';
import type { SimAgents } from './profile';

/**
 * A rehearsal: simulated customers talking to the bot, as many questions each moment as the curve asks
 * for. Each due question is either the next message of a customer who has read the bot's reply and
 * thought for a few seconds, or the first message of a new customer; so sessions of several turns
 * interleave while the total follows the curve exactly. Counts come from the bot's replies.
 */

export interface RehearsalSettings {
  curve: Curve;
  timing: Timing;
  shops: readonly string[];
  baseRatePerShop: number;
  source: Extract<EventSource, 'rehearsal' | 'live'>;
  /** Real run time; null: until stop(). */
  realMs: number | null;
  thinkSeconds: { min: number; max: number };
  /** A question due while this many requests are in flight is skipped (and counted). */
  maxInFlight: number;
  /** Prefix of session, customer and order ids: distinct runs never share a session. */
  runId: string;
  /** Simulated human agents taking the handoffs through `desk`; absent: nobody takes them. */
  agents?: {
    profile: SimAgents;
    desk: AgentDeskApi;
    /** Clock minute of curve minute 0 (shifts are in the curve's clock). */
    startClockMinute: number;
    /** Order amounts of customers who order after an agent's chat. */
    orderAmountCents: { min: number; max: number };
  };
}

export interface RehearsalClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: RehearsalClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
};

const TICK_MS = 20;
/** A customer who has not been able to write for this long (the bot is slow, traffic is low) leaves. */
const ABANDON_MS = 60_000;
/** How long a stopping rehearsal waits for the replies still in flight. */
const DRAIN_MS = 10_000;
const CHANNELS: readonly { channel: Channel; weight: number }[] = [
  { channel: 'app', weight: 0.6 },
  { channel: 'mini_program', weight: 0.25 },
  { channel: 'web', weight: 0.15 },
];

interface Customer {
  conversation: Conversation;
  sessionId: string;
  customerId: string;
  channel: Channel;
}

interface Waiting {
  customer: Customer;
  message: Message;
  readyAt: number;
}

export interface ProgressSnapshot {
  elapsedMs: number;
  /** null: runs until stopped. */
  remainingMs: number | null;
  curveMinute: number;
  multiplier: number;
  targetPerSec: number;
  /** Replies per second over the last few seconds. */
  actualPerSec: number;
  questions: number;
  answered: number;
  unmatched: number;
  handoffs: number;
  orders: number;
  errors: number;
  skipped: number;
  inFlight: number;
  /** The simulated agents; null without. */
  agents: { onShift: number; busyChats: number; waiting: number; accepted: number; abandoned: number } | null;
}

export class RehearsalStats {
  questions = 0;
  answered = 0;
  unmatched = 0;
  handoffs = 0;
  sessions = 0;
  orders = 0;
  errors = 0;
  skipped = 0;
  lastError: string | null = null;
  readonly handoffReasons: Record<string, number> = {};
  readonly stages: Record<Stage, number> = { pre_sale: 0, in_sale: 0, after_sale: 0 };
  readonly emotions: Record<string, number> = {};
  peakPerSec = 0;
  private second = 0;
  private inSecond = 0;
  private readonly recent: number[] = [];

  constructor(private readonly startMs: number) {}

  reply(reply: ChatReply, nowMs: number): void {
    this.tick(nowMs);
    this.inSecond += 1;
    this.questions += 1;
    this.stages[reply.stage] += 1;
    this.emotions[reply.emotion.name] = (this.emotions[reply.emotion.name] ?? 0) + 1;
    if (reply.outcome === 'answered') this.answered += 1;
    else if (reply.outcome === 'unmatched') this.unmatched += 1;
    else {
      this.handoffs += 1;
      this.handoffReasons[reply.handoffReason] = (this.handoffReasons[reply.handoffReason] ?? 0) + 1;
    }
  }

  error(error: unknown): void {
    this.errors += 1;
    this.lastError = error instanceof Error ? error.message : String(error);
  }

  /** Closes the per-second buckets up to now (peakPerSec, the recent rate). */
  tick(nowMs: number): void {
    const second = Math.floor((nowMs - this.startMs) / 1000);
    while (this.second < second) {
      this.peakPerSec = Math.max(this.peakPerSec, this.inSecond);
      this.recent.push(this.inSecond);
      if (this.recent.length > 5) this.recent.shift();
      this.inSecond = 0;
      this.second += 1;
    }
  }

  /** Closes the last, partial second too. */
  finish(): void {
    this.peakPerSec = Math.max(this.peakPerSec, this.inSecond);
  }

  recentPerSec(): number {
    return this.recent.length === 0 ? 0 : this.recent.reduce((sum, count) => sum + count, 0) / this.recent.length;
  }

  summary(): SimSummary {
    return { questions: this.questions, answered: this.answered, unmatched: this.unmatched, handoffs: this.handoffs, peakPerSec: this.peakPerSec };
  }
}

export class Rehearsal {
  readonly stats: RehearsalStats;
  readonly startMs: number;
  private readonly pacer: Pacer;
  private readonly waiting: Waiting[] = [];
  private inFlight = 0;
  private stopped = false;
  private sequence = 0;
  private readonly floor: AgentFloor | null;
  private agentsReport: SimReport['agents'] = null;

  constructor(
    private readonly settings: RehearsalSettings,
    private readonly corpus: ConversationSource,
    private readonly bot: BotApi,
    private readonly rng: Rng,
    private readonly clock: RehearsalClock = systemClock,
  ) {
    this.startMs = clock.now();
    this.stats = new RehearsalStats(this.startMs);
    this.pacer = new Pacer(settings.curve, settings.timing, { baseRatePerShop: settings.baseRatePerShop, shops: settings.shops.length }, this.startMs);
    const agents = settings.agents;
    this.floor = agents
      ? new AgentFloor(
          { profile: agents.profile, timing: settings.timing, startClockMinute: agents.startClockMinute, shops: settings.shops, runId: settings.runId },
          agents.desk,
          rng,
          clock,
          this.startMs,
          (customer) => this.orderAfterAgent(customer, agents),
        )
      : null;
  }

  /** Plays the curve until the run time is over or stop() is called, then waits for replies in flight. */
  async run(): Promise<void> {
    const endMs = this.settings.realMs === null ? null : this.startMs + this.settings.realMs;
    while (!this.stopped) {
      const now = this.clock.now();
      const until = endMs === null ? now : Math.min(now, endMs);
      for (let due = this.pacer.due(until); due > 0; due -= 1) this.dispatch(now);
      this.floor?.tick(now);
      this.stats.tick(now);
      this.abandonStale(now);
      if (endMs !== null && now >= endMs) break;
      await this.clock.sleep(TICK_MS);
    }
    this.stopped = true;
    this.floor?.stopAccepting();
    // Replies in flight, and the agents' chats that end within the drain time, still count.
    const drainUntil = this.clock.now() + DRAIN_MS;
    while ((this.inFlight > 0 || this.floor?.busyUntil(drainUntil)) && this.clock.now() < drainUntil) {
      this.floor?.tick(this.clock.now());
      await this.clock.sleep(TICK_MS);
    }
    this.stats.tick(this.clock.now());
    this.stats.finish();
    this.agentsReport = this.floor?.finish() ?? null;
  }

  stop(): void {
    this.stopped = true;
  }

  /** Questions the curve asked for so far. */
  expectedQuestions(): number {
    return this.pacer.total;
  }

  progress(): ProgressSnapshot {
    const now = this.clock.now();
    this.stats.tick(now);
    const elapsedMs = now - this.startMs;
    const at = this.pacer.at(now);
    const s = this.stats;
    return {
      elapsedMs,
      remainingMs: this.settings.realMs === null ? null : Math.max(0, this.settings.realMs - elapsedMs),
      curveMinute: at.curveMinute,
      multiplier: at.multiplier,
      targetPerSec: at.ratePerSec,
      actualPerSec: s.recentPerSec(),
      questions: s.questions,
      answered: s.answered,
      unmatched: s.unmatched,
      handoffs: s.handoffs,
      orders: s.orders,
      errors: s.errors,
      skipped: s.skipped,
      inFlight: this.inFlight,
      agents: this.floor
        ? {
            onShift: this.floor.onShift(now),
            busyChats: this.floor.busyChats,
            waiting: this.floor.waiting,
            accepted: this.floor.stats.accepted,
            abandoned: this.floor.stats.abandoned,
          }
        : null,
    };
  }

  report(profile: string): SimReport {
    const s = this.stats;
    const realSeconds = (this.clock.now() - this.startMs) / 1000;
    return {
      event: 'report',
      profile,
      startedAt: new Date(this.startMs).toISOString(),
      realSeconds: Math.round(realSeconds * 10) / 10,
      curveMinutes: Math.round(((realSeconds * this.settings.timing.speed) / 60) * 10) / 10,
      speed: this.settings.timing.speed,
      sessions: s.sessions,
      orders: s.orders,
      errors: s.errors,
      skipped: s.skipped,
      lastError: s.lastError,
      handoffReasons: { ...s.handoffReasons },
      stages: { ...s.stages },
      emotions: { ...s.emotions },
      expectedQuestions: Math.round(this.pacer.total),
      agents: this.agentsReport,
    };
  }

  private dispatch(now: number): void {
    if (this.inFlight >= this.settings.maxInFlight) {
      this.stats.skipped += 1;
      return;
    }
    const ready = this.takeReady(now);
    if (ready) {
      this.send(ready.customer, ready.message);
      return;
    }
    const shopId = pick(this.rng, this.settings.shops);
    const conversation = this.corpus.start(shopId, now);
    const message = conversation.next(null);
    if (!message) return;
    this.sequence += 1;
    this.stats.sessions += 1;
    const customer: Customer = {
      conversation,
      sessionId: `${this.settings.runId}-s${this.sequence}`,
      customerId: `${this.settings.runId}-c${this.sequence}`,
      channel: pickWeighted(this.rng, CHANNELS, (item) => item.weight).channel,
    };
    this.send(customer, message);
  }

  /** The customer who has been ready to write the longest. */
  private takeReady(now: number): Waiting | null {
    let best = -1;
    for (let i = 0; i < this.waiting.length; i += 1) {
      const candidate = this.waiting[i]!;
      if (candidate.readyAt <= now && (best < 0 || candidate.readyAt < this.waiting[best]!.readyAt)) best = i;
    }
    if (best < 0) return null;
    return this.waiting.splice(best, 1)[0] ?? null;
  }

  private abandonStale(now: number): void {
    for (let i = this.waiting.length - 1; i >= 0; i -= 1) {
      if (this.waiting[i]!.readyAt < now - ABANDON_MS) this.waiting.splice(i, 1);
    }
  }

  private send(customer: Customer, message: Message): void {
    const { conversation } = customer;
    this.inFlight += 1;
    this.bot
      .ask({
        shopId: conversation.shopId,
        sessionId: customer.sessionId,
        customerId: customer.customerId,
        text: message.text,
        channel: customer.channel,
        source: this.settings.source,
        ...(message.sku === undefined ? {} : { sku: message.sku }),
      })
      .then((reply) => {
        const now = this.clock.now();
        this.stats.reply(reply, now);
        if (reply.outcome === 'handoff' && reply.handoffReason !== 'assist_mode' && !this.stopped) {
          this.floor?.customerWaiting(
            { shopId: conversation.shopId, sessionId: customer.sessionId, customerId: customer.customerId, channel: customer.channel, stage: conversation.stage },
            now,
          );
        }
        const next = conversation.next({ outcome: reply.outcome });
        if (next) {
          if (!this.stopped) this.waiting.push({ customer, message: next, readyAt: now + this.thinkMs() });
        } else {
          this.finish(customer);
        }
      })
      .catch((error: unknown) => this.stats.error(error))
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  /** A customer done talking: an order, perhaps. */
  private finish(customer: Customer): void {
    const plan = customer.conversation.order();
    if (!plan || this.stopped) return;
    this.inFlight += 1;
    this.bot
      .order({
        shopId: customer.conversation.shopId,
        sessionId: customer.sessionId,
        customerId: customer.customerId,
        orderId: `${customer.sessionId}-o1`,
        amountCents: plan.amountCents,
        channel: customer.channel,
        source: this.settings.source,
        ...(plan.sku === undefined ? {} : { sku: plan.sku }),
      })
      .then(() => {
        this.stats.orders += 1;
      })
      .catch((error: unknown) => this.stats.error(error))
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  /** After an agent's chat: the customer may order, most likely before the sale (the agents' side of conversion). */
  private orderAfterAgent(customer: WaitingCustomer, agents: NonNullable<RehearsalSettings['agents']>): void {
    if (this.stopped || this.rng() >= agentOrderChance(customer.stage, agents.profile.orderShare)) return;
    this.inFlight += 1;
    this.bot
      .order({
        shopId: customer.shopId,
        sessionId: customer.sessionId,
        customerId: customer.customerId,
        orderId: `${customer.sessionId}-o1`,
        amountCents: intBetween(this.rng, agents.orderAmountCents.min, agents.orderAmountCents.max),
        channel: customer.channel,
        source: this.settings.source,
      })
      .then(() => {
        this.stats.orders += 1;
        if (this.floor) this.floor.stats.orders += 1;
      })
      .catch((error: unknown) => this.stats.error(error))
      .finally(() => {
        this.inFlight -= 1;
      });
  }

  private thinkMs(): number {
    const { min, max } = this.settings.thinkSeconds;
    return (min + this.rng() * (max - min)) * 1000;
  }
}
