/**
 * Growth pushes of one gap at most every `minIntervalMs` (2 per second by default): a gap asked 200 times a
 * second must not send 200 frames a second to every wall. Other changes (opened, state, merged) go at
 * once and count as a push. Pure: the caller passes the time and flushes what is due.
 */
export class PushThrottle {
  private readonly lastPushAt = new Map<string, number>();
  private readonly pending = new Set<string>();

  constructor(private readonly minIntervalMs = 500) {}

  /** A gap grew at `now`: true when it may be pushed now; otherwise it is pushed by a later `due`. */
  grew(gapId: string, now: number): boolean {
    const last = this.lastPushAt.get(gapId);
    if (last !== undefined && now - last < this.minIntervalMs) {
      this.pending.add(gapId);
      return false;
    }
    this.pushed(gapId, now);
    return true;
  }

  /** Records a push made at `now` (of any kind); a pending growth is covered by it. */
  pushed(gapId: string, now: number): void {
    this.lastPushAt.set(gapId, now);
    this.pending.delete(gapId);
  }

  /** Pending gaps whose interval has passed, recorded as pushed at `now`. */
  due(now: number): string[] {
    const out: string[] = [];
    for (const gapId of this.pending) {
      if (now - (this.lastPushAt.get(gapId) ?? 0) >= this.minIntervalMs) out.push(gapId);
    }
    for (const gapId of out) this.pushed(gapId, now);
    return out;
  }

  /** Forgets a gap (merged away or expired). */
  forget(gapId: string): void {
    this.lastPushAt.delete(gapId);
    this.pending.delete(gapId);
  }
}
