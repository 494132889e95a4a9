import { describe, expect, it } from 'vitest';
import { StaffingInputError, erlangB, erlangC, erlangCAsa, erlangCMetrics, erlangCServiceLevel } from './index';

/** Exact rational Erlang B for integer traffic: A^N/N! ÷ Σ_{k≤N} A^k/k!, multiplied through by N!. */
function exactErlangB(n: number, a: number): number {
  const A = BigInt(a);
  const N = BigInt(n);
  let den = 0n;
  for (let k = 0n; k <= N; k++) {
    let fallingFactorial = 1n; // N!/k!
    for (let j = k + 1n; j <= N; j++) fallingFactorial *= j;
    den += A ** k * fallingFactorial;
  }
  return ratio(A ** N, den);
}

/** Exact rational Erlang C for integer traffic A < N: textbook formula multiplied by N!·(N − A). */
function exactErlangC(n: number, a: number): number {
  const A = BigInt(a);
  const N = BigInt(n);
  let idle = 0n;
  for (let k = 0n; k < N; k++) {
    let fallingFactorial = 1n;
    for (let j = k + 1n; j <= N; j++) fallingFactorial *= j;
    idle += A ** k * fallingFactorial;
  }
  const wait = A ** N * N;
  return ratio(wait, idle * (N - A) + wait);
}

function ratio(num: bigint, den: bigint): number {
  const scale = 10n ** 30n;
  return Number((num * scale) / den) / 1e30;
}

/** Erlang C by direct summation in log space (no recursion): log t_k = k log A − log k!. */
function logSpaceErlangC(n: number, a: number): number {
  let logT = 0;
  let max = 0;
  const logs: number[] = [0];
  for (let k = 1; k <= n; k++) {
    logT += Math.log(a) - Math.log(k);
    logs.push(logT);
    max = Math.max(max, logT);
  }
  const logWait = (logs[n] ?? NaN) + Math.log(n / (n - a));
  max = Math.max(max, logWait);
  let idle = 0;
  for (let k = 0; k < n; k++) idle += Math.exp((logs[k] ?? NaN) - max);
  const wait = Math.exp(logWait - max);
  return wait / (idle + wait);
}

/**
 * Service level and ASA straight from the M/M/N chain: a customer who finds N + m in the system waits
 * for m + 1 completions at rate Nμ, an Erlang(m+1, Nμ) time.
 */
function chainServiceLevelAndAsa(n: number, a: number, aht: number, t: number): { sl: number; asa: number } {
  const mu = 1 / aht;
  const probs: number[] = [1];
  for (let k = 1; k < n + 2000; k++) probs.push(((probs[k - 1] ?? NaN) * a) / Math.min(k, n));
  const total = probs.reduce((s, p) => s + p, 0);
  let late = 0;
  let asa = 0;
  for (let m = 0; n + m < probs.length; m++) {
    const p = (probs[n + m] ?? NaN) / total;
    // P(Erlang(m+1, Nμ) > t) = Σ_{j≤m} e^{−x} x^j / j!
    const x = n * mu * t;
    let term = Math.exp(-x);
    let tail = term;
    for (let j = 1; j <= m; j++) {
      term *= x / j;
      tail += term;
    }
    late += p * tail;
    asa += (p * (m + 1)) / (n * mu);
  }
  return { sl: 1 - late, asa };
}

describe('Erlang B', () => {
  it('matches exact rational arithmetic', () => {
    for (const [n, a] of [
      [1, 1],
      [5, 3],
      [10, 10],
      [30, 20],
      [60, 50],
    ] as const) {
      expect(erlangB(n, a)).toBeCloseTo(exactErlangB(n, a), 14);
    }
  });

  it('matches the published table value B(10 servers, 10 Erlangs) ≈ 0.2146', () => {
    expect(erlangB(10, 10)).toBeCloseTo(0.2146, 4);
  });
});

describe('Erlang C', () => {
  it('matches the published value for A = 10 Erlangs, N = 12: P(wait) ≈ 0.4493', () => {
    // Tables print 0.4493 or 0.4494; the exact value is 0.449388…
    expect(Math.abs(erlangC(12, 10) - 0.4493)).toBeLessThan(1e-4);
    expect(erlangC(12, 10)).toBeCloseTo(0.449388, 6);
  });

  it('matches exact rational arithmetic for integer loads', () => {
    const cases = [
      [2, 1],
      [3, 2],
      [11, 10],
      [12, 10],
      [13, 10],
      [14, 10],
      [25, 20],
      [60, 50],
      [120, 100],
    ] as const;
    for (const [n, a] of cases) {
      const exact = exactErlangC(n, a);
      expect(Math.abs(erlangC(n, a) - exact) / exact).toBeLessThan(1e-12);
    }
  });

  it('matches direct log-space summation for fractional and large loads', () => {
    for (const [n, a] of [
      [7, 5.5],
      [40, 33.3],
      [2050, 2000],
      [2100, 2000],
      [5200, 5000],
    ] as const) {
      expect(erlangC(n, a)).toBeCloseTo(logSpaceErlangC(n, a), 11);
    }
  });

  it('is 1 when the servers cannot carry the load', () => {
    expect(erlangC(10, 10)).toBe(1);
    expect(erlangC(5, 12.5)).toBe(1);
    const m = erlangCMetrics({ servers: 10, trafficErlangs: 12, ahtSec: 180, targetSec: 20 });
    expect(m).toEqual({ probWait: 1, serviceLevel: 0, asaSec: Infinity, occupancy: 1, abandonRate: 0 });
  });

  it('service level and ASA agree with the waiting-time distribution of the chain', () => {
    for (const [n, a, aht, t] of [
      [12, 10, 180, 20],
      [3, 2.2, 300, 30],
      [20, 17, 240, 60],
      [5, 1, 60, 0],
    ] as const) {
      const direct = chainServiceLevelAndAsa(n, a, aht, t);
      const m = erlangCMetrics({ servers: n, trafficErlangs: a, ahtSec: aht, targetSec: t });
      expect(m.serviceLevel).toBeCloseTo(direct.sl, 10);
      expect(m.asaSec).toBeCloseTo(direct.asa, 8);
      expect(m.occupancy).toBeCloseTo(a / n, 14);
    }
  });

  it('reproduces the classic 100 calls per 30 minutes, 3 minutes AHT, 80 % in 20 s example', () => {
    // 200 calls/h × 180 s = 10 Erlangs. 13 agents miss 80/20, 14 meet it.
    expect(erlangCServiceLevel(13, 10, 180, 20)).toBeCloseTo(1 - erlangC(13, 10) * Math.exp(-3 * 20 / 180), 14);
    expect(erlangCServiceLevel(13, 10, 180, 20)).toBeLessThan(0.8);
    expect(erlangCServiceLevel(14, 10, 180, 20)).toBeGreaterThan(0.8);
    expect(erlangCAsa(14, 10, 180)).toBeCloseTo((erlangC(14, 10) * 180) / 4, 12);
  });

  it('is monotone: more agents wait less, more traffic waits more, a longer threshold serves more', () => {
    let previous = { wait: 1, sl: 0, asa: Infinity };
    for (let n = 11; n <= 40; n++) {
      const m = erlangCMetrics({ servers: n, trafficErlangs: 10, ahtSec: 180, targetSec: 20 });
      expect(m.probWait).toBeLessThan(previous.wait);
      expect(m.serviceLevel).toBeGreaterThan(previous.sl);
      expect(m.asaSec).toBeLessThan(previous.asa);
      previous = { wait: m.probWait, sl: m.serviceLevel, asa: m.asaSec };
    }
    let wait = 0;
    for (let a = 1; a < 20; a += 0.5) {
      const c = erlangC(20, a);
      expect(c).toBeGreaterThan(wait);
      wait = c;
    }
    let sl = 0;
    for (let t = 0; t <= 120; t += 10) {
      const s = erlangCServiceLevel(12, 10, 180, t);
      expect(s).toBeGreaterThan(sl);
      sl = s;
    }
    expect(erlangCServiceLevel(12, 10, 180, 0)).toBeCloseTo(1 - erlangC(12, 10), 14);
  });

  it('stays finite and in range for thousands of servers (2,000 and 20,000 Erlangs)', () => {
    for (const a of [2000, 20000]) {
      for (const n of [a + 1, a + 10, Math.ceil(a + Math.sqrt(a)), a + 500, 3 * a]) {
        const m = erlangCMetrics({ servers: n, trafficErlangs: a, ahtSec: 300, targetSec: 20 });
        for (const v of [m.probWait, m.serviceLevel, m.asaSec, m.occupancy]) expect(Number.isFinite(v)).toBe(true);
        expect(m.probWait).toBeGreaterThanOrEqual(0);
        expect(m.probWait).toBeLessThanOrEqual(1);
        expect(m.serviceLevel).toBeGreaterThanOrEqual(0);
        expect(m.serviceLevel).toBeLessThanOrEqual(1);
      }
      // Square-root staffing: at N = A + √A, P(wait) tends to the Halfin–Whitt value for β = 1, ≈ 0.2169.
      expect(erlangC(Math.round(a + Math.sqrt(a)), a)).toBeGreaterThan(0.19);
      expect(erlangC(Math.round(a + Math.sqrt(a)), a)).toBeLessThan(0.23);
    }
    expect(erlangC(3 * 2000, 2000)).toBe(0);
  });

  it('rejects bad input with the field named', () => {
    expect(() => erlangC(0, 10)).toThrow(StaffingInputError);
    expect(() => erlangC(1.5, 1)).toThrow(/servers must be an integer ≥ 1/);
    expect(() => erlangC(10, 0)).toThrow(/trafficErlangs must be a positive finite number, got 0/);
    expect(() => erlangC(10, -1)).toThrow(/trafficErlangs/);
    expect(() => erlangB(10, NaN)).toThrow(/trafficErlangs/);
    expect(() => erlangCMetrics({ servers: 12, trafficErlangs: 10, ahtSec: 0, targetSec: 20 })).toThrow(/ahtSec/);
    expect(() => erlangCMetrics({ servers: 12, trafficErlangs: 10, ahtSec: 180, targetSec: -1 })).toThrow(
      /targetSec must be a finite number ≥ 0/,
    );
  });
});
