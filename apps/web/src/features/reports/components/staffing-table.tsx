import type { StaffingIntervalRow, StaffingRangeReport } from '@warroom/contracts';
import { DASH, formatPercent } from '../../../utils/format';
import { formatAgents, formatCount, formatNumber, formatSlot } from './format';
import type { Lang, Messages } from './messages';

/** One column: `col` names the CSV column it shows (browser tests match the two). */
interface Column {
  col: string;
  label: (t: Messages) => string;
  value: (row: StaffingIntervalRow, t: Messages) => string;
  title?: (row: StaffingIntervalRow, t: Messages) => string | undefined;
}

const COLUMNS: Column[] = [
  { col: 'conversations', label: (t) => t.columns.conversations, value: (r) => formatCount(r.conversations) },
  { col: 'handoffs', label: (t) => t.columns.handoffs, value: (r) => formatCount(r.handoffs) },
  { col: 'hit_rate', label: (t) => t.columns.hitRate, value: (r) => formatPercent(r.hitRate) },
  {
    col: 'aht_used_sec',
    label: (t) => t.columns.ahtSec,
    value: (r) => (r.ahtUsedSec === null ? DASH : `${formatNumber(r.ahtUsedSec)}${r.ahtBasis === 'range' ? '*' : ''}`),
    title: (r, t) => (r.ahtBasis === 'range' ? t.ahtFallback : undefined),
  },
  { col: 'abandons', label: (t) => t.columns.abandons, value: (r) => formatCount(r.abandons) },
  { col: 'agents_with_bot', label: (t) => t.columns.agentsWithBot, value: (r) => formatCount(r.withBot.agentsScheduled) },
  { col: 'agents_without_bot', label: (t) => t.columns.agentsWithoutBot, value: (r) => formatCount(r.withoutBot.agentsScheduled) },
  { col: 'on_shift', label: (t) => t.columns.onShift, value: (r) => formatCount(r.roster?.onShift ?? null) },
  { col: 'roster_service_level', label: (t) => t.columns.rosterServiceLevel, value: (r) => formatPercent(r.roster?.serviceLevel ?? null) },
  { col: 'agents_saved_hit_rate_plus_1', label: (t) => t.columns.savedPlus1, value: (r) => formatAgents(r.whatIf[0]?.agentsSaved ?? null) },
  { col: 'agents_saved_hit_rate_plus_5', label: (t) => t.columns.savedPlus5, value: (r) => formatAgents(r.whatIf[1]?.agentsSaved ?? null) },
];

const cell = { padding: '0.35em 0.7em', textAlign: 'right' as const, borderBottom: '1px solid #21262d', whiteSpace: 'nowrap' as const };

export function StaffingTable({ range, t, lang }: { range: StaffingRangeReport; t: Messages; lang: Lang }) {
  return (
    <div style={{ overflowX: 'auto' }}>
      <table data-testid="staffing-table" style={{ borderCollapse: 'collapse', width: '100%', fontVariantNumeric: 'tabular-nums' }}>
        <thead>
          <tr style={{ color: '#8b949e' }}>
            <th style={{ ...cell, textAlign: 'left' }}>{t.columns.intervalStart}</th>
            {COLUMNS.map((column) => (
              <th key={column.col} style={cell}>
                {column.label(t)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {range.intervals.map((row) => {
            const belowTarget = row.roster?.meetsTarget === false;
            return (
              <tr key={row.intervalStart} data-interval-start={row.intervalStart} style={belowTarget ? { background: 'rgba(248, 81, 73, 0.12)' } : undefined}>
                <td style={{ ...cell, textAlign: 'left' }}>{formatSlot(row.intervalStart, lang)}</td>
                {COLUMNS.map((column) => (
                  <td key={column.col} data-col={column.col} title={column.title?.(row, t)} style={cell}>
                    {column.value(row, t)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
