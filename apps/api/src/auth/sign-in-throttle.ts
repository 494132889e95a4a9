/** How many failed sign-ins a key may have within the window before it must wait. */
export interface ThrottleLimit {
  maxFailures: number;
  windowMs: number;
}

/**
 * Failed sign-ins per login (guessing one user's password) and per address (trying many logins from one
 * machine). A war room signs in from one office network, so the address limit is far above the login one.
 * Counts live in this process: a second api process keeps counts of its own.
 */
export const SIGN_IN_LIMITS = {
  perLogin: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 30, windowMs: 15 * 60_000 },
} as const satisfies Record<string, ThrottleLimit>;

/** Keys remembered at most (oldest forgotten first), so that a flood of made-up logins cannot grow memory. */
const MAX_KEYS = 10_000;

/**
 * A sliding window of failure times per key. `wait` says how long a key must still wait: until its oldest
 * failure in the window leaves it, once it holds `maxFailures`. A success clears the key.
 */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly limit: ThrottleLimit) {}

  /** Milliseconds the key must wait before its next attempt; 0 when it may try now. */
  wait(key: string, now: number): number {
    const times = this.recent(key, now);
    if (times.length < this.limit.maxFailures) return 0;
    return times[times.length - this.limit.maxFailures]! + this.limit.windowMs - now;
  }

  /** Records a failure; true when it is the one that makes the key wait. */
  fail(key: string, now: number): boolean {
    const times = this.recent(key, now);
    times.push(now);
    // Re-inserted, so that the Map's order is least recently failed first.
    this.failures.delete(key);
    this.failures.set(key, times);
    if (this.failures.size > MAX_KEYS) {
      const oldest = this.failures.keys().next();
      if (!oldest.done) this.failures.delete(oldest.value);
    }
    return times.length === this.limit.maxFailures;
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const times = this.failures.get(key);
    if (!times) return [];
    const from = now - this.limit.windowMs;
    const kept = times.filter((at) => at > from).slice(-this.limit.maxFailures);
    if (kept.length === 0) this.failures.delete(key);
    else this.failures.set(key, kept);
    return kept;
  }
}
