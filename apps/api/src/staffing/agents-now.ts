import type { AgentsNow, StaffingRangeReport } from '@warroom/contracts';

const BASIS = { interval: '15m', range: '60m', override: 'none', none: 'none' } as const;

/**
 * The wall's "agents needed now" from a staffing range report over the last 60 minutes in 15-minute
 * intervals: its last interval is now; its range handling time is the 60-minute fallback.
 */
export function agentsNowFigures(report: StaffingRangeReport, asOf: Date, onShift: number | null): AgentsNow {
  const now = report.intervals[report.intervals.length - 1];
  if (!now) throw new Error('agents now needs a report with at least one interval');
  const withBot = now.withBot.agentsScheduled;
  const withoutBot = now.withoutBot.agentsScheduled;
  return {
    asOf: asOf.toISOString(),
    windowStart: now.intervalStart,
    windowEnd: now.intervalEnd,
    conversations: now.conversations,
    handoffs: now.handoffs,
    abandons: now.abandons,
    ahtSec: now.ahtUsedSec,
    ahtBasis: BASIS[now.ahtBasis],
    withBot,
    withoutBot,
    savedByBot: withBot === null || withoutBot === null ? null : withoutBot - withBot,
    onShift,
  };
}
