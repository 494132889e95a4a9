import type { StaffingRangeReport, StaffingTotals } from '@warroom/contracts';
import type { ReactNode } from 'react';
import { formatPercent } from '../../../utils/format';
import { formatCount, formatNumber } from './format';
import type { Messages } from './messages';

const box = { background: '#161b22', borderRadius: 8, padding: '0.8em 1.2em' };
const td = { padding: '0.25em 0.8em', borderBottom: '1px solid #21262d', textAlign: 'right' as const, whiteSpace: 'nowrap' as const };

/** The totals worth a manager's glance, as [label, value, test id]. */
function figures(totals: StaffingTotals, t: Messages): [string, string, string][] {
  return [
    [t.columns.conversations, formatCount(totals.conversations), 'conversations'],
    [t.columns.handoffs, formatCount(totals.handoffs), 'handoffs'],
    [t.columns.hitRate, formatPercent(totals.hitRate), 'hit-rate'],
    [t.columns.ahtSec, formatNumber(totals.ahtSec), 'aht'],
    [t.columns.abandons, formatCount(totals.abandons), 'abandons'],
    [t.peakWithBot, formatCount(totals.peakAgentsWithBot), 'peak-with-bot'],
    [t.peakWithoutBot, formatCount(totals.peakAgentsWithoutBot), 'peak-without-bot'],
    [t.agentHoursWithBot, formatNumber(totals.agentHoursWithBot, 2), 'agent-hours-with-bot'],
    [t.agentHoursWithoutBot, formatNumber(totals.agentHoursWithoutBot, 2), 'agent-hours-without-bot'],
    [t.rosterAgentHours, formatNumber(totals.rosterAgentHours, 2), 'roster-agent-hours'],
    [t.intervalsBelowTarget, formatCount(totals.intervalsBelowTarget), 'intervals-below-target'],
    [t.intervalsWithoutAht, formatCount(totals.intervalsWithoutAht), 'intervals-without-aht'],
  ];
}

function Box({ title, children, testId }: { title: string; children: ReactNode; testId: string }) {
  return (
    <section data-testid={testId} style={box}>
      <h2 style={{ margin: '0 0 0.5em', fontSize: '1.05em', color: '#8b949e' }}>{title}</h2>
      {children}
    </section>
  );
}

/** Totals, what a higher hit rate saves, and the comparison range beside this one. */
export function SummaryPanel({ current, previous, t }: { current: StaffingRangeReport; previous: StaffingRangeReport | null; t: Messages }) {
  const now = figures(current.totals, t);
  const before = previous ? figures(previous.totals, t) : null;
  return (
    <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(320px, 1fr))', gap: '1em' }}>
      <Box title={t.whatIf} testId="what-if">
        {current.totals.whatIf.map((scenario) => (
          <div key={scenario.hitRatePoints} data-testid={`what-if-${scenario.hitRatePoints}`} data-agent-hours-saved={scenario.agentHoursSaved} style={{ fontSize: '1.3em', margin: '0.2em 0' }}>
            {t.whatIfLine(scenario.hitRatePoints, formatNumber(scenario.agentHoursSaved, 2))}
          </div>
        ))}
      </Box>
      <Box title={before ? t.comparison : t.summary} testId="summary">
        <table style={{ borderCollapse: 'collapse', width: '100%', fontVariantNumeric: 'tabular-nums' }}>
          <thead>
            <tr style={{ color: '#8b949e' }}>
              <th style={{ ...td, textAlign: 'left' }}>{t.figure}</th>
              <th style={td}>{t.current}</th>
              {before ? <th style={td}>{t.previous}</th> : null}
            </tr>
          </thead>
          <tbody>
            {now.map(([label, value, id], i) => (
              <tr key={id}>
                <td style={{ ...td, textAlign: 'left' }}>{label}</td>
                <td style={td} data-testid={`total-${id}`}>
                  {value}
                </td>
                {before ? (
                  <td style={td} data-testid={`previous-${id}`}>
                    {before[i]?.[1]}
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      </Box>
    </div>
  );
}
