import type { Channel, EventSource, ShopOutreach, Stage } from '@warroom/contracts';
import { observeCues, scoreIntent, type Intent, type SessionCues } from './intent';

/** What an outreach event of the session repeats from its last question. */
export interface SessionFacts {
  source: EventSource;
  channel: Channel;
  stage: Stage;
  sku?: string;
}

export interface TrackedSession {
  readonly shopId: string;
  readonly sessionId: string;
  customerId: string;
  cues: SessionCues;
  /** The intent last recorded as an `intent` event; null: none yet. */
  intent: Intent | null;
  facts: SessionFacts | null;
  ordered: boolean;
  lastSeenMs: number;
  /** When the session was first found ended (idle); reset by the customer's next message. */
  endedAtMs: number | null;
}

const key = (shopId: string, sessionId: string): string => `${shopId}\u0000${sessionId}`;

/**
 * The sessions that showed intent (or ordered), in order of last activity: a Map iterates in insertion
 * order and every message re-inserts, so the sessions that went quiet first are at the front. Bounded:
 * past `max`, the least recently active are forgotten (never reached out to).
 */
export class SessionIntents {
  private readonly sessions = new Map<string, TrackedSession>();

  constructor(private readonly options: { max: number; idleMs: number }) {}

  get size(): number {
    return this.sessions.size;
  }

  /**
   * One customer message: its cues added to the session's. Returns the session's intent when it differs
   * from the one last recorded (a new `intent` event is due), else null. A session without any cue is not
   * kept.
   */
  observe(
    ids: { shopId: string; sessionId: string; customerId: string },
    facts: SessionFacts,
    text: string,
    rules: ShopOutreach,
    nowMs: number,
  ): Intent | null {
    const k = key(ids.shopId, ids.sessionId);
    let session = this.sessions.get(k);
    if (session) {
      this.sessions.delete(k);
    } else {
      const cues: SessionCues = new Map();
      if (!observeCues(cues, text, facts.stage, rules)) return null;
      session = { ...ids, cues, intent: null, facts, ordered: false, lastSeenMs: nowMs, endedAtMs: null };
      return this.changed(this.insert(k, session), rules);
    }
    session.customerId = ids.customerId;
    session.facts = facts;
    session.lastSeenMs = nowMs;
    session.endedAtMs = null;
    this.insert(k, session);
    observeCues(session.cues, text, facts.stage, rules);
    return this.changed(session, rules);
  }

  /** An order in the session: it is never reached out to. */
  noteOrder(ids: { shopId: string; sessionId: string; customerId: string }, nowMs: number): void {
    const k = key(ids.shopId, ids.sessionId);
    const session = this.sessions.get(k);
    if (session) {
      session.ordered = true;
      return;
    }
    // Remembered even without cues: a cue after the order must not make the session reachable.
    this.insert(k, { ...ids, cues: new Map(), intent: null, facts: null, ordered: true, lastSeenMs: nowMs, endedAtMs: null });
  }

  /** Sessions idle for at least idleMs, least recently active first; each is marked ended when first found. */
  ended(nowMs: number): TrackedSession[] {
    const ended: TrackedSession[] = [];
    for (const session of this.sessions.values()) {
      if (nowMs - session.lastSeenMs < this.options.idleMs) break;
      session.endedAtMs ??= nowMs;
      ended.push(session);
    }
    return ended;
  }

  forget(session: TrackedSession): void {
    const k = key(session.shopId, session.sessionId);
    if (this.sessions.get(k) === session) this.sessions.delete(k);
  }

  private insert(k: string, session: TrackedSession): TrackedSession {
    this.sessions.set(k, session);
    while (this.sessions.size > this.options.max) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) break;
      this.sessions.delete(oldest.value);
    }
    return session;
  }

  private changed(session: TrackedSession, rules: ShopOutreach): Intent | null {
    const intent = scoreIntent(session.cues, rules);
    if (!intent || (session.intent && session.intent.scenario === intent.scenario && session.intent.score === intent.score)) return null;
    session.intent = intent;
    return intent;
  }
}
