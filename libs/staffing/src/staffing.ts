/**
 * Staffing for one interval of chat traffic: how many agents meet a service-level target, and what an
 * interval looks like with a given number of agents.
 *
 * Chat concurrency. An agent who handles C chats at once is modelled as C servers ("slots"), each
 * handling one chat at a time, and `ahtSec` is the handle time of one chat as it is measured in chat
 * (from the agent's first reply to close, while the agent juggles its other chats). A chat then waits
 * only while every slot of every agent is taken. The alternative, N servers that work C times faster
 * (AHT/C), describes an agent who answers chats one after another; it makes a chat wait whenever all
 * agents are busy even though they could still take another chat, which is not how a chat desk works,
 * and it needs a "focused" handle time nobody measures. Both models have the same capacity and the same
 * occupancy; the slot model waits less because its capacity is pooled finer. If the handle time of
 * a chat grows with concurrency, measure AHT at the concurrency you plan for.
 *
 * Shrinkage (breaks, training, meetings, absence) is applied last: agents scheduled =
 * ⌈agents on chat / (1 − shrinkage)⌉. Service level, ASA, occupancy and abandons are those of the agents
 * on chat.
 */
import { erlangAUnchecked, type ErlangAMetrics } from './erlang-a';
import { erlangCMetricsFromWait, erlangCUnchecked, type QueueMetrics } from './erlang-c';
import {
  StaffingInputError,
  requireFraction,
  requireNonNegative,
  requirePositive,
  requirePositiveInteger,
} from './validate';

/** The traffic of one interval. */
export interface Workload {
  /** Offered chats per hour (the rate during the interval). */
  chatsPerHour: number;
  /** Mean handle time of one chat, seconds. */
  ahtSec: number;
  /** Chats an agent handles at once (integer ≥ 1); default 1. */
  concurrency?: number;
  /** Mean patience of a waiting customer, seconds. Given: Erlang A (customers abandon). Absent: Erlang C. */
  patienceSec?: number;
}

export interface StaffingTarget {
  /** Share of offered chats to answer within `withinSec`, a fraction in (0, 1), e.g. 0.8. */
  serviceLevel: number;
  /** The service-level threshold, seconds, e.g. 20. */
  withinSec: number;
  /** Cap on occupancy (carried load per slot), in (0, 1]; default 1 (no cap). */
  maxOccupancy?: number;
  /** Share of scheduled time agents are not on chat, in [0, 1); default 0. */
  shrinkage?: number;
  /** Cap on the abandon rate, in (0, 1]; Erlang A only (needs `patienceSec`). */
  maxAbandonRate?: number;
}

export type StaffingModel = 'erlang-c' | 'erlang-a';

/** One interval with a given number of agents on chat. */
export interface IntervalPerformance {
  model: StaffingModel;
  /** Agents on chat (after shrinkage). */
  agents: number;
  /** Servers of the queueing model: agents × concurrency. */
  slots: number;
  /** Offered load in Erlangs: chats per second × AHT (in chats, not agents). */
  trafficErlangs: number;
  probWait: number;
  /** Share of offered chats answered within the threshold (abandons count as misses). */
  serviceLevel: number;
  /** Mean wait of answered chats, seconds. */
  asaSec: number;
  /** Carried load per slot, 0–1. */
  occupancy: number;
  /** Share of offered chats that abandon; null under Erlang C. */
  abandonRate: number | null;
  /** Erlang A only: answered within the threshold / answered. */
  serviceLevelOfAnswered?: number;
}

export interface StaffingPlan {
  /** Fewest agents on chat that meet every target. */
  agentsNeeded: number;
  /**
   * The same need as a continuous quantity (agentsNeeded − 1 < it ≤ agentsNeeded): where between the whole
   * agents the binding target is crossed, interpolated in the Erlang model's own figures. Summed over many
   * intervals, it shows what a small change of load is worth, which whole agents round away.
   */
  agentsFractional: number;
  /** agentsFractional / (1 − shrinkage): agent-time to schedule. */
  agentsScheduledFractional: number;
  /** Agents to schedule: ⌈agentsNeeded / (1 − shrinkage)⌉. */
  agentsScheduled: number;
  shrinkage: number;
  performance: IntervalPerformance;
}

interface CheckedWorkload {
  chatsPerHour: number;
  ahtSec: number;
  concurrency: number;
  patienceSec: number | undefined;
  trafficErlangs: number;
}

export function validateWorkload(workload: Workload): CheckedWorkload {
  const chatsPerHour = requirePositive('chatsPerHour', workload.chatsPerHour);
  const ahtSec = requirePositive('ahtSec', workload.ahtSec);
  const concurrency = requirePositiveInteger('concurrency', workload.concurrency ?? 1);
  const patienceSec =
    workload.patienceSec === undefined ? undefined : requirePositive('patienceSec', workload.patienceSec);
  const trafficErlangs = (chatsPerHour / 3600) * ahtSec;
  return { chatsPerHour, ahtSec, concurrency, patienceSec, trafficErlangs };
}

interface CheckedTarget {
  serviceLevel: number;
  withinSec: number;
  maxOccupancy: number;
  shrinkage: number;
  maxAbandonRate: number | undefined;
}

export function validateTarget(target: StaffingTarget, workload?: Workload): CheckedTarget {
  const serviceLevel = requireFraction('serviceLevel', target.serviceLevel, { lowOpen: true, highOpen: true });
  const withinSec = requireNonNegative('withinSec', target.withinSec);
  const maxOccupancy = requireFraction('maxOccupancy', target.maxOccupancy ?? 1, { lowOpen: true, highOpen: false });
  const shrinkage = requireFraction('shrinkage', target.shrinkage ?? 0, { lowOpen: false, highOpen: true });
  const maxAbandonRate =
    target.maxAbandonRate === undefined
      ? undefined
      : requireFraction('maxAbandonRate', target.maxAbandonRate, { lowOpen: true, highOpen: false });
  if (maxAbandonRate !== undefined && workload !== undefined && workload.patienceSec === undefined) {
    throw new StaffingInputError(
      'maxAbandonRate',
      'needs patienceSec (Erlang A); under Erlang C nobody abandons',
      maxAbandonRate,
    );
  }
  return { serviceLevel, withinSec, maxOccupancy, shrinkage, maxAbandonRate };
}

function performanceOf(w: CheckedWorkload, agents: number, withinSec: number): IntervalPerformance {
  const slots = agents * w.concurrency;
  const base = { agents, slots, trafficErlangs: w.trafficErlangs };
  if (w.patienceSec === undefined) {
    const traffic = w.trafficErlangs;
    const probWait = erlangCUnchecked(slots, traffic);
    const m: QueueMetrics = erlangCMetricsFromWait(slots, traffic, w.ahtSec, withinSec, probWait);
    return { model: 'erlang-c', ...base, ...pick(m), abandonRate: null };
  }
  const m: ErlangAMetrics = erlangAUnchecked(slots, w.trafficErlangs, w.ahtSec, w.patienceSec, withinSec);
  return {
    model: 'erlang-a',
    ...base,
    ...pick(m),
    abandonRate: m.abandonRate,
    serviceLevelOfAnswered: m.serviceLevelOfAnswered,
  };
}

function pick(m: QueueMetrics): Pick<IntervalPerformance, 'probWait' | 'serviceLevel' | 'asaSec' | 'occupancy'> {
  return { probWait: m.probWait, serviceLevel: m.serviceLevel, asaSec: m.asaSec, occupancy: m.occupancy };
}

/** The interval with `agents` agents on chat (Erlang A when the workload has a patience). */
export function evaluateStaffing(workload: Workload, agents: number, withinSec: number): IntervalPerformance {
  const w = validateWorkload(workload);
  requirePositiveInteger('agents', agents);
  requireNonNegative('withinSec', withinSec);
  return performanceOf(w, agents, withinSec);
}

/** Floating-point slack on the targets, so that e.g. occupancy exactly at its cap counts as met. */
const SLACK = 1e-12;

/** Largest number of agents the search tries before it reports the target as unreachable. */
const MAX_AGENTS = 10_000_000;

/**
 * The fewest agents on chat that meet the service level, the occupancy cap and (Erlang A) the abandon
 * cap, plus the agents to schedule once shrinkage is added. Every constraint improves with more agents,
 * so the search doubles from A/concurrency until the targets are met, then bisects.
 */
export function requiredAgents(workload: Workload, target: StaffingTarget): StaffingPlan {
  const w = validateWorkload(workload);
  const t = validateTarget(target, workload);
  const meets = (p: IntervalPerformance): boolean =>
    p.serviceLevel >= t.serviceLevel - SLACK &&
    p.occupancy <= t.maxOccupancy + SLACK &&
    (t.maxAbandonRate === undefined || (p.abandonRate ?? 0) <= t.maxAbandonRate + SLACK) &&
    (w.patienceSec !== undefined || p.slots > w.trafficErlangs);

  let low = 0; // does not meet (0 agents never do)
  let high = Math.max(1, Math.ceil(w.trafficErlangs / w.concurrency));
  let best = performanceOf(w, high, t.withinSec);
  while (!meets(best)) {
    low = high;
    high *= 2;
    if (high > MAX_AGENTS) {
      throw new StaffingInputError('target', `cannot be met with ${MAX_AGENTS} agents`, JSON.stringify(target));
    }
    best = performanceOf(w, high, t.withinSec);
  }
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    const p = performanceOf(w, mid, t.withinSec);
    if (meets(p)) {
      high = mid;
      best = p;
    } else {
      low = mid;
    }
  }
  const agentsFractional = fractionalAgents(w, t, high);
  return {
    agentsNeeded: high,
    agentsFractional,
    agentsScheduledFractional: agentsFractional / (1 - t.shrinkage),
    agentsScheduled: scheduledAgents(high, t.shrinkage),
    shrinkage: t.shrinkage,
    performance: best,
  };
}

/**
 * Where between needed − 1 and needed agents the targets are met: for each target the previous whole agent
 * misses, the share of the step from needed − 1 to needed that closes it (linear between the two), and the
 * occupancy cap exactly (occupancy is A / (n · concurrency)). The largest of them binds. Below one agent
 * only occupancy scales with the load: A / (concurrency · cap), at most 1.
 */
function fractionalAgents(w: CheckedWorkload, t: CheckedTarget, needed: number): number {
  const byOccupancy = w.trafficErlangs / (w.concurrency * t.maxOccupancy);
  if (needed <= 1) return Math.min(1, byOccupancy);
  const below = performanceOf(w, needed - 1, t.withinSec);
  const at = performanceOf(w, needed, t.withinSec);
  const step = (short: number, closed: number): number => (closed <= 0 ? 1 : Math.min(1, Math.max(0, short / closed)));
  const bounds = [byOccupancy];
  if (below.serviceLevel < t.serviceLevel - SLACK) {
    bounds.push(needed - 1 + step(t.serviceLevel - below.serviceLevel, at.serviceLevel - below.serviceLevel));
  }
  const abandonBelow = below.abandonRate ?? 0;
  if (t.maxAbandonRate !== undefined && abandonBelow > t.maxAbandonRate + SLACK) {
    bounds.push(needed - 1 + step(abandonBelow - t.maxAbandonRate, abandonBelow - (at.abandonRate ?? 0)));
  }
  return Math.min(needed, Math.max(needed - 1, ...bounds));
}

/** ⌈agents / (1 − shrinkage)⌉, immune to 8 / (1 − 0.2) = 10.000000000000002. */
export function scheduledAgents(agentsOnChat: number, shrinkage: number): number {
  requirePositiveInteger('agentsOnChat', agentsOnChat);
  requireFraction('shrinkage', shrinkage, { lowOpen: false, highOpen: true });
  const exact = agentsOnChat / (1 - shrinkage);
  const rounded = Math.round(exact);
  return Math.abs(exact - rounded) < 1e-9 * exact ? rounded : Math.ceil(exact);
}
