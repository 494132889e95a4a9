import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  outreachLogRecordSchema,
  type ChatEvent,
  type OutreachDelivery,
  type OutreachInbox,
  type OutreachInboxQuery,
  type OutreachLogRecord,
  type OutreachReplyRequest,
  type OutreachReplyResult,
  type ShopOutreach,
} from '@warroom/contracts';
import type { LogRecord } from '@warroom/kafka';
import { NotFound } from '@warroom/nest-common';
import { HandoffQueue } from '../agent/handoff-queue';
import { CHAT_SETTINGS, type ChatSettings } from '../chat/chat-settings';
import { EVENT_SINK, type EventSink } from '../events/event-outbox';
import { CLOCK, type Clock } from '../repositories/clock';
import { ContactLedger } from './contact-ledger';
import { decideContact, type SkipReason } from './contact-rules';
import type { Intent } from './intent';
import { saysNo } from './opt-out';
import { OUTREACH_CHANNEL, type OutreachChannel } from './outreach-channel';
import { OUTREACH_LOG, type OutreachLog } from '../repositories/outreach-log';
import { SessionIntents, type TrackedSession } from './session-intents';

export const OUTREACH_RULES = Symbol('OUTREACH_RULES');
/** Each shop's outreach rules, from its pack (a shop without them never reaches out). */
export type OutreachRules = ReadonlyMap<string, ShopOutreach>;

export const OUTREACH_SETTINGS = Symbol('OUTREACH_SETTINGS');
export interface OutreachSettings {
  idleMs: number;
  sweepMs: number;
  maxWaitMs: number;
  /** Sessions with intent kept at most (the bot's BOT_MAX_SESSIONS). */
  maxSessions: number;
}

/** The fields every ChatEvent of a session carries, as ChatService computed them for its question. */
export type EventCommon = Omit<Extract<ChatEvent, { kind: 'abandon' }>, 'kind' | 'eventId'>;

/** A granted touch is known once this bot applied it from the log; past this, the session is let go. */
const GRANT_TIMEOUT_MS = 10_000;
const INBOX_DELIVERIES_KEPT = 50_000;
const TOUCHED_CUSTOMERS_BEFORE_PRUNE = 100_000;

/** Bounded, so it can be a metric's label. */
type Outcome = SkipReason | 'outreach' | 'follow_up' | `refused_${'opted_out' | 'daily_cap'}` | 'log_unavailable' | 'channel_failed';

/**
 * The bot reaching high-intent customers (DESIGN.md "Outreach"). Scores each message's cues with the
 * shop's rules and records an `intent` event when a session's scenario or score changes; when such a
 * session ends (silent for BOT_OUTREACH_IDLE_MS) without an order, applies the contact rules, asks the
 * `outreach.contacts` log for the touch, and once granted sends the scenario's template through the
 * channel (`outreach`) or puts the session on the agents' follow-up list (`follow_up_open`). Replies come
 * back through the customer surface; a "no" is appended to the log, so every bot honours it for good.
 */
@Injectable()
export class OutreachService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutreachService.name);
  private readonly ledger = new ContactLedger({ maxDeliveries: INBOX_DELIVERIES_KEPT, touchedCustomersBeforePrune: TOUCHED_CUSTOMERS_BEFORE_PRUNE });
  private readonly intents: SessionIntents;
  private readonly grants = new Map<string, (granted: boolean) => void>();
  private readonly outcomes = new Map<Outcome, number>();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    @Inject(OUTREACH_RULES) private readonly rules: OutreachRules,
    @Inject(OUTREACH_SETTINGS) private readonly settings: OutreachSettings,
    @Inject(CHAT_SETTINGS) private readonly chatSettings: ChatSettings,
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OUTREACH_CHANNEL) private readonly channel: OutreachChannel,
    private readonly queue: HandoffQueue,
    @Inject(OUTREACH_LOG) private readonly log: OutreachLog,
  ) {
    this.intents = new SessionIntents({ max: settings.maxSessions, idleMs: settings.idleMs });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.rules.size === 0) return;
    await this.log.follow((records) => Promise.resolve(this.take(records)));
    this.timer = setInterval(() => void this.sweep(), this.settings.sweepMs);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /**
   * A customer's message in bot mode: returns the `intent` event to record with it, if the session's
   * intent changed. Replays (past questions asked again) and assist mode (a person holds the chat) are
   * not judged: nobody is to be reached from them.
   */
  observeQuestion(common: EventCommon, text: string): ChatEvent[] {
    const rules = this.rules.get(common.shopId);
    if (!rules || common.source === 'replay' || common.mode !== 'bot') return [];
    const facts = { source: common.source, channel: common.channel, stage: common.stage ?? 'pre_sale', ...(common.sku === undefined ? {} : { sku: common.sku }) };
    const intent = this.intents.observe(common, facts, text, rules, Date.parse(common.eventTime));
    if (!intent) return [];
    return [{ ...common, eventId: randomUUID(), kind: 'intent', scenario: intent.scenario, intentScore: intent.score }];
  }

  /** An order in the session: it is not reached out to. */
  noteOrder(ids: { shopId: string; sessionId: string; customerId: string }): void {
    if (this.rules.has(ids.shopId)) this.intents.noteOrder(ids, this.clock.now());
  }

  /** The customer answers an outreach (through the bot's customer surface). */
  async reply(request: OutreachReplyRequest): Promise<OutreachReplyResult> {
    const delivery = this.ledger.delivery(request.outreachEventId);
    if (!delivery || delivery.shopId !== request.shopId || delivery.customerId !== request.customerId || delivery.sessionId !== request.sessionId) {
      throw new NotFound(`no outreach ${request.outreachEventId} to customer ${request.customerId} of shop ${request.shopId} in session ${request.sessionId}`);
    }
    const optOut = request.optOut ?? saysNo(request.text);
    // Acknowledged by the broker before the customer hears back: a "no" is never lost.
    if (optOut) await this.log.append([{ type: 'opt_out', shopId: delivery.shopId, customerId: delivery.customerId, outreachEventId: delivery.outreachEventId }]);
    const eventId = randomUUID();
    this.sink.publish([
      { ...this.deliveryCommon(delivery, this.clock.now()), eventId, kind: 'outreach_reply', text: request.text, optOut, outreachEventId: delivery.outreachEventId },
    ]);
    return { eventId, optOut };
  }

  inbox(query: OutreachInboxQuery): OutreachInbox {
    return this.ledger.inbox(query.after, query.limit);
  }

  /** What came of the sessions judged since the start, by outcome (for `/metrics`). */
  outcomeCounts(): ReadonlyMap<Outcome, number> {
    return this.outcomes;
  }

  /** Judges the sessions that ended; one sweep at a time. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => {
      this.sweeping = null;
    });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const nowMs = this.clock.now();
    const touches: { session: TrackedSession & { facts: NonNullable<TrackedSession['facts']> }; intent: Intent; touch: 'outreach' | 'follow_up'; record: OutreachLogRecord & { type: 'touch' } }[] = [];
    for (const session of this.intents.ended(nowMs)) {
      const decision = decideContact({
        nowMs,
        rules: this.rules.get(session.shopId),
        intent: session.intent,
        ordered: session.ordered,
        handoffOpen: this.queue.get(session.shopId, session.sessionId) !== undefined,
        optedOut: this.ledger.isOptedOut(session.shopId, session.customerId),
        touchedOn: (day) => this.ledger.touchedOn(session.shopId, session.customerId, day),
        endedAtMs: session.endedAtMs ?? nowMs,
        maxWaitMs: this.settings.maxWaitMs,
      });
      if (decision.action === 'wait') continue;
      this.intents.forget(session);
      const { facts, intent } = session;
      if (decision.action === 'skip' || facts === null || intent === null) {
        this.count(decision.action === 'skip' ? decision.reason : 'low_intent');
        continue;
      }
      const record = { type: 'touch' as const, proposalId: randomUUID(), touch: decision.action, shopId: session.shopId, customerId: session.customerId, day: decision.day };
      touches.push({ session: { ...session, facts }, intent, touch: decision.action, record });
    }
    if (touches.length === 0) return;

    const granted = touches.map(({ record }) => this.grantOf(record.proposalId));
    try {
      await this.log.append(touches.map(({ record }) => record));
    } catch (error) {
      for (const { record } of touches) this.grants.get(record.proposalId)?.(false);
      this.count('log_unavailable', touches.length);
      this.logger.warn(`outreach.contacts refused ${touches.length} touch(es), those sessions are not reached: ${(error as Error).message}`);
      return;
    }
    const decided = await Promise.all(granted);
    const sentAt = this.clock.now();
    const deliveries: { delivery: OutreachDelivery; event: ChatEvent }[] = [];
    const followUps: ChatEvent[] = [];
    touches.forEach(({ session, intent, touch }, index) => {
      if (!decided[index]) return;
      const common = { ...this.sessionCommon(session, sentAt), eventId: randomUUID(), scenario: intent.scenario, intentScore: intent.score };
      if (touch === 'follow_up') {
        followUps.push({ ...common, kind: 'follow_up_open' });
        return;
      }
      const text = this.rules.get(session.shopId)?.scenarios[intent.scenario]?.template;
      if (text === undefined) return;
      deliveries.push({
        event: { ...common, kind: 'outreach', text },
        delivery: {
          outreachEventId: common.eventId,
          shopId: session.shopId,
          customerId: session.customerId,
          sessionId: session.sessionId,
          source: session.facts.source,
          channel: session.facts.channel,
          scenario: intent.scenario,
          intentScore: intent.score,
          text,
          ...(session.facts.sku === undefined ? {} : { sku: session.facts.sku }),
          sentAt: new Date(sentAt).toISOString(),
        },
      });
    });
    if (followUps.length > 0) {
      this.sink.publish(followUps);
      this.count('follow_up', followUps.length);
    }
    if (deliveries.length === 0) return;
    try {
      await this.channel.deliver(deliveries.map(({ delivery }) => delivery));
    } catch (error) {
      // The touches stay used: a customer may miss a message, never get two.
      this.count('channel_failed', deliveries.length);
      this.logger.warn(`the outreach channel failed ${deliveries.length} delivery(ies): ${(error as Error).message}`);
      return;
    }
    this.sink.publish(deliveries.map(({ event }) => event));
    this.count('outreach', deliveries.length);
    try {
      // What was sent, for every bot: any of them takes the customer's reply, and lists it in the inbox.
      await this.log.append(deliveries.map(({ delivery }) => ({ type: 'delivery' as const, delivery })));
    } catch (error) {
      this.logger.warn(`${deliveries.length} delivered outreach(es) could not be recorded on outreach.contacts; replies to them will be refused: ${(error as Error).message}`);
    }
  }

  /** Resolves with whether the touch was granted, once this bot applied it (false after GRANT_TIMEOUT_MS). */
  private grantOf(proposalId: string): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timeout = setTimeout(() => {
        this.grants.delete(proposalId);
        this.logger.warn(`touch ${proposalId} was not applied from outreach.contacts within ${GRANT_TIMEOUT_MS} ms: the session is not reached`);
        resolve(false);
      }, GRANT_TIMEOUT_MS);
      this.grants.set(proposalId, (granted) => {
        clearTimeout(timeout);
        this.grants.delete(proposalId);
        resolve(granted);
      });
    });
  }

  private take(records: readonly LogRecord[]): void {
    for (const record of records) {
      const parsed = record.value === null ? null : parseRecord(record.value.toString('utf8'));
      if (!parsed) {
        this.logger.error(`outreach.contacts offset ${record.offset} is not an outreach record: skipped`);
        continue;
      }
      const applied = this.ledger.apply(Number(record.offset), parsed);
      if (applied.type !== 'touch') continue;
      if (!applied.granted) this.count(`refused_${applied.reason}`);
      this.grants.get(applied.proposalId)?.(applied.granted);
    }
  }

  private sessionCommon(session: TrackedSession & { facts: NonNullable<TrackedSession['facts']> }, nowMs: number): EventCommon {
    return {
      v: 1,
      eventTime: new Date(nowMs).toISOString(),
      source: session.facts.source,
      campaignId: this.chatSettings.campaignId,
      shopId: session.shopId,
      sessionId: session.sessionId,
      customerId: session.customerId,
      channel: session.facts.channel,
      mode: 'bot',
      stage: session.facts.stage,
      ...(session.facts.sku === undefined ? {} : { sku: session.facts.sku }),
    };
  }

  private deliveryCommon(delivery: OutreachDelivery, nowMs: number): EventCommon {
    return {
      v: 1,
      eventTime: new Date(nowMs).toISOString(),
      source: delivery.source,
      campaignId: this.chatSettings.campaignId,
      shopId: delivery.shopId,
      sessionId: delivery.sessionId,
      customerId: delivery.customerId,
      channel: delivery.channel,
      mode: 'bot',
      ...(delivery.sku === undefined ? {} : { sku: delivery.sku }),
    };
  }

  private count(outcome: Outcome, by = 1): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + by);
  }
}

function parseRecord(text: string): OutreachLogRecord | null {
  try {
    const parsed = outreachLogRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
