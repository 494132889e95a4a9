import { describe, expect, it } from 'vitest';
import {
  StaffingInputError,
  erlangAMetrics,
  erlangCMetrics,
  evaluateStaffing,
  requiredAgents,
  scheduledAgents,
  type StaffingTarget,
  type Workload,
} from './index';

const classic: Workload = { chatsPerHour: 200, ahtSec: 180 }; // 100 per 30 min × 3 min = 10 Erlangs
const eightyTwenty: StaffingTarget = { serviceLevel: 0.8, withinSec: 20 };

describe('requiredAgents, Erlang C', () => {
  it('finds the textbook answer: 14 agents for 10 Erlangs at 80/20', () => {
    const plan = requiredAgents(classic, eightyTwenty);
    expect(plan.agentsNeeded).toBe(14);
    expect(plan.agentsScheduled).toBe(14);
    const p = plan.performance;
    expect(p.model).toBe('erlang-c');
    expect(p.trafficErlangs).toBeCloseTo(10, 12);
    expect(p.abandonRate).toBeNull();
    expect(p.occupancy).toBeCloseTo(10 / 14, 12);
    expect(p).toMatchObject(pick(erlangCMetrics({ servers: 14, trafficErlangs: 10, ahtSec: 180, targetSec: 20 })));
    expect(evaluateStaffing(classic, 13, 20).serviceLevel).toBeLessThan(0.8);
  });

  it('returns the smallest agent count that meets the target, for many loads', () => {
    for (const chatsPerHour of [1, 7, 60, 333, 1000, 4321]) {
      for (const serviceLevel of [0.5, 0.8, 0.95]) {
        const w: Workload = { chatsPerHour, ahtSec: 240 };
        const plan = requiredAgents(w, { serviceLevel, withinSec: 30 });
        expect(plan.performance.serviceLevel).toBeGreaterThanOrEqual(serviceLevel);
        if (plan.agentsNeeded > 1) expect(evaluateStaffing(w, plan.agentsNeeded - 1, 30).serviceLevel).toBeLessThan(serviceLevel);
      }
    }
  });

  it('adds shrinkage on top: scheduled = ⌈needed / (1 − shrinkage)⌉', () => {
    const plan = requiredAgents(classic, { ...eightyTwenty, shrinkage: 0.3 });
    expect(plan.agentsNeeded).toBe(14);
    expect(plan.agentsScheduled).toBe(20);
    expect(plan.performance.agents).toBe(14);
    expect(scheduledAgents(8, 0.2)).toBe(10); // 8 / 0.8 is 10.000000000000002 in floating point
    expect(scheduledAgents(10, 0.2)).toBe(13);
    expect(scheduledAgents(7, 0)).toBe(7);
  });

  it('honours the occupancy cap', () => {
    // 10 Erlangs at ≤ 70 % occupancy needs ⌈10 / 0.7⌉ = 15 agents although 14 meet 80/20.
    const plan = requiredAgents(classic, { ...eightyTwenty, maxOccupancy: 0.7 });
    expect(plan.agentsNeeded).toBe(15);
    expect(plan.performance.occupancy).toBeLessThanOrEqual(0.7);
    // Exactly at the cap counts as met: 10 Erlangs, cap 0.8 → 12.5 → 13; cap 10/16 → 16.
    expect(requiredAgents(classic, { serviceLevel: 0.1, withinSec: 20, maxOccupancy: 0.8 }).agentsNeeded).toBe(13);
    expect(requiredAgents(classic, { serviceLevel: 0.1, withinSec: 20, maxOccupancy: 10 / 16 }).agentsNeeded).toBe(16);
  });

  it('models chat concurrency as C slots per agent with the per-chat handle time', () => {
    const w: Workload = { chatsPerHour: 600, ahtSec: 360, concurrency: 3 }; // 60 Erlangs of chats
    const plan = requiredAgents(w, eightyTwenty);
    const n = plan.agentsNeeded;
    const at = (agents: number) => erlangCMetrics({ servers: 3 * agents, trafficErlangs: 60, ahtSec: 360, targetSec: 20 });
    expect(at(n).serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(at(n - 1).serviceLevel).toBeLessThan(0.8);
    expect(plan.performance.slots).toBe(3 * n);
    expect(plan.performance.occupancy).toBeCloseTo(60 / (3 * n), 12);
    // Fewer agents than one chat at a time, at least a third of them.
    const single = requiredAgents({ chatsPerHour: 600, ahtSec: 360 }, eightyTwenty).agentsNeeded;
    expect(n).toBeLessThan(single);
    expect(n).toBeGreaterThanOrEqual(Math.ceil(single / 3));
  });

  it('staffs 2,000 Erlangs quickly, near square-root staffing', () => {
    const started = performance.now();
    const plan = requiredAgents({ chatsPerHour: 24_000, ahtSec: 300 }, eightyTwenty); // 2,000 Erlangs
    expect(performance.now() - started).toBeLessThan(1000);
    expect(plan.agentsNeeded).toBeGreaterThan(2000);
    expect(plan.agentsNeeded).toBeLessThan(2000 + 2 * Math.sqrt(2000));
    for (const v of [plan.performance.serviceLevel, plan.performance.asaSec, plan.performance.occupancy]) {
      expect(Number.isFinite(v)).toBe(true);
    }
    expect(evaluateStaffing({ chatsPerHour: 24_000, ahtSec: 300 }, plan.agentsNeeded - 1, 20).serviceLevel).toBeLessThan(0.8);
  });
});

describe('requiredAgents, Erlang A', () => {
  const impatient: Workload = { ...classic, patienceSec: 60 };

  it('uses Erlang A when a patience is given and returns the smallest count that meets the target', () => {
    const plan = requiredAgents(impatient, eightyTwenty);
    const p = plan.performance;
    expect(p.model).toBe('erlang-a');
    expect(p.abandonRate).not.toBeNull();
    expect(p.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(evaluateStaffing(impatient, plan.agentsNeeded - 1, 20).serviceLevel).toBeLessThan(0.8);
    const direct = erlangAMetrics({ servers: plan.agentsNeeded, trafficErlangs: 10, ahtSec: 180, patienceSec: 60, targetSec: 20 });
    expect(p.serviceLevel).toBe(direct.serviceLevel);
    expect(p.abandonRate).toBe(direct.abandonRate);
    // With 60 s of patience, abandons shorten the queue enough to need no more agents than Erlang C. (Not
    // so for every patience: a chat abandoned before the threshold counts as a miss.)
    expect(plan.agentsNeeded).toBeLessThanOrEqual(requiredAgents(classic, eightyTwenty).agentsNeeded);
  });

  it('approaches the Erlang C staffing as patience grows', () => {
    for (const chatsPerHour of [200, 2400, 24_000]) {
      const c = requiredAgents({ chatsPerHour, ahtSec: 300 }, eightyTwenty).agentsNeeded;
      const a = requiredAgents({ chatsPerHour, ahtSec: 300, patienceSec: 1e7 }, eightyTwenty).agentsNeeded;
      expect(a).toBe(c);
    }
  });

  it('honours an abandon cap', () => {
    const loose = requiredAgents(impatient, { serviceLevel: 0.2, withinSec: 20 });
    const capped = requiredAgents(impatient, { serviceLevel: 0.2, withinSec: 20, maxAbandonRate: 0.01 });
    expect(capped.agentsNeeded).toBeGreaterThan(loose.agentsNeeded);
    expect(capped.performance.abandonRate).toBeLessThanOrEqual(0.01);
    expect(evaluateStaffing(impatient, capped.agentsNeeded - 1, 20).abandonRate).toBeGreaterThan(0.01);
    expect(() => requiredAgents(classic, { ...eightyTwenty, maxAbandonRate: 0.05 })).toThrow(/needs patienceSec/);
  });

  it('staffs 2,000 Erlangs of impatient customers quickly', () => {
    const started = performance.now();
    const plan = requiredAgents({ chatsPerHour: 24_000, ahtSec: 300, patienceSec: 120, concurrency: 2 }, eightyTwenty);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(plan.performance.slots).toBe(2 * plan.agentsNeeded);
    expect(plan.performance.serviceLevel).toBeGreaterThanOrEqual(0.8);
    expect(Number.isFinite(plan.performance.asaSec)).toBe(true);
  });
});

describe('input validation', () => {
  it('names the bad field', () => {
    const cases: [Workload, StaffingTarget, RegExp][] = [
      [{ chatsPerHour: 0, ahtSec: 180 }, eightyTwenty, /chatsPerHour must be a positive finite number, got 0/],
      [{ chatsPerHour: -5, ahtSec: 180 }, eightyTwenty, /chatsPerHour/],
      [{ chatsPerHour: 200, ahtSec: NaN }, eightyTwenty, /ahtSec/],
      [{ chatsPerHour: 200, ahtSec: 180, concurrency: 1.5 }, eightyTwenty, /concurrency must be an integer ≥ 1/],
      [{ chatsPerHour: 200, ahtSec: 180, patienceSec: 0 }, eightyTwenty, /patienceSec/],
      [classic, { serviceLevel: 80, withinSec: 20 }, /serviceLevel must be a fraction in \(0, 1\)/],
      [classic, { serviceLevel: 1, withinSec: 20 }, /serviceLevel/],
      [classic, { serviceLevel: 0.8, withinSec: -1 }, /withinSec/],
      [classic, { ...eightyTwenty, shrinkage: 1 }, /shrinkage must be a fraction in \[0, 1\)/],
      [classic, { ...eightyTwenty, maxOccupancy: 0 }, /maxOccupancy must be a fraction in \(0, 1\]/],
    ];
    for (const [w, t, message] of cases) {
      expect(() => requiredAgents(w, t)).toThrow(StaffingInputError);
      expect(() => requiredAgents(w, t)).toThrow(message);
    }
    expect(() => evaluateStaffing(classic, 0, 20)).toThrow(/agents must be an integer ≥ 1/);
  });
});

function pick(m: { probWait: number; serviceLevel: number; asaSec: number; occupancy: number }) {
  return { probWait: m.probWait, serviceLevel: m.serviceLevel, asaSec: m.asaSec, occupancy: m.occupancy };
}

describe('fractional agents', () => {
  const target = { serviceLevel: 0.8, withinSec: 20, shrinkage: 0.3 };
  it('lies between the whole agents below and at the need, and grows with the load without steps', () => {
    let previous = 0;
    for (let chatsPerHour = 10; chatsPerHour <= 400; chatsPerHour += 10) {
      const plan = requiredAgents({ chatsPerHour, ahtSec: 240, concurrency: 3 }, target);
      expect(plan.agentsFractional).toBeGreaterThan(plan.agentsNeeded - 1);
      expect(plan.agentsFractional).toBeLessThanOrEqual(plan.agentsNeeded);
      expect(plan.agentsFractional).toBeGreaterThan(previous);
      expect(plan.agentsScheduledFractional).toBeCloseTo(plan.agentsFractional / 0.7, 12);
      previous = plan.agentsFractional;
    }
  });

  it('below one agent scales with the load (occupancy at its cap)', () => {
    const small = requiredAgents({ chatsPerHour: 1, ahtSec: 240, concurrency: 3 }, target);
    const double = requiredAgents({ chatsPerHour: 2, ahtSec: 240, concurrency: 3 }, target);
    expect(small.agentsNeeded).toBe(1);
    expect(double.agentsFractional).toBeCloseTo(2 * small.agentsFractional, 12);
  });
});
