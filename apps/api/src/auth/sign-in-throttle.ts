import type { SignInLogEntry } from '@warroom/contracts';

/** How many failed sign-ins a key may have within the window before it must wait. */
export interface ThrottleLimit {
  maxFailures: number;
  windowMs: number;
}

/**
 * Failed sign-ins per login *from one address* (guessing one user's password) and per address (trying many
 * logins from one machine). The login limit is keyed by address too, so that someone guessing from
 * elsewhere cannot lock a user out of the war room's office; the address limit is far above it because a
 * war room signs in from one office network. Every api process counts the same: the counts are the
 * `SignInLedger` below applied to the `auth.sign-ins` log in order.
 */
export const SIGN_IN_LIMITS = {
  perLoginAndAddress: { maxFailures: 5, windowMs: 15 * 60_000 },
  perAddress: { maxFailures: 30, windowMs: 15 * 60_000 },
} as const satisfies Record<string, ThrottleLimit>;

/** Keys remembered at most (oldest forgotten first), so that a flood of made-up logins cannot grow memory. */
const MAX_KEYS = 10_000;

/**
 * A sliding window of failure times per key. `wait` says how long a key must still wait: until its oldest
 * failure in the window leaves it, once it holds `maxFailures`. A success clears the key.
 *
 * An attempt is *reserved* before its password is checked, as if it had failed, and released if it
 * succeeds: otherwise 40 parallel guesses would all pass the check before the first failure is counted.
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

  /** Counts an attempt about to be checked as a failure; the wait instead when the key must wait. */
  reserve(key: string, now: number): number {
    const waitMs = this.wait(key, now);
    if (waitMs === 0) this.fail(key, now);
    return waitMs;
  }

  /** Takes back an attempt reserved at `at` that did not fail. */
  release(key: string, at: number): void {
    const times = this.failures.get(key);
    const index = times?.lastIndexOf(at) ?? -1;
    if (times === undefined || index < 0) return;
    times.splice(index, 1);
    if (times.length === 0) this.failures.delete(key);
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

  /** Failures in the window now, reserved attempts included. */
  count(key: string, now: number): number {
    return this.recent(key, now).length;
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  /** Forgets every key `belongs` picks (an admin lifting a user's locks from every address). */
  clearWhere(belongs: (key: string) => boolean): number {
    let cleared = 0;
    for (const key of [...this.failures.keys()]) {
      if (belongs(key)) {
        this.failures.delete(key);
        cleared += 1;
      }
    }
    return cleared;
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

/** The key of a login's failures from one address. */
export function loginAddressKey(login: string, address: string): string {
  return `${login}\u0000${address}`;
}

export function isKeyOfLogin(key: string, login: string): boolean {
  return key.startsWith(`${login}\u0000`);
}

/**
 * How long a failed sign-in waits before it is answered: growing with the failures already in the window
 * (400, 600, 800, 1,000, 1,200 ms with a 400 ms base), so a guesser slows down on the way to the lock, and
 * a person who mistyped once barely notices.
 */
export function failedSignInDelayMs(failuresInWindow: number, baseMs: number): number {
  return Math.min(baseMs * (1 + Math.max(0, failuresInWindow - 1) / 2), 5_000);
}

/** What the log decided for an attempt: checked now (its reservation counted at `at`), or wait. */
export type AttemptDecision = { allowed: true; at: number; locksLogin: boolean } | { allowed: false; waitMs: number };

/** What applying one log entry did: an attempt's decision, or how many locks an unlock lifted. */
export type LedgerOutcome = { kind: 'attempt'; decision: AttemptDecision } | { kind: 'success' } | { kind: 'unlock'; locksLifted: number };

/**
 * The sign-in throttle's one rule over the `auth.sign-ins` log (pure): every api process applies the same
 * entries in the same order at the same times (the log's timestamps), so all hold the same counts, and of
 * parallel attempts spread over processes exactly as many pass as against one process. An attempt is
 * reserved as a failure when it is decided (before its password is checked), taken back by its `success`.
 */
export class SignInLedger {
  private readonly byLogin = new FailureWindow(SIGN_IN_LIMITS.perLoginAndAddress);
  private readonly byAddress = new FailureWindow(SIGN_IN_LIMITS.perAddress);

  apply(entry: SignInLogEntry, at: number): LedgerOutcome {
    switch (entry.kind) {
      case 'attempt':
        return { kind: 'attempt', decision: this.attempt(entry, at) };
      case 'success':
        this.byLogin.clear(loginAddressKey(entry.login, entry.address));
        if (entry.scope === 'sign_in') this.byAddress.release(entry.address, entry.attemptAt);
        return { kind: 'success' };
      case 'unlock':
        return { kind: 'unlock', locksLifted: this.byLogin.clearWhere((key) => isKeyOfLogin(key, entry.login)) };
    }
  }

  /** Failures of a login from an address in the window at `now`, reserved attempts included (the answer's delay grows with them). */
  failures(login: string, address: string, now: number): number {
    return this.byLogin.count(loginAddressKey(login, address), now);
  }

  private attempt(entry: Extract<SignInLogEntry, { kind: 'attempt' }>, at: number): AttemptDecision {
    const loginKey = loginAddressKey(entry.login, entry.address);
    const bySignIn = entry.scope === 'sign_in';
    const waitMs = Math.max(this.byLogin.wait(loginKey, at), bySignIn ? this.byAddress.wait(entry.address, at) : 0);
    if (waitMs > 0) return { allowed: false, waitMs };
    const locksLogin = this.byLogin.fail(loginKey, at);
    if (bySignIn) this.byAddress.fail(entry.address, at);
    return { allowed: true, at, locksLogin };
  }
}
