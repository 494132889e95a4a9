import { WHAT_IF_HIT_RATE_POINTS, type StaffingIntervalRow, type StaffingReport } from '@warroom/contracts';

type Cell = string | number | boolean | null;

/** Rounds for the export (fractions to 4 places, everything else to 2); null is an empty cell. */
function cell(value: Cell, places = 2): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(Math.round(value * 10 ** places) / 10 ** places);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Times, enums and "current"/"previous": no commas or quotes, but quote defensively anyway.
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const FRACTION = 4;

/** One column of the export: its header and how a row fills it. */
const COLUMNS: { header: string; value: (row: StaffingIntervalRow) => string }[] = [
  { header: 'interval_start', value: (r) => cell(r.intervalStart) },
  { header: 'interval_end', value: (r) => cell(r.intervalEnd) },
  { header: 'conversations', value: (r) => cell(r.conversations) },
  { header: 'handoffs', value: (r) => cell(r.handoffs) },
  { header: 'handoff_rate', value: (r) => cell(r.handoffRate, FRACTION) },
  { header: 'bot_questions', value: (r) => cell(r.botQuestions) },
  { header: 'bot_answered', value: (r) => cell(r.botAnswered) },
  { header: 'hit_rate', value: (r) => cell(r.hitRate, FRACTION) },
  { header: 'handled_chats', value: (r) => cell(r.handledChats) },
  { header: 'aht_sec', value: (r) => cell(r.ahtSec, 1) },
  { header: 'aht_used_sec', value: (r) => cell(r.ahtUsedSec, 1) },
  { header: 'aht_basis', value: (r) => cell(r.ahtBasis) },
  { header: 'abandons', value: (r) => cell(r.abandons) },
  { header: 'chats_per_hour_with_bot', value: (r) => cell(r.withBot.chatsPerHour) },
  { header: 'agents_on_chat_with_bot', value: (r) => cell(r.withBot.agentsOnChat) },
  { header: 'agents_with_bot', value: (r) => cell(r.withBot.agentsScheduled) },
  { header: 'chats_per_hour_without_bot', value: (r) => cell(r.withoutBot.chatsPerHour) },
  { header: 'agents_on_chat_without_bot', value: (r) => cell(r.withoutBot.agentsOnChat) },
  { header: 'agents_without_bot', value: (r) => cell(r.withoutBot.agentsScheduled) },
  { header: 'agents_saved_by_bot', value: (r) => cell(r.agentsSavedByBot) },
  { header: 'on_shift', value: (r) => cell(r.roster?.onShift ?? null) },
  { header: 'on_chat', value: (r) => cell(r.roster?.onChat ?? null) },
  { header: 'roster_service_level', value: (r) => cell(r.roster?.serviceLevel ?? null, FRACTION) },
  { header: 'roster_meets_target', value: (r) => cell(r.roster?.meetsTarget ?? null) },
  ...WHAT_IF_HIT_RATE_POINTS.map((points, i) => ({
    header: `agents_saved_hit_rate_plus_${points}`,
    value: (r: StaffingIntervalRow) => cell(r.whatIf[i]?.agentsSaved ?? null),
  })),
];

export const STAFFING_CSV_HEADER = ['range', ...COLUMNS.map((column) => column.header)];

/**
 * The report as CSV: a header, then one line per interval of the range (`range` = current), then, when
 * a comparison range was asked for, its intervals (`range` = previous). Times are ISO in UTC.
 */
export function staffingReportCsv(report: StaffingReport): string {
  const lines = [STAFFING_CSV_HEADER.join(',')];
  const ranges: ['current' | 'previous', StaffingReport['current'] | null][] = [
    ['current', report.current],
    ['previous', report.previous],
  ];
  for (const [name, range] of ranges) {
    for (const row of range?.intervals ?? []) lines.push([name, ...COLUMNS.map((column) => column.value(row))].join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
