/**
 * The staffing report's rules, as pure functions of what the repository measured: agents needed with the
 * bot (handoffs only) and without it (every conversation), what the roster reaches, and what a higher
 * hit rate would save. The queueing maths is libs/staffing's; definitions in libs/contracts/src/staffing.ts.
 */
import {
  WHAT_IF_HIT_RATE_POINTS,
  type RosterFigures,
  type StaffingDemand,
  type StaffingIntervalRow,
  type StaffingRangeReport,
  type StaffingTotals,
  type WhatIf,
} from '@warroom/contracts';
import { evaluateStaffing, requiredAgents, type Workload } from '@warroom/staffing';
import type { IntervalCounts } from '../repositories/staffing.repository';

export interface StaffingAssumptions {
  /** Target share answered within `withinSec`, (0, 1). */
  serviceLevel: number;
  withinSec: number;
  concurrency: number;
  /** [0, 1). */
  shrinkage: number;
  /** Given: Erlang A. */
  patienceSec?: number;
  /** Plan with this handling time instead of the measured one. */
  ahtOverrideSec?: number;
}

export interface RangeInput {
  from: Date;
  to: Date;
  intervalMs: number;
  /** Sparse: intervals where nothing happened may be absent. */
  counts: IntervalCounts[];
  /** Agents on shift by interval start (epoch ms). */
  roster: ReadonlyMap<number, number>;
  assumptions: StaffingAssumptions;
}

/** Floating-point slack when comparing a service level with its target (as libs/staffing does). */
const SLACK = 1e-12;

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

/** A share for the contract: clamped into [0, 1] against rounding, null stays null. */
function share(value: number | null): number | null {
  return value === null ? null : Math.min(1, Math.max(0, value));
}

function workload(chatsPerHour: number, ahtSec: number, a: StaffingAssumptions): Workload {
  return { chatsPerHour, ahtSec, concurrency: a.concurrency, ...(a.patienceSec === undefined ? {} : { patienceSec: a.patienceSec }) };
}

/** Agents that `chats` chats in one interval need at handling time `ahtSec`. */
export function demandFor(chats: number, intervalHours: number, ahtSec: number | null, a: StaffingAssumptions): StaffingDemand {
  const chatsPerHour = chats / intervalHours;
  if (chatsPerHour <= 0) return { chatsPerHour: 0, agentsOnChat: 0, agentsScheduled: 0, agentsScheduledFractional: 0, serviceLevel: null };
  if (ahtSec === null) return { chatsPerHour, agentsOnChat: null, agentsScheduled: null, agentsScheduledFractional: null, serviceLevel: null };
  const plan = requiredAgents(workload(chatsPerHour, ahtSec, a), {
    serviceLevel: a.serviceLevel,
    withinSec: a.withinSec,
    shrinkage: a.shrinkage,
  });
  return {
    chatsPerHour,
    agentsOnChat: plan.agentsNeeded,
    agentsScheduled: plan.agentsScheduled,
    agentsScheduledFractional: plan.agentsScheduledFractional,
    serviceLevel: share(plan.performance.serviceLevel),
  };
}

/** Agents on chat out of those on shift: ⌊onShift × (1 − shrinkage)⌋, immune to 10 × 0.7 = 6.999…. */
export function agentsOnChat(onShift: number, shrinkage: number): number {
  return Math.floor(onShift * (1 - shrinkage) + 1e-9);
}

/** What `onShift` agents reach with the interval's handoffs. */
export function rosterFigures(
  onShift: number,
  handoffs: number,
  intervalHours: number,
  ahtSec: number | null,
  a: StaffingAssumptions,
): RosterFigures {
  const onChat = agentsOnChat(onShift, a.shrinkage);
  const unknown = { onShift, onChat, serviceLevel: null, asaSec: null, occupancy: null, abandonRate: null, meetsTarget: null };
  if (handoffs <= 0 || ahtSec === null) return unknown;
  if (onChat === 0) {
    // Nobody on chat: no chat is answered; under Erlang A every one of them gives up.
    return { ...unknown, serviceLevel: 0, abandonRate: a.patienceSec === undefined ? null : 1, meetsTarget: false };
  }
  const p = evaluateStaffing(workload(handoffs / intervalHours, ahtSec, a), onChat, a.withinSec);
  return {
    onShift,
    onChat,
    serviceLevel: share(p.serviceLevel),
    asaSec: Number.isFinite(p.asaSec) ? p.asaSec : null,
    occupancy: share(p.occupancy),
    abandonRate: share(p.abandonRate),
    meetsTarget: p.serviceLevel >= a.serviceLevel - SLACK,
  };
}

/**
 * Handoffs had the hit rate been `points` points higher: misses (1 − hit rate) fall by points/100, not
 * below 0, and handoffs fall in the same proportion. Unchanged without bot-mode questions or misses.
 */
export function whatIfHandoffs(handoffs: number, botQuestions: number, botAnswered: number, points: number): { hitRate: number | null; handoffs: number } {
  const hitRate = ratio(botAnswered, botQuestions);
  if (hitRate === null) return { hitRate: null, handoffs };
  const misses = 1 - hitRate;
  if (misses <= 0) return { hitRate: 1, handoffs };
  const fewerMisses = Math.max(0, misses - points / 100);
  return { hitRate: share(hitRate + points / 100), handoffs: (handoffs * fewerMisses) / misses };
}

function intervalRow(
  start: number,
  counts: IntervalCounts | undefined,
  rangeAhtSec: number | null,
  input: RangeInput,
): StaffingIntervalRow {
  const a = input.assumptions;
  const hours = input.intervalMs / 3_600_000;
  const c = counts ?? { conversations: 0, conversationsHandedOff: 0, handledChats: 0, handleSecSum: 0, abandons: 0, botQuestions: 0, botAnswered: 0 };
  const ahtSec = ratio(c.handleSecSum, c.handledChats);
  const [ahtUsedSec, ahtBasis]: [number | null, StaffingIntervalRow['ahtBasis']] =
    a.ahtOverrideSec !== undefined
      ? [a.ahtOverrideSec, 'override']
      : ahtSec !== null && ahtSec > 0
        ? [ahtSec, 'interval']
        : rangeAhtSec !== null && rangeAhtSec > 0
          ? [rangeAhtSec, 'range']
          : [null, 'none'];
  const withBot = demandFor(c.conversationsHandedOff, hours, ahtUsedSec, a);
  const withoutBot = demandFor(c.conversations, hours, ahtUsedSec, a);
  const onShift = input.roster.get(start);
  const whatIf: WhatIf[] = WHAT_IF_HIT_RATE_POINTS.map((points) => {
    const scenario = whatIfHandoffs(c.conversationsHandedOff, c.botQuestions, c.botAnswered, points);
    const demand = demandFor(scenario.handoffs, hours, ahtUsedSec, a);
    return {
      hitRatePoints: points,
      hitRate: scenario.hitRate,
      handoffs: scenario.handoffs,
      agentsScheduled: demand.agentsScheduled,
      // Fractional: whole agents hide what one point saves in an interval (it showed 0.00 everywhere).
      agentsSaved:
        withBot.agentsScheduledFractional === null || demand.agentsScheduledFractional === null
          ? null
          : withBot.agentsScheduledFractional - demand.agentsScheduledFractional,
    };
  });
  return {
    intervalStart: new Date(start).toISOString(),
    intervalEnd: new Date(start + input.intervalMs).toISOString(),
    conversations: c.conversations,
    handoffs: c.conversationsHandedOff,
    handoffRate: ratio(c.conversationsHandedOff, c.conversations),
    botQuestions: c.botQuestions,
    botAnswered: c.botAnswered,
    hitRate: share(ratio(c.botAnswered, c.botQuestions)),
    handledChats: c.handledChats,
    ahtSec,
    ahtUsedSec,
    ahtBasis,
    abandons: c.abandons,
    withBot,
    withoutBot,
    agentsSavedByBot:
      withBot.agentsScheduled === null || withoutBot.agentsScheduled === null
        ? null
        : withoutBot.agentsScheduled - withBot.agentsScheduled,
    roster: onShift === undefined ? null : rosterFigures(onShift, c.conversationsHandedOff, hours, ahtUsedSec, a),
    whatIf,
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function known(values: (number | null)[]): number[] {
  return values.filter((value): value is number => value !== null);
}

function totalsOf(rows: StaffingIntervalRow[], counts: IntervalCounts[], intervalMs: number, rosterGiven: boolean): StaffingTotals {
  const hours = intervalMs / 3_600_000;
  const conversations = sum(rows.map((row) => row.conversations));
  const handoffs = sum(rows.map((row) => row.handoffs));
  const botQuestions = sum(rows.map((row) => row.botQuestions));
  const botAnswered = sum(rows.map((row) => row.botAnswered));
  const handledChats = sum(rows.map((row) => row.handledChats));
  const abandons = sum(rows.map((row) => row.abandons));
  const withBot = known(rows.map((row) => row.withBot.agentsScheduled));
  const withoutBot = known(rows.map((row) => row.withoutBot.agentsScheduled));
  const rostered = rows.flatMap((row) => (row.roster ? [row.roster] : []));
  return {
    conversations,
    handoffs,
    handoffRate: ratio(handoffs, conversations),
    botQuestions,
    botAnswered,
    hitRate: share(ratio(botAnswered, botQuestions)),
    handledChats,
    ahtSec: ratio(sum(counts.map((c) => c.handleSecSum)), handledChats),
    abandons,
    abandonRate: ratio(abandons, handoffs),
    intervalsWithoutAht: rows.filter((row) => row.withBot.agentsScheduled === null || row.withoutBot.agentsScheduled === null).length,
    peakAgentsWithBot: withBot.length > 0 ? Math.max(...withBot) : null,
    peakAgentsWithoutBot: withoutBot.length > 0 ? Math.max(...withoutBot) : null,
    agentHoursWithBot: sum(withBot) * hours,
    agentHoursWithoutBot: sum(withoutBot) * hours,
    rosterAgentHours: rosterGiven ? sum(rostered.map((r) => r.onShift)) * hours : null,
    intervalsBelowTarget: rosterGiven ? rostered.filter((r) => r.meetsTarget === false).length : null,
    whatIf: WHAT_IF_HIT_RATE_POINTS.map((points, i) => ({
      hitRatePoints: points,
      agentHoursSaved: sum(known(rows.map((row) => row.whatIf[i]?.agentsSaved ?? null))) * hours,
    })),
  };
}

/** Every interval of [from, to), with the range's totals. */
export function buildRangeReport(input: RangeInput): StaffingRangeReport {
  const from = input.from.getTime();
  const intervals = Math.round((input.to.getTime() - from) / input.intervalMs);
  const byIndex = new Map(input.counts.map((c) => [c.index, c]));
  const rangeAhtSec = ratio(sum(input.counts.map((c) => c.handleSecSum)), sum(input.counts.map((c) => c.handledChats)));
  const rows = Array.from({ length: intervals }, (_, i) =>
    intervalRow(from + i * input.intervalMs, byIndex.get(i), rangeAhtSec, input),
  );
  return {
    from: input.from.toISOString(),
    to: input.to.toISOString(),
    intervals: rows,
    totals: totalsOf(rows, input.counts, input.intervalMs, input.roster.size > 0),
  };
}
