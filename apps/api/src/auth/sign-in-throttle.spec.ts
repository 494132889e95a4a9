import { describe, expect, it } from 'vitest';
import { FailureWindow, failedSignInDelayMs, isKeyOfLogin, loginAddressKey } from './sign-in-throttle';

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
