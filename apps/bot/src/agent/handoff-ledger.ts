import { sessionOfHandoffKey, type BotHandoffRecord, type BotIncarnation, type HeldSession } from '@warroom/contracts';
import { rendezvousPick } from './rendezvous';

/** One record of `bot.handoffs` as the ledger applies it: the value parsed, null for a tombstone. */
export interface HandoffLogRecord {
  key: string;
  /** The broker's timestamp: every bot reads the same one, so every bot decides the same at the same record. */
  timestampMs: number;
  value: BotHandoffRecord | null;
}

/** What applying a record decided, for the bots it concerns. */
export type HandoffDecision =
  /** `to` holds the session from now on; its previous holder (`from`) is dead. */
  | { kind: 'adopt'; to: BotIncarnation; from: BotIncarnation; held: HeldSession }
  /** This run of a bot is dead for the deployment: its records are ignored from now on. */
  | { kind: 'dead'; incarnation: BotIncarnation }
  /** A run of a bot appeared (a bot started, or came back): the routing may send it customers others hold. */
  | { kind: 'live'; incarnation: BotIncarnation };

export interface HandoffLedgerOptions {
  /** A bot whose presence is older than this (in log time) is dead. */
  presenceLeaseMs: number;
}

interface Presence {
  incarnation: BotIncarnation;
  startedAtMs: number;
  lastSeenMs: number;
}

/**
 * Which bot holds each queued session, as every bot agrees from `bot.handoffs` (pure; one rule, applied in
 * log order by every bot, so all reach the same decisions at the same records without talking).
 *
 * - A bot is live while its latest presence is at most the lease old, in log time (the newest record
 *   timestamp applied). A newer run of the same bot id (a restart) ends the older one at once. A run
 *   found dead stays dead: whatever it writes later is ignored (it fences itself when it reads so).
 * - A session's record is taken from its holder, or from any live bot when nobody holds it (a new
 *   handoff) or its holder is dead. A tombstone removes the session (only a holder writes one).
 * - When a run dies, each session it held goes to the bot that rendezvous hashing of the session id picks
 *   among the live bots: the one the customer's next message is routed to. With no live bot the sessions
 *   wait, and go at the next presence.
 * - A holder hands a session to a live bot (one that came back and that the routing picks again) with a
 *   record naming itself as `from`: taken when it still holds the session and the receiver is live;
 *   otherwise the session stays, and goes back to, the holder.
 */
export class HandoffLedger {
  private readonly presence = new Map<string, Presence>();
  private readonly dead = new Set<string>();
  private readonly sessions = new Map<string, HeldSession>();
  private logTimeMs = 0;

  constructor(private readonly options: HandoffLedgerOptions) {}

  /** The session's newest accepted state, or undefined when no bot holds it. */
  holding(key: string): HeldSession | undefined {
    return this.sessions.get(key);
  }

  /** Live bots by id, as of the last record applied. */
  liveBots(): BotIncarnation[] {
    return [...this.presence.values()].map((presence) => presence.incarnation);
  }

  isDead(incarnation: BotIncarnation): boolean {
    return this.dead.has(incarnation.incarnation);
  }

  get heldCount(): number {
    return this.sessions.size;
  }

  apply(record: HandoffLogRecord): HandoffDecision[] {
    this.logTimeMs = Math.max(this.logTimeMs, record.timestampMs);
    const decisions: HandoffDecision[] = [];
    const value = record.value;
    if (value === null) {
      if (sessionOfHandoffKey(record.key)) this.sessions.delete(record.key);
    } else if (value.kind === 'presence') {
      this.present(value, decisions);
    } else if (value.from) {
      this.handOver(record.key, value, value.from, decisions);
    } else if (!this.dead.has(value.incarnation)) {
      const current = this.sessions.get(record.key);
      if (!current || sameRun(current, value) || this.dead.has(current.incarnation)) this.sessions.set(record.key, value);
    }
    for (const presence of [...this.presence.values()]) {
      if (this.logTimeMs - presence.lastSeenMs > this.options.presenceLeaseMs) this.kill(presence.incarnation, decisions);
    }
    if (decisions.some((decision) => decision.kind === 'dead') || (value?.kind === 'presence' && this.orphans())) this.reassign(decisions);
    return decisions;
  }

  private present(value: BotHandoffRecord & { kind: 'presence' }, decisions: HandoffDecision[]): void {
    if (this.dead.has(value.incarnation)) return;
    const incarnation = { botId: value.botId, incarnation: value.incarnation };
    const known = this.presence.get(value.botId);
    if (known && known.incarnation.incarnation !== value.incarnation) {
      // Two runs of one bot id: the later start is the bot; the other has been restarted away.
      if (value.startedAtMs < known.startedAtMs) {
        this.kill(incarnation, decisions);
        return;
      }
      this.kill(known.incarnation, decisions);
    }
    if (known?.incarnation.incarnation !== value.incarnation) decisions.push({ kind: 'live', incarnation });
    this.presence.set(value.botId, { incarnation, startedAtMs: value.startedAtMs, lastSeenMs: this.logTimeMs });
  }

  private handOver(key: string, value: HeldSession, from: BotIncarnation, decisions: HandoffDecision[]): void {
    const current = this.sessions.get(key);
    if (!current || !sameRun(current, from) || this.dead.has(from.incarnation)) return;
    const held: HeldSession = { kind: 'held', botId: value.botId, incarnation: value.incarnation, entry: value.entry, memory: value.memory };
    const to = { botId: held.botId, incarnation: held.incarnation };
    if (this.presence.get(to.botId)?.incarnation.incarnation === to.incarnation) {
      this.sessions.set(key, held);
      decisions.push({ kind: 'adopt', to, from, held });
    } else {
      // The receiver is gone already: the holder keeps the session (it let go of it when it wrote this).
      decisions.push({ kind: 'adopt', to: from, from, held: current });
    }
  }

  private kill(incarnation: BotIncarnation, decisions: HandoffDecision[]): void {
    if (this.dead.has(incarnation.incarnation)) return;
    this.dead.add(incarnation.incarnation);
    if (this.presence.get(incarnation.botId)?.incarnation.incarnation === incarnation.incarnation) this.presence.delete(incarnation.botId);
    decisions.push({ kind: 'dead', incarnation });
  }

  private orphans(): boolean {
    for (const held of this.sessions.values()) if (this.dead.has(held.incarnation)) return true;
    return false;
  }

  private reassign(decisions: HandoffDecision[]): void {
    const live = this.liveBots().map((incarnation) => ({ name: incarnation.botId, incarnation }));
    if (live.length === 0) return;
    for (const [key, held] of this.sessions) {
      if (!this.dead.has(held.incarnation)) continue;
      const to = rendezvousPick(held.entry.sessionId, live)!.incarnation;
      const adopted: HeldSession = { ...held, ...to };
      this.sessions.set(key, adopted);
      decisions.push({ kind: 'adopt', to, from: { botId: held.botId, incarnation: held.incarnation }, held: adopted });
    }
  }
}

function sameRun(a: BotIncarnation, b: BotIncarnation): boolean {
  return a.incarnation === b.incarnation && a.botId === b.botId;
}
