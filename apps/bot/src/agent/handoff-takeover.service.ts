import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { botHandoffKeys, type BotHandoffRecord, type BotIncarnation, type ConversationMemory } from '@warroom/contracts';
import { SessionStore } from '../chat/session-store';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';
import { CLOCK, type Clock } from '../repositories/clock';
import { HandoffLogRepository, type HandoffLogEntry } from '../repositories/handoff-log.repository';
import { HandoffLedger } from './handoff-ledger';
import { HandoffQueue, type QueueEntry } from './handoff-queue';
import { rendezvousPick } from './rendezvous';

/** Presences per lease: a bot survives four lost or late ones before the others take over. */
const PRESENCES_PER_LEASE = 5;
/** After a failed append, the next try (the records wait, the newest state of each session kept). */
const RETRY_MS = 1_000;

type Pending =
  | { kind: 'presence' }
  | { kind: 'session'; entry: QueueEntry; present: boolean }
  /** The session goes to `to`, which the routing picks for it again. */
  | { kind: 'handover'; entry: QueueEntry; to: BotIncarnation };

/**
 * A bot that dies hands its queued customers to the others (issue 20). This bot appends its presence and
 * every change of its handoff queue (with what it remembers of each conversation) to `bot.handoffs`, and
 * follows everyone's through `HandoffLedger`: when the ledger finds a bot dead, the sessions it held that
 * rendezvous hashing gives to this bot are taken into this bot's queue and session store, with their place,
 * state and agent, so an agent still sees and takes them and the customer's next message, which the
 * balancer now routes here, continues the conversation. When a bot comes back (the balancer routes its
 * customers to it again), each holder hands it the sessions the routing now gives it. When the ledger finds
 * this bot dead (silent past the lease: stopped, or cut off from Kafka), it drops what the others took and
 * starts over as a new run.
 */
@Injectable()
export class HandoffTakeoverService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HandoffTakeoverService.name);
  private readonly ledger: HandoffLedger;
  private readonly startedAtMs: number;
  private me: BotIncarnation;
  private readonly pending = new Map<string, Pending>();
  private sending = false;
  private scheduled = false;
  /** Changes handed to `write` so far, and how many of them Kafka acknowledged (in order). */
  private changes = 0;
  private appended = 0;
  private waiters: { through: number; resolve: () => void }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private adoptedTotal = 0;

  constructor(
    private readonly queue: HandoffQueue,
    private readonly sessions: SessionStore,
    private readonly log: HandoffLogRepository,
    @Inject(BOT_CONFIG) private readonly config: BotConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.ledger = new HandoffLedger({ presenceLeaseMs: config.takeover.afterMs });
    this.startedAtMs = clock.now();
    this.me = { botId: config.takeover.botId, incarnation: randomUUID() };
  }

  async onApplicationBootstrap(): Promise<void> {
    this.queue.watch((entry, present) => this.write(botHandoffKeys.session(entry.shopId, entry.sessionId), { kind: 'session', entry, present }));
    this.write(botHandoffKeys.presence(this.me.botId), { kind: 'presence' });
    this.timer = setInterval(() => this.write(botHandoffKeys.presence(this.me.botId), { kind: 'presence' }), this.config.takeover.afterMs / PRESENCES_PER_LEASE);
    this.timer.unref();
    await this.log.follow((records) => Promise.resolve(this.take(records)));
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Sessions this bot took over from dead bots since it started. */
  get adopted(): number {
    return this.adoptedTotal;
  }

  /** Changes handed to the log so far: a handler that moved it changed the queue. */
  get changeMark(): number {
    return this.changes;
  }

  /**
   * Resolves once the changes up to `mark` are on the log (or after `maxWaitMs`, with the broker away): a
   * customer is told they wait for a person only once another bot could take them over.
   */
  replicated(mark: number, maxWaitMs: number): Promise<void> {
    if (this.appended >= mark) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, maxWaitMs);
      this.waiters.push({ through: mark, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }

  /** One run of the log, in order: the ledger's decisions about this bot are carried out once the run is applied. */
  take(records: readonly HandoffLogEntry[]): void {
    const adopted: QueueEntry[] = [];
    const fromBots = new Set<string>();
    let fenced = false;
    let joined = false;
    for (const record of records) {
      for (const decision of this.ledger.apply(record)) {
        if (decision.kind === 'dead') {
          if (decision.incarnation.incarnation === this.me.incarnation) fenced = true;
          continue;
        }
        if (decision.kind === 'live') {
          if (decision.incarnation.incarnation !== this.me.incarnation) joined = true;
          continue;
        }
        const { entry, memory } = decision.held;
        if (decision.to.incarnation === this.me.incarnation) {
          adopted.push(entry);
          fromBots.add(decision.from.botId);
          if (memory) this.sessions.restore({ shopId: entry.shopId, sessionId: entry.sessionId, customerId: entry.customerId, ...memory });
        } else if (decision.from.incarnation === this.me.incarnation) {
          // Ours until we were found dead: another bot has it now.
          this.queue.drop(entry.shopId, entry.sessionId);
        }
      }
    }
    if (fenced) this.startOver();
    const taken = this.queue.adopt(adopted);
    if (taken.length > 0) {
      this.adoptedTotal += taken.length;
      this.logger.warn(`took over ${taken.length} queued customer(s) from ${[...fromBots].join(', ')}`);
    }
    if (joined && !fenced) this.handBack();
  }

  /** A bot (re)appeared: the sessions the routing now sends to it are handed to it, and let go of here at once. */
  private handBack(): void {
    const live = this.ledger.liveBots().map((incarnation) => ({ name: incarnation.botId, incarnation }));
    if (!live.some((bot) => bot.incarnation.incarnation === this.me.incarnation)) return;
    let handed = 0;
    for (const entry of this.queue.all()) {
      const to = rendezvousPick(entry.sessionId, live)!.incarnation;
      if (to.incarnation === this.me.incarnation) continue;
      this.write(botHandoffKeys.session(entry.shopId, entry.sessionId), { kind: 'handover', entry, to });
      this.queue.drop(entry.shopId, entry.sessionId);
      handed += 1;
    }
    if (handed > 0) this.logger.log(`handed ${handed} queued customer(s) to the bots the routing sends them to again`);
  }

  /** Found dead by the others: a new run, which announces itself and the customers this bot still holds. */
  private startOver(): void {
    const old = this.me.incarnation;
    this.me = { botId: this.me.botId, incarnation: randomUUID() };
    this.logger.error(
      `this bot was silent on bot.handoffs past ${this.config.takeover.afterMs} ms (run ${old}): the others took over its queued customers; ` +
        `it goes on as a new run with the ${this.queue.all().length} it still holds`,
    );
    this.pending.clear();
    this.write(botHandoffKeys.presence(this.me.botId), { kind: 'presence' });
    for (const entry of this.queue.all()) this.write(botHandoffKeys.session(entry.shopId, entry.sessionId), { kind: 'session', entry, present: true });
  }

  private write(key: string, item: Pending): void {
    // The newest state of a key replaces one not sent yet; its place follows the newest change.
    this.pending.delete(key);
    this.pending.set(key, item);
    this.changes += 1;
    if (this.scheduled || this.sending) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.sending || this.pending.size === 0) return;
    this.sending = true;
    const batch = [...this.pending];
    this.pending.clear();
    const through = this.changes;
    try {
      await this.log.append(batch.map(([key, item]) => ({ key, value: this.recordOf(item) })));
      this.appended = through;
      const ready = this.waiters.filter((waiter) => waiter.through <= through);
      this.waiters = this.waiters.filter((waiter) => waiter.through > through);
      for (const waiter of ready) waiter.resolve();
    } catch (error) {
      this.logger.warn(`bot.handoffs append failed (${error instanceof Error ? error.message : String(error)}): retrying in ${RETRY_MS} ms`);
      // Put back what no newer change replaced meanwhile, ahead of the newer changes.
      const newer = [...this.pending];
      this.pending.clear();
      for (const [key, item] of batch) if (!newer.some(([newerKey]) => newerKey === key)) this.pending.set(key, item);
      for (const [key, item] of newer) this.pending.set(key, item);
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    } finally {
      this.sending = false;
      if (this.pending.size > 0) void this.flush();
    }
  }

  private recordOf(item: Pending): BotHandoffRecord | null {
    if (item.kind === 'presence') return { kind: 'presence', ...this.me, startedAtMs: this.startedAtMs };
    if (item.kind === 'session' && !item.present) return null;
    const { entry } = item;
    const session = this.sessions.peek(entry.shopId, entry.sessionId, this.clock.now());
    const memory: ConversationMemory | null = session
      ? {
          sku: session.sku,
          orderState: session.orderState,
          unmatchedStreak: session.unmatchedStreak,
          lastStage: session.lastStage,
          channel: session.channel,
          source: session.source,
          lastQuestionEventId: session.lastQuestionEventId,
          lastSeenMs: session.lastSeenMs,
        }
      : null;
    return {
      kind: 'held',
      ...(item.kind === 'handover' ? { ...item.to, from: this.me } : this.me),
      entry: { ...entry, lastQuestion: { ...entry.lastQuestion }, emotion: { ...entry.emotion } },
      memory,
    };
  }
}
