import { describe, expect, it } from 'vitest';
import { erlangAMetrics, erlangCMetrics, type ErlangAInput } from './index';

/**
 * The M/M/N+M birth–death chain solved directly: probabilities relative to state 0 by the balance
 * equations, renormalised whenever they grow large, truncated once the tail is negligible.
 */
function chain(q: ErlangAInput): { probs: number[]; lambda: number; mu: number; theta: number } {
  const mu = 1 / q.ahtSec;
  const lambda = q.trafficErlangs * mu;
  const theta = 1 / q.patienceSec;
  let probs: number[] = [1];
  let total = 1;
  for (let k = 1; ; k++) {
    const death = Math.min(k, q.servers) * mu + Math.max(k - q.servers, 0) * theta;
    const p = ((probs[k - 1] ?? NaN) * lambda) / death;
    probs.push(p);
    total += p;
    if (total > 1e200) {
      probs = probs.map((x) => x / total);
      total = 1;
    }
    if (lambda < death && p < 1e-20 * total) break;
  }
  return { probs: probs.map((x) => x / total), lambda, mu, theta };
}

function directChain(q: ErlangAInput): { probWait: number; abandonRate: number; occupancy: number; queue: number } {
  const { probs, lambda, theta } = chain(q);
  let probWait = 0;
  let queue = 0;
  let busy = 0;
  probs.forEach((p, k) => {
    if (k >= q.servers) probWait += p;
    queue += p * Math.max(k - q.servers, 0);
    busy += p * Math.min(k, q.servers);
  });
  return { probWait, abandonRate: (theta * queue) / lambda, occupancy: busy / q.servers, queue };
}

/**
 * Service level and ASA by integrating, with RK4, the position of an arriving customer in the queue:
 * w_m(s) = P(still waiting at s with m ahead). It moves up at rate Nμ + mθ, abandons at rate θ, and is
 * answered from position 0 at rate Nμ. Answered within t = ∫₀ᵗ Nμ w₀; E[wait; answered] = ∫ s Nμ w₀.
 */
function integratedWait(q: ErlangAInput): { sl: number; asa: number } {
  const { probs, mu, theta } = chain(q);
  const nMu = q.servers * mu;
  let w = probs.slice(q.servers);
  const m = w.length;
  // Leaving position j (moving up at Nμ + jθ, or abandoning at θ) and arriving in it from j + 1 (which
  // moves up at Nμ + (j+1)θ) happen at the same rate.
  const rate = (j: number): number => nMu + (j + 1) * theta;
  const derivative = (v: number[]): number[] => v.map((x, j) => rate(j) * ((v[j + 1] ?? 0) - x));
  // RK4 is accurate to ~1e-10 here with a step of 0.3/max rate; the threshold is a whole number of steps.
  const maxStep = Math.min(0.1, 0.3 / rate(m));
  const dt = q.targetSec > 0 ? q.targetSec / Math.ceil(q.targetSec / maxStep) : maxStep;
  const noWait = probs.slice(0, q.servers).reduce((s, x) => s + x, 0);
  let answeredWithin = 0;
  let answeredAfterWait = 0;
  let waitOfAnswered = 0;
  for (let s = 0; w.reduce((acc, x) => acc + x, 0) > 1e-13; s += dt) {
    const k1 = derivative(w);
    const k2 = derivative(w.map((x, j) => x + (dt / 2) * (k1[j] ?? 0)));
    const k3 = derivative(w.map((x, j) => x + (dt / 2) * (k2[j] ?? 0)));
    const k4 = derivative(w.map((x, j) => x + dt * (k3[j] ?? 0)));
    const next = w.map((x, j) => x + (dt / 6) * ((k1[j] ?? 0) + 2 * (k2[j] ?? 0) + 2 * (k3[j] ?? 0) + (k4[j] ?? 0)));
    // Simpson on the step for the answered flow Nμ·w₀.
    const w0 = w[0] ?? 0;
    const wMid = (w0 + (next[0] ?? 0)) / 2 + (dt / 8) * ((k1[0] ?? 0) - (k4[0] ?? 0));
    const w1 = next[0] ?? 0;
    const flow = ((nMu * dt) / 6) * (w0 + 4 * wMid + w1);
    const flowTimes = ((nMu * dt) / 6) * (s * w0 + 4 * (s + dt / 2) * wMid + (s + dt) * w1);
    if (s + dt <= q.targetSec + 1e-9) answeredWithin += flow;
    answeredAfterWait += flow;
    waitOfAnswered += flowTimes;
    w = next;
  }
  return { sl: noWait + answeredWithin, asa: waitOfAnswered / (noWait + answeredAfterWait) };
}

/** mulberry32, for a reproducible simulation. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Discrete-event simulation of N agents serving a FIFO queue: in arrival order, each customer takes the
 * agent that frees up first if that happens before its patience runs out, and abandons otherwise.
 */
function simulate(q: ErlangAInput, customers: number, seed: number): { sl: number; asa: number; abandon: number } {
  const random = rng(seed);
  const exp = (mean: number): number => -mean * Math.log(1 - random());
  const free = new Array<number>(q.servers).fill(0);
  const interArrival = q.ahtSec / q.trafficErlangs;
  let now = 0;
  let within = 0;
  let abandoned = 0;
  let totalWait = 0;
  for (let i = 0; i < customers; i++) {
    now += exp(interArrival);
    let first = 0;
    for (let j = 1; j < free.length; j++) if ((free[j] ?? 0) < (free[first] ?? 0)) first = j;
    const start = Math.max(now, free[first] ?? 0);
    const patience = exp(q.patienceSec);
    if (start - now > patience) {
      abandoned++;
      continue;
    }
    free[first] = start + exp(q.ahtSec);
    totalWait += start - now;
    if (start - now <= q.targetSec) within++;
  }
  return { sl: within / customers, asa: totalWait / (customers - abandoned), abandon: abandoned / customers };
}

const cases: ErlangAInput[] = [
  { servers: 12, trafficErlangs: 10, ahtSec: 180, patienceSec: 60, targetSec: 20 },
  { servers: 3, trafficErlangs: 2.5, ahtSec: 60, patienceSec: 30, targetSec: 10 },
  { servers: 1, trafficErlangs: 0.7, ahtSec: 100, patienceSec: 300, targetSec: 15 },
  { servers: 5, trafficErlangs: 8, ahtSec: 120, patienceSec: 45, targetSec: 30 }, // overloaded: N < A
  { servers: 4, trafficErlangs: 3, ahtSec: 200, patienceSec: 5, targetSec: 20 }, // patience below the threshold
];

describe('Erlang A', () => {
  it('matches the birth–death chain solved directly (P(wait), abandons, occupancy, queue length)', () => {
    for (const q of cases) {
      const direct = directChain(q);
      const m = erlangAMetrics(q);
      expect(m.probWait).toBeCloseTo(direct.probWait, 12);
      expect(m.abandonRate).toBeCloseTo(direct.abandonRate, 12);
      expect(m.occupancy).toBeCloseTo(direct.occupancy, 12);
      expect(m.meanQueueLength).toBeCloseTo(direct.queue, 10);
    }
  });

  it('matches the integrated waiting-time distribution (service level, ASA)', () => {
    for (const q of cases) {
      const direct = integratedWait(q);
      const m = erlangAMetrics(q);
      expect(m.serviceLevel).toBeCloseTo(direct.sl, 9);
      expect(m.asaSec).toBeCloseTo(direct.asa, 7);
      expect(m.serviceLevelOfAnswered).toBeCloseTo(m.serviceLevel / (1 - m.abandonRate), 12);
    }
  });

  it('agrees with a simulation of agents and impatient customers', () => {
    const q = cases[1] as ErlangAInput;
    const sim = simulate(q, 400_000, 1111);
    const m = erlangAMetrics(q);
    expect(Math.abs(m.serviceLevel - sim.sl)).toBeLessThan(0.005);
    expect(Math.abs(m.abandonRate - sim.abandon)).toBeLessThan(0.005);
    expect(Math.abs(m.asaSec - sim.asa) / sim.asa).toBeLessThan(0.03);
  });

  it('hand-checked single agent whose customers are as patient as the handle time is long', () => {
    // N = 1 and θ = μ: in state k the death rate is μ + (k − 1)θ = kμ, as in M/M/∞, so the number in
    // the system is Poisson(A) with A = 0.5.
    const q: ErlangAInput = { servers: 1, trafficErlangs: 0.5, ahtSec: 100, patienceSec: 100, targetSec: 0 };
    const p0 = Math.exp(-0.5);
    const m = erlangAMetrics(q);
    expect(m.probWait).toBeCloseTo(1 - p0, 14);
    // E[queue] = E[(K − 1)^+] = E[K] − 1 + P(K = 0) = 0.5 − 1 + e^{−0.5}; abandon = θ E[queue] / λ.
    expect(m.abandonRate).toBeCloseTo((0.5 - 1 + p0) / 0.5, 14);
    expect(m.serviceLevel).toBeCloseTo(p0, 14); // within 0 s: only those who do not wait
  });

  it('converges to Erlang C as patience grows', () => {
    for (const [servers, traffic] of [
      [12, 10],
      [14, 10],
      [110, 100],
      [2100, 2000],
    ] as const) {
      const c = erlangCMetrics({ servers, trafficErlangs: traffic, ahtSec: 180, targetSec: 20 });
      let previousGap = Infinity;
      for (const patienceSec of [1e3, 1e5, 1e7]) {
        const a = erlangAMetrics({ servers, trafficErlangs: traffic, ahtSec: 180, patienceSec, targetSec: 20 });
        const gap = Math.abs(a.serviceLevel - c.serviceLevel) + Math.abs(a.probWait - c.probWait);
        expect(gap).toBeLessThan(previousGap);
        previousGap = gap;
      }
      const far = erlangAMetrics({ servers, trafficErlangs: traffic, ahtSec: 180, patienceSec: 1e9, targetSec: 20 });
      expect(far.probWait).toBeCloseTo(c.probWait, 5);
      expect(far.serviceLevel).toBeCloseTo(c.serviceLevel, 5);
      expect(far.asaSec).toBeCloseTo(c.asaSec, 2);
      expect(far.occupancy).toBeCloseTo(c.occupancy, 5);
      expect(far.abandonRate).toBeLessThan(1e-5);
    }
  });

  it('is monotone in agents and in patience', () => {
    let previous = { sl: 0, abandon: 1, asa: Infinity, wait: 1 };
    for (let servers = 1; servers <= 30; servers++) {
      const m = erlangAMetrics({ servers, trafficErlangs: 10, ahtSec: 180, patienceSec: 60, targetSec: 20 });
      expect(m.serviceLevel).toBeGreaterThan(previous.sl);
      expect(m.abandonRate).toBeLessThan(previous.abandon);
      expect(m.asaSec).toBeLessThan(previous.asa);
      expect(m.probWait).toBeLessThan(previous.wait);
      previous = { sl: m.serviceLevel, abandon: m.abandonRate, asa: m.asaSec, wait: m.probWait };
    }
    let abandon = 1;
    for (const patienceSec of [1, 10, 30, 60, 120, 600, 3600]) {
      const m = erlangAMetrics({ servers: 11, trafficErlangs: 10, ahtSec: 180, patienceSec, targetSec: 20 });
      expect(m.abandonRate).toBeLessThan(abandon);
      abandon = m.abandonRate;
    }
  });

  it('stays finite and matches the chain for thousands of agents, over- and under-loaded', () => {
    for (const servers of [1500, 1950, 2000, 2050, 2200]) {
      const q = { servers, trafficErlangs: 2000, ahtSec: 300, patienceSec: 60, targetSec: 20 };
      const m = erlangAMetrics(q);
      for (const v of Object.values(m)) expect(Number.isFinite(v)).toBe(true);
      const direct = directChain(q);
      expect(m.probWait).toBeCloseTo(direct.probWait, 9);
      expect(m.abandonRate).toBeCloseTo(direct.abandonRate, 9);
      // Flow balance: what is not abandoned is carried by the agents.
      expect(m.occupancy * servers).toBeCloseTo(2000 * (1 - m.abandonRate), 6);
      expect(m.serviceLevel).toBeGreaterThanOrEqual(0);
      expect(m.serviceLevel).toBeLessThanOrEqual(1 - m.abandonRate + 1e-12);
    }
  });

  it('rejects bad input with the field named', () => {
    const ok: ErlangAInput = { servers: 12, trafficErlangs: 10, ahtSec: 180, patienceSec: 60, targetSec: 20 };
    expect(() => erlangAMetrics({ ...ok, patienceSec: 0 })).toThrow(/patienceSec must be a positive finite number/);
    expect(() => erlangAMetrics({ ...ok, patienceSec: Infinity })).toThrow(/patienceSec/);
    expect(() => erlangAMetrics({ ...ok, servers: 0 })).toThrow(/servers/);
    expect(() => erlangAMetrics({ ...ok, trafficErlangs: -3 })).toThrow(/trafficErlangs/);
  });
});
