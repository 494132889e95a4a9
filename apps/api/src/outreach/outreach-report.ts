import { OUTREACH_SCENARIOS, type OutreachReport, type OutreachReportQuery, type OutreachSide } from '@warroom/contracts';
import type { OutreachBreakdown, OutreachSides } from '../repositories/outreach.repository';

const HOUR_MS = 3_600_000;

function noTouches(): OutreachSides {
  const empty = (): OutreachSide => ({ touches: 0, sessions: 0, converted: 0, rate: null, orders: 0, amountCents: 0 });
  return { bot: empty(), agent: empty() };
}

/** The outreach report from the attribution query's breakdown: every scenario, and every hour of the range (empty hours too). */
export function buildOutreachReport(
  query: OutreachReportQuery,
  breakdown: OutreachBreakdown,
  followUpsOpen: number,
  generatedAt: Date,
): OutreachReport {
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  const byHour: OutreachReport['byHour'] = [];
  for (let hour = from; hour < to; hour += HOUR_MS) {
    byHour.push({ hourStart: new Date(hour).toISOString(), ...(breakdown.byHour.get(hour) ?? noTouches()) });
  }
  return {
    generatedAt: generatedAt.toISOString(),
    shop: query.shop,
    source: query.source,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    attributionHours: query.attributionHours,
    total: { ...breakdown.total, followUpsOpen },
    byScenario: OUTREACH_SCENARIOS.map((scenario) => ({ scenario, ...(breakdown.byScenario.get(scenario) ?? noTouches()) })),
    byHour,
  };
}

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(Math.round(value * 10_000) / 10_000);
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const SIDE_COLUMNS = ['touches', 'sessions', 'converted', 'rate', 'orders', 'amount_cents'] as const;

function sideCells(side: OutreachSide): string[] {
  return [side.touches, side.sessions, side.converted, side.rate, side.orders, side.amountCents].map(cell);
}

export const OUTREACH_CSV_HEADER = [
  'group',
  'key',
  ...SIDE_COLUMNS.map((column) => `bot_${column}`),
  ...SIDE_COLUMNS.map((column) => `agent_${column}`),
];

/**
 * The report as CSV: one line for the whole range (`group` = total, `key` = the range's start), one per
 * scenario (`group` = scenario) and one per hour (`group` = hour, `key` = the hour's start, ISO in UTC).
 */
export function outreachReportCsv(report: OutreachReport): string {
  const line = (group: string, key: string, sides: OutreachSides): string =>
    [cell(group), cell(key), ...sideCells(sides.bot), ...sideCells(sides.agent)].join(',');
  const lines = [
    OUTREACH_CSV_HEADER.join(','),
    line('total', report.from, report.total),
    ...report.byScenario.map((row) => line('scenario', row.scenario, row)),
    ...report.byHour.map((row) => line('hour', row.hourStart, row)),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
