import { WANTS_LEASE_MS } from './remote-wants';

/** One process's presence on `live.leader`, as the log holds it. */
export interface Presence {
  process: string;
  /** When the process started: the oldest live process leads. */
  startedAtMs: number;
  /** The record's timestamp in the log. */
  timestampMs: number;
}

/**
 * Who computes the live views, decided from the `live.leader` log alone, so every process that has read
 * the same records agrees without talking: every api process appends its presence every WANTS_EVERY_MS,
 * and the leader is the process started first among those present within the last WANTS_LEASE_MS of log
 * time (the newest timestamp read). The rule reads only that window, so a process that starts reading late
 * agrees as soon as it has read it; a process joining later never takes over, and a leader that stops
 * appearing (dead, or stalled longer than the lease) is replaced by the next oldest at the first record
 * past its lease.
 */
export class LeaderLease {
  private readonly present = new Map<string, { startedAtMs: number; lastSeenMs: number }>();
  private logNowMs = 0;

  /** Takes one record (in log order); returns the leader as of it, null while nobody is present. */
  observe(presence: Presence): string | null {
    this.logNowMs = Math.max(this.logNowMs, presence.timestampMs);
    const seen = this.present.get(presence.process);
    this.present.set(presence.process, { startedAtMs: presence.startedAtMs, lastSeenMs: Math.max(seen?.lastSeenMs ?? 0, presence.timestampMs) });
    return this.leader();
  }

  leader(): string | null {
    let leader: { process: string; startedAtMs: number } | null = null;
    for (const [process, { startedAtMs, lastSeenMs }] of this.present) {
      if (this.logNowMs - lastSeenMs > WANTS_LEASE_MS) {
        this.present.delete(process);
        continue;
      }
      const older = leader === null || startedAtMs < leader.startedAtMs || (startedAtMs === leader.startedAtMs && process < leader.process);
      if (older) leader = { process, startedAtMs };
    }
    return leader?.process ?? null;
  }
}
