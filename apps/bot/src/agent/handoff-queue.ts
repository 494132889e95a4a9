import type { AgentError, Channel, Emotion, EventSource, HandoffReason, Mode, Stage } from '@warroom/contracts';
import { Conflict, NotFound } from '@warroom/nest-common';

/** What the queue knows of a handed-off session (refreshed by each new question of the customer). */
export interface HandedOffSession {
  shopId: string;
  sessionId: string;
  customerId: string;
  channel: Channel;
  source: EventSource;
  mode: Mode;
  stage: Stage;
  sku: string | null;
  handoffReason: HandoffReason;
  lastQuestion: { eventId: string; text: string; atMs: number };
  emotion: Emotion;
  /** Questions the customer asked since the handoff, the handed-off one included. */
  questions: number;
}

export interface QueueEntry extends HandedOffSession {
  handedOffAtMs: number;
  state: 'waiting' | 'active';
  agentId: string | null;
  acceptedAtMs: number | null;
  acceptEventId: string | null;
  /** Last accept, reply or question: active chats idle past the queue's idle bound are forgotten. */
  lastActivityMs: number;
}

type AgentErrorDetails = Omit<AgentError, 'statusCode' | 'message'>;

/** The session is not in the handoff queue (or not the customer's who names it): 404 naming it. */
export function notInQueue(message: string, shopId: string, sessionId: string): NotFound {
  return new NotFound(message, { shopId, sessionId } satisfies AgentErrorDetails);
}

/** The session is in the queue but not in the state the step needs: 409 saying where it stands. */
export function wrongQueueState(message: string, shopId: string, sessionId: string, state: QueueEntry['state']): Conflict {
  return new Conflict(message, { shopId, sessionId, state } satisfies AgentErrorDetails);
}

export interface HandoffQueueOptions {
  /** At most this many sessions (waiting and active); beyond it the oldest waiting one is abandoned. */
  max: number;
  /** An active chat without any activity this long is forgotten (an agent who never ended it). */
  activeIdleMs: number;
}

const key = (shopId: string, sessionId: string): string => `${shopId}\u0000${sessionId}`;

/** Told of every entry that changed (`present` false: it left the queue), after the change: how other bots learn of it. */
export type QueueListener = (entry: QueueEntry, present: boolean) => void;

/**
 * Handed-off sessions waiting for a human, and the chats agents hold, in memory. A Map keeps insertion
 * order, which is handoff order: the waiting sessions are listed oldest first without sorting. Pure apart
 * from the times it is given, so its rules are unit-tested; the service around it emits the events.
 */
export class HandoffQueue {
  private readonly entries = new Map<string, QueueEntry>();
  private waitingCount = 0;
  private listener: QueueListener = () => undefined;

  constructor(private readonly options: HandoffQueueOptions) {}

  /** The one listener of changes (the replication on bot.handoffs). */
  watch(listener: QueueListener): void {
    this.listener = listener;
  }

  get waiting(): number {
    return this.waitingCount;
  }

  get active(): number {
    return this.entries.size - this.waitingCount;
  }

  /**
   * A handoff: a new session waits from now; a session already queued (the customer asked again) keeps
   * its place and state, with its newest question. Returns the entry and any waiting session pushed out
   * by the bound (to be recorded as abandoned).
   */
  handOff(session: HandedOffSession, nowMs: number): { entry: QueueEntry; evicted: QueueEntry[] } {
    const existing = this.entries.get(key(session.shopId, session.sessionId));
    if (existing) {
      // noteQuestion has counted the question already; the first reason stays the reason.
      Object.assign(existing, { ...session, handoffReason: existing.handoffReason, questions: existing.questions, lastActivityMs: nowMs });
      this.listener(existing, true);
      return { entry: existing, evicted: [] };
    }
    const entry: QueueEntry = { ...session, handedOffAtMs: nowMs, state: 'waiting', agentId: null, acceptedAtMs: null, acceptEventId: null, lastActivityMs: nowMs };
    this.entries.set(key(session.shopId, session.sessionId), entry);
    this.waitingCount += 1;
    const evicted: QueueEntry[] = [];
    for (const candidate of this.entries.values()) {
      if (this.entries.size <= this.options.max) break;
      if (candidate.state !== 'waiting') continue;
      this.remove(candidate);
      evicted.push(candidate);
    }
    this.listener(entry, true);
    return { entry, evicted };
  }

  /** A question in a session that is queued (waiting or held): the agent sees it as the newest. */
  noteQuestion(shopId: string, sessionId: string, question: Pick<HandedOffSession, 'lastQuestion' | 'emotion' | 'stage' | 'sku'>, nowMs: number): void {
    const entry = this.entries.get(key(shopId, sessionId));
    if (!entry) return;
    Object.assign(entry, question, { questions: entry.questions + 1, lastActivityMs: nowMs });
    this.listener(entry, true);
  }

  get(shopId: string, sessionId: string): QueueEntry | undefined {
    return this.entries.get(key(shopId, sessionId));
  }

  /** Waiting sessions oldest first (at most `limit`), and how many wait in all, of one shop or every shop. */
  listWaiting(shopId: string | undefined, limit: number): { total: number; entries: QueueEntry[] } {
    const entries: QueueEntry[] = [];
    let total = 0;
    for (const entry of this.entries.values()) {
      if (entry.state !== 'waiting' || (shopId !== undefined && entry.shopId !== shopId)) continue;
      total += 1;
      if (entries.length < limit) entries.push(entry);
    }
    return { total, entries };
  }

  /** Chats agents hold, oldest accept first. */
  listActive(shopId: string | undefined): QueueEntry[] {
    return [...this.entries.values()]
      .filter((entry) => entry.state === 'active' && (shopId === undefined || entry.shopId === shopId))
      .sort((a, b) => (a.acceptedAtMs ?? 0) - (b.acceptedAtMs ?? 0));
  }

  /** An agent takes a waiting session. */
  accept(shopId: string, sessionId: string, agentId: string, acceptEventId: string, nowMs: number): QueueEntry {
    const entry = this.find(shopId, sessionId);
    if (entry.state !== 'waiting') {
      throw wrongQueueState(`session ${sessionId} of shop ${shopId} is already held by agent ${entry.agentId ?? '?'}`, shopId, sessionId, entry.state);
    }
    Object.assign(entry, { state: 'active', agentId, acceptedAtMs: nowMs, acceptEventId, lastActivityMs: nowMs });
    this.waitingCount -= 1;
    this.listener(entry, true);
    return entry;
  }

  /** The chat, when `agentId` holds it (a reply). */
  held(shopId: string, sessionId: string, agentId: string, nowMs: number): QueueEntry {
    const entry = this.find(shopId, sessionId);
    if (entry.state !== 'active' || entry.agentId !== agentId) {
      const why = entry.state === 'waiting' ? 'has not been accepted yet' : `is held by agent ${entry.agentId ?? '?'}`;
      throw wrongQueueState(`session ${sessionId} of shop ${shopId} ${why}, not by ${agentId}`, shopId, sessionId, entry.state);
    }
    entry.lastActivityMs = nowMs;
    return entry;
  }

  /** The agent holding the chat ends it: it leaves the queue. */
  end(shopId: string, sessionId: string, agentId: string, nowMs: number): QueueEntry {
    const entry = this.held(shopId, sessionId, agentId, nowMs);
    this.remove(entry);
    return entry;
  }

  /** The customer of a waiting session gave up: it leaves the queue. */
  abandon(shopId: string, sessionId: string): QueueEntry {
    const entry = this.find(shopId, sessionId);
    if (entry.state !== 'waiting') {
      throw wrongQueueState(`session ${sessionId} of shop ${shopId} is with agent ${entry.agentId ?? '?'}: nothing to abandon`, shopId, sessionId, entry.state);
    }
    this.remove(entry);
    return entry;
  }

  /**
   * Removes waiting sessions handed off more than `maxWaitMs` ago (returned: they are abandoned) and active
   * chats idle longer than the idle bound (forgotten; counted).
   */
  expire(nowMs: number, maxWaitMs: number): { abandoned: QueueEntry[]; forgotten: number } {
    const abandoned: QueueEntry[] = [];
    let forgotten = 0;
    for (const entry of [...this.entries.values()]) {
      if (entry.state === 'waiting' && nowMs - entry.handedOffAtMs > maxWaitMs) {
        this.remove(entry);
        abandoned.push(entry);
      } else if (entry.state === 'active' && nowMs - entry.lastActivityMs > this.options.activeIdleMs) {
        this.remove(entry);
        forgotten += 1;
      }
    }
    return { abandoned, forgotten };
  }

  /** Every queued session, in queue order. */
  all(): QueueEntry[] {
    return [...this.entries.values()];
  }

  /**
   * Sessions a dead bot held, taken over with their place (handoff time), state and agent; a session
   * queued here already keeps its own entry. The queue stays in handoff order.
   */
  adopt(adopted: readonly QueueEntry[]): QueueEntry[] {
    const taken = adopted.filter((entry) => !this.entries.has(key(entry.shopId, entry.sessionId))).map((entry) => ({ ...entry }));
    if (taken.length === 0) return [];
    const ordered = [...this.entries.values(), ...taken].sort((a, b) => a.handedOffAtMs - b.handedOffAtMs);
    this.entries.clear();
    for (const entry of ordered) this.entries.set(key(entry.shopId, entry.sessionId), entry);
    this.waitingCount += taken.filter((entry) => entry.state === 'waiting').length;
    for (const entry of taken) this.listener(entry, true);
    return taken;
  }

  /** Forgets a session another bot holds now (this one was found dead meanwhile), without telling anyone. */
  drop(shopId: string, sessionId: string): void {
    const entry = this.entries.get(key(shopId, sessionId));
    if (!entry) return;
    this.entries.delete(key(shopId, sessionId));
    if (entry.state === 'waiting') this.waitingCount -= 1;
  }

  private find(shopId: string, sessionId: string): QueueEntry {
    const entry = this.entries.get(key(shopId, sessionId));
    if (!entry) throw notInQueue(`session ${sessionId} of shop ${shopId} is not in the handoff queue`, shopId, sessionId);
    return entry;
  }

  private remove(entry: QueueEntry): void {
    this.drop(entry.shopId, entry.sessionId);
    this.listener(entry, false);
  }
}
