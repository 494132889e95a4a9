import { staffingRangeReportSchema } from '@warroom/contracts';
import { evaluateStaffing, requiredAgents } from '@warroom/staffing';
import { describe, expect, it } from 'vitest';
import type { IntervalCounts } from '../repositories/staffing.repository';
import { STAFFING_CSV_HEADER, staffingReportCsv } from './staffing-csv';
import { agentsOnChat, buildRangeReport, whatIfHandoffs, type StaffingAssumptions } from './staffing-report';

const A: StaffingAssumptions = { serviceLevel: 0.8, withinSec: 20, concurrency: 3, shrinkage: 0.3 };
const target = { serviceLevel: 0.8, withinSec: 20, shrinkage: 0.3 };
const from = new Date('2026-11-11T00:00:00Z');
const to = new Date('2026-11-11T01:00:00Z');
const QUARTER = 900_000;

function counts(index: number, fields: Partial<IntervalCounts>): IntervalCounts {
  return { index, conversations: 0, conversationsHandedOff: 0, handledChats: 0, handleSecSum: 0, abandons: 0, botQuestions: 0, botAnswered: 0, ...fields };
}

describe('buildRangeReport', () => {
  const measured = [
    counts(0, { conversations: 400, conversationsHandedOff: 60, handledChats: 50, handleSecSum: 50 * 240, abandons: 3, botQuestions: 1000, botAnswered: 900 }),
    counts(2, { conversations: 100, conversationsHandedOff: 20, botQuestions: 200, botAnswered: 150 }),
  ];
  const report = buildRangeReport({ from, to, intervalMs: QUARTER, counts: measured, roster: new Map([[from.getTime(), 10]]), assumptions: A });

  it('lists every interval, empty ones too, and satisfies the contract', () => {
    expect(staffingRangeReportSchema.parse(report)).toEqual(report);
    expect(report.intervals.map((row) => row.intervalStart)).toEqual([
      '2026-11-11T00:00:00.000Z',
      '2026-11-11T00:15:00.000Z',
      '2026-11-11T00:30:00.000Z',
      '2026-11-11T00:45:00.000Z',
    ]);
    const empty = report.intervals[1]!;
    expect([empty.conversations, empty.withBot.agentsScheduled, empty.withoutBot.agentsScheduled, empty.hitRate]).toEqual([0, 0, 0, null]);
  });

  it('needs agents for the handoffs with the bot and for every conversation without it, at the measured AHT', () => {
    const row = report.intervals[0]!;
    expect([row.ahtSec, row.ahtBasis]).toEqual([240, 'interval']);
    const withBot = requiredAgents({ chatsPerHour: 240, ahtSec: 240, concurrency: 3 }, target);
    const withoutBot = requiredAgents({ chatsPerHour: 1600, ahtSec: 240, concurrency: 3 }, target);
    expect(row.withBot).toMatchObject({ chatsPerHour: 240, agentsOnChat: withBot.agentsNeeded, agentsScheduled: withBot.agentsScheduled });
    expect(row.withoutBot.agentsScheduled).toBe(withoutBot.agentsScheduled);
    expect(row.agentsSavedByBot).toBe(withoutBot.agentsScheduled - withBot.agentsScheduled);
  });

  it('falls back to the range AHT where an interval handled no chat', () => {
    const row = report.intervals[2]!;
    expect([row.ahtSec, row.ahtUsedSec, row.ahtBasis]).toEqual([null, 240, 'range']);
    expect(row.withBot.agentsScheduled).toBe(requiredAgents({ chatsPerHour: 80, ahtSec: 240, concurrency: 3 }, target).agentsScheduled);
  });

  it('evaluates the roster: agents on chat after shrinkage, service level reached', () => {
    const roster = report.intervals[0]!.roster!;
    const expected = evaluateStaffing({ chatsPerHour: 240, ahtSec: 240, concurrency: 3 }, 7, 20);
    expect(roster).toMatchObject({ onShift: 10, onChat: 7, serviceLevel: expected.serviceLevel, occupancy: expected.occupancy });
    expect(roster.meetsTarget).toBe(expected.serviceLevel >= 0.8);
    expect(report.intervals[1]!.roster).toBeNull();
    expect(report.totals.rosterAgentHours).toBe(2.5);
  });

  it('what if: handoffs fall with the misses', () => {
    // Hit rate 90 %: misses 10 % → 9 % (+1 point) and 5 % (+5 points).
    const [plus1, plus5] = report.intervals[0]!.whatIf;
    expect(plus1!.handoffs).toBeCloseTo(54, 9);
    expect(plus5!.handoffs).toBeCloseTo(30, 9);
    // Saved agents are fractional (the same Erlang model between whole agents): one point saves a little, never 0.
    const scheduled = (handoffs: number) => requiredAgents({ chatsPerHour: handoffs * 4, ahtSec: 240, concurrency: 3 }, target).agentsScheduledFractional;
    expect(plus5!.agentsSaved).toBeCloseTo(scheduled(60) - scheduled(30), 9);
    expect(plus1!.agentsSaved).toBeCloseTo(scheduled(60) - scheduled(54), 9);
    expect(plus1!.agentsSaved).toBeGreaterThan(0);
    expect(plus1!.agentsSaved!).toBeLessThan(plus5!.agentsSaved!);
    expect(whatIfHandoffs(10, 100, 98, 5)).toEqual({ hitRate: 1, handoffs: 0 });
    expect(whatIfHandoffs(10, 0, 0, 5)).toEqual({ hitRate: null, handoffs: 10 });
  });

  it('totals: counts, AHT over every handled chat, peaks and agent-hours', () => {
    const t = report.totals;
    expect([t.conversations, t.handoffs, t.handledChats, t.ahtSec, t.abandons, t.botQuestions, t.botAnswered]).toEqual([500, 80, 50, 240, 3, 1200, 1050]);
    const rows = report.intervals;
    expect(t.peakAgentsWithBot).toBe(Math.max(...rows.map((row) => row.withBot.agentsScheduled ?? 0)));
    expect(t.agentHoursWithoutBot).toBe(rows.reduce((sum, row) => sum + (row.withoutBot.agentsScheduled ?? 0), 0) / 4);
    expect(t.intervalsWithoutAht).toBe(0);
  });

  it('says it cannot tell when no handling time was measured, instead of showing 0 agents', () => {
    const blind = buildRangeReport({ from, to, intervalMs: QUARTER, counts: [counts(0, { conversations: 5, conversationsHandedOff: 2 })], roster: new Map(), assumptions: A });
    const row = blind.intervals[0]!;
    expect([row.ahtBasis, row.withBot.agentsScheduled, row.withoutBot.agentsScheduled]).toEqual(['none', null, null]);
    expect(blind.totals.intervalsWithoutAht).toBe(1);
    const planned = buildRangeReport({ from, to, intervalMs: QUARTER, counts: [counts(0, { conversationsHandedOff: 2 })], roster: new Map(), assumptions: { ...A, ahtOverrideSec: 300 } });
    expect(planned.intervals[0]!.ahtBasis).toBe('override');
    expect(planned.intervals[0]!.withBot.agentsScheduled).toBeGreaterThan(0);
  });

  it('nobody on chat: no service, and that misses the target', () => {
    const r = buildRangeReport({ from, to, intervalMs: QUARTER, counts: measured, roster: new Map([[from.getTime(), 1]]), assumptions: A });
    expect(r.intervals[0]!.roster).toMatchObject({ onShift: 1, onChat: 0, serviceLevel: 0, meetsTarget: false });
    expect(r.totals.intervalsBelowTarget).toBe(1);
    expect(agentsOnChat(10, 0.3)).toBe(7);
  });
});

describe('staffingReportCsv', () => {
  it('one line per interval, current then previous, empty cells for unknowns', () => {
    const current = buildRangeReport({ from, to, intervalMs: QUARTER, counts: [], roster: new Map(), assumptions: A });
    const csv = staffingReportCsv({
      generatedAt: to.toISOString(),
      asOf: null,
      shop: 'all',
      source: 'live',
      interval: '15m',
      assumptions: { ...A, patienceSec: null, ahtOverrideSec: null, model: 'erlang-c' },
      current,
      previous: current,
    });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe(STAFFING_CSV_HEADER.join(','));
    expect(lines).toHaveLength(9);
    expect(lines.slice(1).map((line) => line.split(',')[0])).toEqual([...Array<string>(4).fill('current'), ...Array<string>(4).fill('previous')]);
    const onShift = STAFFING_CSV_HEADER.indexOf('on_shift');
    expect(lines[1]!.split(',')[onShift]).toBe('');
  });
});
