import type { Channel, EventSource, Stage } from '@warroom/contracts';
import type { OrderState } from './stage';

/** What the bot remembers of one conversation. */
export interface Session {
  readonly shopId: string;
  readonly sessionId: string;
  customerId: string;
  /** The product the conversation is about (last one sent, named or asked from). */
  sku: string | null;
  orderState: OrderState;
  /** Questions in a row that matched nothing. */
  unmatchedStreak: number;
  lastStage: Stage;
  /** Of the newest question: what an agent's flag refers to when it names no question. */
  channel: Channel | null;
  source: EventSource | null;
  lastQuestionEventId: string | null;
  lastSeenMs: number;
}

export interface SessionStoreOptions {
  /** A session idle this long is forgotten (the next message starts afresh). */
  idleMs: number;
  /** At most this many sessions; the least recently active goes first. */
  max: number;
}

/**
 * Sessions in memory, bounded in number and age. A Map iterates in insertion order and every access
 * re-inserts, so the first entries are always the least recently active: eviction and expiry only look
 * at the front.
 */
export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly options: SessionStoreOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  /** The session, created when new or expired, and marked active at `nowMs`. */
  touch(shopId: string, sessionId: string, customerId: string, nowMs: number): Session {
    const key = `${shopId}\u0000${sessionId}`;
    let session = this.sessions.get(key);
    if (session) this.sessions.delete(key);
    if (!session || nowMs - session.lastSeenMs > this.options.idleMs) {
      session = {
        shopId,
        sessionId,
        customerId,
        sku: null,
        orderState: 'none',
        unmatchedStreak: 0,
        lastStage: 'pre_sale',
        channel: null,
        source: null,
        lastQuestionEventId: null,
        lastSeenMs: nowMs,
      };
    }
    session.customerId = customerId;
    session.lastSeenMs = nowMs;
    this.sessions.set(key, session);
    while (this.sessions.size > this.options.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    return session;
  }

  /** The session if it is known and not expired, without marking it active. */
  peek(shopId: string, sessionId: string, nowMs: number): Session | undefined {
    const session = this.sessions.get(`${shopId}\u0000${sessionId}`);
    return session && nowMs - session.lastSeenMs <= this.options.idleMs ? session : undefined;
  }

  /**
   * A conversation another bot had, taken over with its queued customer: kept unless this bot knows a newer
   * one of the session. Inserted as the most recently active (the adopter just took it on).
   */
  restore(session: Session): void {
    const key = `${session.shopId}\u0000${session.sessionId}`;
    const known = this.sessions.get(key);
    if (known && known.lastSeenMs >= session.lastSeenMs) return;
    this.sessions.delete(key);
    this.sessions.set(key, { ...session });
  }

  /** Forgets sessions idle longer than idleMs; returns how many. */
  sweep(nowMs: number): number {
    let removed = 0;
    for (const [key, session] of this.sessions) {
      if (nowMs - session.lastSeenMs <= this.options.idleMs) break;
      this.sessions.delete(key);
      removed += 1;
    }
    return removed;
  }
}
