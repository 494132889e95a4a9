import type { OutreachSide, StaffingReportRequest } from '@warroom/contracts';
import { useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { formatPercent } from '../../../utils/format';
import { downloadOutreachCsv, useOutreachReport } from '../api/get-outreach-report';
import { formatCount, formatSlot } from './format';
import type { Lang, Messages } from './messages';

const TABLE = { borderCollapse: 'collapse', width: '100%', fontVariantNumeric: 'tabular-nums', textAlign: 'right' } as const;

const yuan = (cents: number): string => `¥${(cents / 100).toLocaleString(undefined, { maximumFractionDigits: 2 })}`;

function SideCells({ side }: { side: OutreachSide }) {
  return (
    <>
      <td>{formatCount(side.sessions)}</td>
      <td>{formatPercent(side.rate)}</td>
      <td>{formatCount(side.orders)}</td>
      <td>{yuan(side.amountCents)}</td>
    </>
  );
}

/**
 * What outreach earned in the form's range (DESIGN.md "Outreach"): the bot's messages and the agents'
 * follow-ups, each with its sessions, conversion, attributed orders and amount, per scenario and per hour.
 */
export function OutreachSection({ token, request, t, lang }: { token: string; request: StaffingReportRequest; t: Messages; lang: Lang }) {
  const m = t.outreach;
  const { report, error } = useOutreachReport(token, request);
  const [downloadProblem, setDownloadProblem] = useState<string | null>(null);
  const header = (
    <thead>
      <tr>
        <th rowSpan={2} />
        <th colSpan={4}>{m.bot}</th>
        <th colSpan={4}>{m.agent}</th>
      </tr>
      <tr>
        {[0, 1].flatMap((side) => [m.sessions, m.conversion, m.orders, m.amount].map((label) => <th key={`${side}-${label}`}>{label}</th>))}
      </tr>
    </thead>
  );
  return (
    <section data-testid="outreach-report" style={{ display: 'flex', flexDirection: 'column', gap: '0.6em' }}>
      <div style={{ display: 'flex', gap: '1.5em', alignItems: 'baseline' }}>
        <h2 style={{ margin: 0, fontSize: '1.3em' }}>{m.title}</h2>
        <button
          type="button"
          data-testid="outreach-csv"
          onClick={() => void downloadOutreachCsv(token, request).then(() => setDownloadProblem(null), (e: unknown) => setDownloadProblem(errorText(e)))}
          style={{ background: 'none', border: 'none', color: '#58a6ff', textDecoration: 'underline', cursor: 'pointer', font: 'inherit', padding: 0 }}
        >
          {m.download}
        </button>
        {report ? <span style={{ color: '#8b949e' }}>{m.window(report.attributionHours, report.total.followUpsOpen)}</span> : null}
      </div>
      {error ? <div style={{ color: '#f85149' }}>{errorText(error)}</div> : null}
      {downloadProblem ? <div style={{ color: '#f85149' }}>{downloadProblem}</div> : null}
      {report ? (
        <>
          <table data-testid="outreach-by-scenario" style={TABLE}>
            {header}
            <tbody>
              <tr data-testid="outreach-total" style={{ fontWeight: 700 }}>
                <td>{m.total}</td>
                <SideCells side={report.total.bot} />
                <SideCells side={report.total.agent} />
              </tr>
              {report.byScenario.map((row) => (
                <tr key={row.scenario} data-scenario={row.scenario}>
                  <td>{m.scenarios[row.scenario]}</td>
                  <SideCells side={row.bot} />
                  <SideCells side={row.agent} />
                </tr>
              ))}
            </tbody>
          </table>
          <table data-testid="outreach-by-hour" style={TABLE}>
            {header}
            <tbody>
              {report.byHour
                .filter((row) => row.bot.touches + row.agent.touches > 0)
                .map((row) => (
                  <tr key={row.hourStart}>
                    <td>{formatSlot(row.hourStart, lang)}</td>
                    <SideCells side={row.bot} />
                    <SideCells side={row.agent} />
                  </tr>
                ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}
