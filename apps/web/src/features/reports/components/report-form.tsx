import { EVENT_SOURCES, STAFFING_INTERVALS, type EventSource, type StaffingInterval } from '@warroom/contracts';
import type { ChangeEvent, CSSProperties, FormEvent, ReactNode } from 'react';
import type { FormIssues, ReportForm as Form } from '../hooks/use-report-form';
import type { Messages } from './messages';

const input: CSSProperties = {
  background: '#0d1117',
  color: '#e6edf3',
  border: '1px solid #30363d',
  borderRadius: 6,
  padding: '0.35em 0.5em',
  font: 'inherit',
};

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label style={{ display: 'flex', flexDirection: 'column', gap: '0.25em', fontSize: '0.85em', color: '#8b949e' }}>
      {label}
      {children}
    </label>
  );
}

/** The pickers: range, shop, source, interval, targets, comparison range and roster. */
export function ReportFormView({
  form,
  update,
  submit,
  issues,
  busy,
  t,
}: {
  form: Form;
  update: (changes: Partial<Form>) => void;
  submit: () => void;
  issues: FormIssues;
  busy: boolean;
  t: Messages;
}) {
  const text = (key: keyof Form) => (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => update({ [key]: event.target.value });
  const onFile = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (file) void file.text().then((rosterCsv) => update({ rosterCsv }));
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const row: CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: '0.8em', alignItems: 'flex-end' };
  return (
    <form onSubmit={onSubmit} data-testid="report-form" style={{ display: 'flex', flexDirection: 'column', gap: '0.8em' }}>
      <div style={row}>
        <Field label={t.from}>
          <input type="datetime-local" data-testid="from" value={form.from} onChange={text('from')} style={input} />
        </Field>
        <Field label={t.to}>
          <input type="datetime-local" data-testid="to" value={form.to} onChange={text('to')} style={input} />
        </Field>
        <Field label={t.shop}>
          <input data-testid="shop" value={form.shop} onChange={text('shop')} style={{ ...input, width: '10em' }} />
        </Field>
        <Field label={t.source}>
          <select data-testid="source" value={form.source} onChange={(e) => update({ source: e.target.value as EventSource })} style={input}>
            {EVENT_SOURCES.map((source) => (
              <option key={source} value={source}>
                {t.sources[source]}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t.interval}>
          <select data-testid="interval" value={form.interval} onChange={(e) => update({ interval: e.target.value as StaffingInterval })} style={input}>
            {STAFFING_INTERVALS.map((interval) => (
              <option key={interval} value={interval}>
                {t.intervals[interval]}
              </option>
            ))}
          </select>
        </Field>
        <button type="submit" data-testid="submit" disabled={busy} style={{ ...input, background: '#238636', borderColor: '#2ea043', cursor: 'pointer' }}>
          {busy ? t.loading : t.submit}
        </button>
      </div>
      <details>
        <summary style={{ cursor: 'pointer', color: '#8b949e' }}>
          {t.targets} · {t.compare} · {t.roster}
        </summary>
        <div style={{ ...row, marginTop: '0.8em' }}>
          <Field label={t.serviceLevel}>
            <input inputMode="decimal" value={form.serviceLevelPct} onChange={text('serviceLevelPct')} style={{ ...input, width: '5em' }} />
          </Field>
          <Field label={t.withinSec}>
            <input inputMode="decimal" value={form.withinSec} onChange={text('withinSec')} style={{ ...input, width: '5em' }} />
          </Field>
          <Field label={t.concurrency}>
            <input inputMode="numeric" value={form.concurrency} onChange={text('concurrency')} style={{ ...input, width: '5em' }} />
          </Field>
          <Field label={t.shrinkage}>
            <input inputMode="decimal" value={form.shrinkagePct} onChange={text('shrinkagePct')} style={{ ...input, width: '5em' }} />
          </Field>
          <Field label={t.patienceSec}>
            <input inputMode="decimal" value={form.patienceSec} onChange={text('patienceSec')} style={{ ...input, width: '7em' }} />
          </Field>
          <Field label={t.ahtSec}>
            <input inputMode="decimal" value={form.ahtSec} onChange={text('ahtSec')} style={{ ...input, width: '7em' }} />
          </Field>
          <Field label={t.compareFrom}>
            <input type="datetime-local" value={form.compareFrom} onChange={text('compareFrom')} style={input} />
          </Field>
          <Field label={t.compareTo}>
            <input type="datetime-local" value={form.compareTo} onChange={text('compareTo')} style={input} />
          </Field>
        </div>
        <div style={{ ...row, marginTop: '0.8em' }}>
          <Field label={t.roster}>
            <textarea
              data-testid="roster"
              value={form.rosterCsv}
              onChange={text('rosterCsv')}
              rows={4}
              placeholder={'interval_start,agents\n2026-11-11T00:00:00+08:00,12'}
              style={{ ...input, width: '32em', fontFamily: 'monospace' }}
            />
          </Field>
          <Field label={t.rosterFile}>
            <input type="file" accept=".csv,text/csv" onChange={onFile} style={{ color: '#8b949e' }} />
          </Field>
        </div>
      </details>
      {issues.length > 0 ? <Issues title={t.badRequest} issues={issues} /> : null}
    </form>
  );
}

export function Issues({ title, issues }: { title: string; issues: FormIssues }) {
  return (
    <div role="alert" data-testid="issues" style={{ background: 'rgba(248, 81, 73, 0.15)', border: '1px solid #f85149', borderRadius: 6, padding: '0.6em 1em' }}>
      <strong>{title}</strong>
      <ul style={{ margin: '0.3em 0 0', paddingLeft: '1.2em' }}>
        {issues.map((issue, i) => (
          <li key={i}>
            {issue.path ? <code>{issue.path}</code> : null} {issue.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
