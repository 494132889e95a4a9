import { describe, expect, it } from 'vitest';
import type { SignInLogEntry } from '@warroom/contracts';
import { FailureWindow, SignInLedger, failedSignInDelayMs, isKeyOfLogin, loginAddressKey, type AttemptDecision } from './sign-in-throttle';

const MINUTE = 60_000;

describe('FailureWindow', () => {
  it('makes a key wait once it failed maxFailures times within the window, until the oldest leaves it', () => {
    const window = new FailureWindow({ maxFailures: 3, windowMs: 10 * MINUTE });
    expect(window.fail('wang', 0)).toBe(false);
    expect(window.fail('wang', 1 * MINUTE)).toBe(false);
    expect(window.wait('wang', 2 * MINUTE)).toBe(0);
    expect(window.fail('wang', 2 * MINUTE)).toBe(true);
    expect(window.wait('wang', 3 * MINUTE)).toBe(7 * MINUTE);
    // Other keys are not affected.
    expect(window.wait('li', 3 * MINUTE)).toBe(0);
    // The first failure leaves the window at 10 min: one more try, which fails again and waits for the second.
    expect(window.wait('wang', 10 * MINUTE)).toBe(0);
    expect(window.fail('wang', 10 * MINUTE)).toBe(true);
    expect(window.wait('wang', 10 * MINUTE)).toBe(1 * MINUTE);
  });

  it('forgets a key on success and once its failures are all older than the window', () => {
    const window = new FailureWindow({ maxFailures: 2, windowMs: MINUTE });
    window.fail('wang', 0);
    window.fail('wang', 10);
    expect(window.wait('wang', 20)).toBeGreaterThan(0);
    window.clear('wang');
    expect(window.wait('wang', 20)).toBe(0);
    window.fail('li', 0);
    window.fail('li', 10);
    expect(window.wait('li', MINUTE + 11)).toBe(0);
  });

  it('keeps at most 10,000 keys, forgetting the least recently failed', () => {
    const window = new FailureWindow({ maxFailures: 1, windowMs: MINUTE });
    for (let i = 0; i <= 10_000; i += 1) window.fail(`login-${i}`, 0);
    expect(window.wait('login-0', 1)).toBe(0);
    expect(window.wait('login-1', 1)).toBeGreaterThan(0);
    expect(window.wait('login-10000', 1)).toBeGreaterThan(0);
  });

  it('counts a reserved attempt at once, so parallel attempts past the limit wait, and takes it back on release', () => {
    const window = new FailureWindow({ maxFailures: 2, windowMs: MINUTE });
    expect(window.reserve('wang', 0)).toBe(0);
    expect(window.reserve('wang', 1)).toBe(0);
    expect(window.reserve('wang', 2)).toBe(MINUTE - 2);
    window.release('wang', 1);
    expect(window.count('wang', 3)).toBe(1);
    expect(window.reserve('wang', 3)).toBe(0);
  });

  it("lifts one login's keys from every address and no other login's", () => {
    const window = new FailureWindow({ maxFailures: 1, windowMs: MINUTE });
    for (const key of [loginAddressKey('wang', '10.0.0.1'), loginAddressKey('wang', '10.0.0.2'), loginAddressKey('wang.li', '10.0.0.1')]) window.fail(key, 0);
    expect(window.clearWhere((key) => isKeyOfLogin(key, 'wang'))).toBe(2);
    expect(window.wait(loginAddressKey('wang', '10.0.0.2'), 1)).toBe(0);
    expect(window.wait(loginAddressKey('wang.li', '10.0.0.1'), 1)).toBeGreaterThan(0);
  });

  it('answers failed sign-ins a little later with each failure, up to 5 s', () => {
    expect([1, 2, 3, 4, 5].map((failures) => failedSignInDelayMs(failures, 400))).toEqual([400, 600, 800, 1000, 1200]);
    expect(failedSignInDelayMs(100, 400)).toBe(5_000);
  });
});

describe('SignInLedger', () => {
  let entries = 0;
  function attempt(login: string, address: string, scope: 'sign_in' | 'password_change' = 'sign_in'): SignInLogEntry {
    entries += 1;
    return { v: 1, kind: 'attempt', entryId: `e${entries}`, scope, login, address };
  }
  function decision(ledger: SignInLedger, entry: SignInLogEntry, at: number): AttemptDecision {
    const outcome = ledger.apply(entry, at);
    if (outcome.kind !== 'attempt') throw new Error(`expected an attempt, got ${outcome.kind}`);
    return outcome.decision;
  }

  it('lets 5 of 40 parallel guesses of one login through, whichever process each reached: all apply one log', () => {
    // Two processes' replicas apply the same log; each answers the attempts it proposed.
    const replicas = [new SignInLedger(), new SignInLedger()];
    const log = Array.from({ length: 40 }, () => attempt('wang', '10.0.0.9'));
    const answered = log.map((entry, i) => replicas.map((replica) => decision(replica, entry, 1_000 + i))[i % 2]!);
    expect(answered.filter((answer) => answer.allowed)).toHaveLength(5);
    expect(answered.slice(5).every((answer) => !answer.allowed && answer.waitMs > 0)).toBe(true);
    expect(replicas.map((replica) => replica.failures('wang', '10.0.0.9', 2_000))).toEqual([5, 5]);
  });

  it('takes a successful attempt back, and lifts a login\'s locks on an unlock', () => {
    const ledger = new SignInLedger();
    const first = decision(ledger, attempt('wang', '10.0.0.9'), 0);
    if (!first.allowed) throw new Error('the first attempt must pass');
    ledger.apply({ v: 1, kind: 'success', entryId: 's1', scope: 'sign_in', login: 'wang', address: '10.0.0.9', attemptAt: first.at }, 1);
    expect(ledger.failures('wang', '10.0.0.9', 2)).toBe(0);
    for (let i = 0; i < 5; i += 1) decision(ledger, attempt('wang', '10.0.0.9'), 10 + i);
    expect(decision(ledger, attempt('wang', '10.0.0.9'), 20).allowed).toBe(false);
    expect(ledger.apply({ v: 1, kind: 'unlock', entryId: 'u1', login: 'wang' }, 30)).toEqual({ kind: 'unlock', locksLifted: 1 });
    expect(decision(ledger, attempt('wang', '10.0.0.9'), 31).allowed).toBe(true);
  });

  it('counts a wrong current password against the login only, not the address', () => {
    const ledger = new SignInLedger();
    for (let i = 0; i < 5; i += 1) decision(ledger, attempt('wang', '10.0.0.9', 'password_change'), i);
    expect(decision(ledger, attempt('wang', '10.0.0.9'), 10).allowed).toBe(false);
    expect(decision(ledger, attempt('li', '10.0.0.9'), 11).allowed).toBe(true);
  });
});
