import {
  EVENT_SOURCES,
  STAFFING_DEFAULTS,
  STAFFING_INTERVALS,
  STAFFING_INTERVAL_MS,
  issueList,
  staffingReportRequestSchema,
  type EventSource,
  type Issue,
  type StaffingInterval,
  type StaffingReportRequest,
} from '@warroom/contracts';
import { useCallback, useState } from 'react';
import type { SubmittedReport } from '../api/get-staffing-report';

/** What the form's inputs hold: text, as inputs do. Percentages here; the contract takes fractions. */
export interface ReportForm {
  /** `YYYY-MM-DDTHH:mm` in local time, as `<input type="datetime-local">` holds it. */
  from: string;
  to: string;
  shop: string;
  source: EventSource;
  interval: StaffingInterval;
  serviceLevelPct: string;
  withinSec: string;
  concurrency: string;
  shrinkagePct: string;
  patienceSec: string;
  ahtSec: string;
  compareFrom: string;
  compareTo: string;
  rosterCsv: string;
}

export type FormIssues = readonly Issue[];

const pad = (n: number): string => String(n).padStart(2, '0');

/** A time as a datetime-local value (local time, minutes). */
export function toLocalInput(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function fromIsoParam(value: string | null): string | null {
  if (value === null) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : toLocalInput(new Date(ms));
}

/** The form a URL asks for: `?from=&to=` (ISO), `shop`, `source`, `interval`, `compareFrom`, `compareTo`; else the last 24 h. */
export function initialForm(params: URLSearchParams, now: Date): ReportForm {
  const interval = (STAFFING_INTERVALS as readonly string[]).includes(params.get('interval') ?? '')
    ? (params.get('interval') as StaffingInterval)
    : STAFFING_DEFAULTS.interval;
  const source = (EVENT_SOURCES as readonly string[]).includes(params.get('source') ?? '') ? (params.get('source') as EventSource) : 'live';
  const nextHour = Math.ceil(now.getTime() / 3_600_000) * 3_600_000;
  return {
    from: fromIsoParam(params.get('from')) ?? toLocalInput(new Date(nextHour - 24 * 3_600_000)),
    to: fromIsoParam(params.get('to')) ?? toLocalInput(new Date(nextHour)),
    shop: params.get('shop') ?? 'all',
    source,
    interval,
    serviceLevelPct: String(STAFFING_DEFAULTS.serviceLevel * 100),
    withinSec: String(STAFFING_DEFAULTS.withinSec),
    concurrency: String(STAFFING_DEFAULTS.concurrency),
    shrinkagePct: String(STAFFING_DEFAULTS.shrinkage * 100),
    patienceSec: '',
    ahtSec: '',
    compareFrom: fromIsoParam(params.get('compareFrom')) ?? '',
    compareTo: fromIsoParam(params.get('compareTo')) ?? '',
    rosterCsv: '',
  };
}

/** A local datetime-local value moved onto an interval boundary (down or up); undefined when blank, the text when unreadable. */
function boundary(local: string, interval: StaffingInterval, round: 'down' | 'up'): string | undefined {
  if (local.trim() === '') return undefined;
  const ms = new Date(local).getTime();
  if (Number.isNaN(ms)) return local;
  const step = STAFFING_INTERVAL_MS[interval];
  return new Date((round === 'down' ? Math.floor(ms / step) : Math.ceil(ms / step)) * step).toISOString();
}

function number(text: string, scale = 1): number | undefined {
  return text.trim() === '' ? undefined : Number(text) / scale;
}

/** The request the form describes, checked with the contract the api uses; or the failing paths. */
export function requestOf(form: ReportForm): { request: StaffingReportRequest } | { issues: FormIssues } {
  const candidate = {
    shop: form.shop.trim() || 'all',
    source: form.source,
    interval: form.interval,
    // The range is widened to whole intervals.
    from: boundary(form.from, form.interval, 'down'),
    to: boundary(form.to, form.interval, 'up'),
    serviceLevel: number(form.serviceLevelPct, 100),
    withinSec: number(form.withinSec),
    concurrency: number(form.concurrency),
    shrinkage: number(form.shrinkagePct, 100),
    patienceSec: number(form.patienceSec),
    ahtSec: number(form.ahtSec),
    compareFrom: boundary(form.compareFrom, form.interval, 'down'),
    compareTo: boundary(form.compareTo, form.interval, 'up'),
    rosterCsv: form.rosterCsv.trim() === '' ? undefined : form.rosterCsv,
  };
  const defined = Object.fromEntries(Object.entries(candidate).filter(([, value]) => value !== undefined));
  const parsed = staffingReportRequestSchema.safeParse(defined);
  if (parsed.success) return { request: parsed.data };
  return { issues: issueList(parsed.error) };
}

/** Keeps the URL in step with the report shown (token and language kept; the roster is not put in URLs). */
function writeUrl(request: StaffingReportRequest): void {
  const params = new URLSearchParams(window.location.search);
  const set: Record<string, string | undefined> = {
    shop: request.shop,
    source: request.source,
    interval: request.interval,
    from: request.from,
    to: request.to,
    compareFrom: request.compareFrom,
    compareTo: request.compareTo,
  };
  for (const [key, value] of Object.entries(set)) {
    if (value === undefined) params.delete(key);
    else params.set(key, value);
  }
  window.history.replaceState(null, '', `${window.location.pathname}?${params.toString()}`);
}

export interface ReportFormState {
  form: ReportForm;
  update: (changes: Partial<ReportForm>) => void;
  /** The request last submitted (the first one on load), or null while the form has never been valid. */
  submitted: SubmittedReport | null;
  /** Paths the form fails, from the last submit. */
  issues: FormIssues;
  submit: () => void;
  /** Changes the form and submits it at once (an offer on the page: "show the rehearsal"). */
  submitWith: (changes: Partial<ReportForm>) => void;
}

export function useReportForm(): ReportFormState {
  const [form, setForm] = useState(() => initialForm(new URLSearchParams(window.location.search), new Date()));
  const [{ submitted, issues }, setSubmitted] = useState<{ submitted: SubmittedReport | null; issues: FormIssues }>(() => {
    const first = requestOf(form);
    return 'request' in first ? { submitted: { request: first.request, submission: 0 }, issues: [] } : { submitted: null, issues: first.issues };
  });
  const update = useCallback((changes: Partial<ReportForm>) => setForm((previous) => ({ ...previous, ...changes })), []);
  const submitForm = useCallback((next: ReportForm) => {
    const checked = requestOf(next);
    if ('request' in checked) {
      writeUrl(checked.request);
      setSubmitted((previous) => ({ submitted: { request: checked.request, submission: (previous.submitted?.submission ?? 0) + 1 }, issues: [] }));
    } else {
      setSubmitted((previous) => ({ submitted: previous.submitted, issues: checked.issues }));
    }
  }, []);
  const submit = useCallback(() => submitForm(form), [form, submitForm]);
  const submitWith = useCallback(
    (changes: Partial<ReportForm>) => {
      const next = { ...form, ...changes };
      setForm(next);
      submitForm(next);
    },
    [form, submitForm],
  );
  return { form, update, submitted, issues, submit, submitWith };
}
