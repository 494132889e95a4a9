import { REPORT_ROLES, canReadReports, type StaffingReport, type StaffingReportRequest, type User } from '@warroom/contracts';
import { SignInForm } from '../../../components/sign-in-form';
import { useSession } from '../../../lib/session';
import { useCsvDownload } from '../api/download-staffing-csv';
import { useStaffingReport, type ReportProblem } from '../api/get-staffing-report';
import { toLocalInput, useReportForm } from '../hooks/use-report-form';
import { formatTime } from './format';
import { Issues, ReportFormView } from './report-form';
import { messages, type Lang, type Messages } from './messages';
import { OutreachSection } from './outreach-section';
import { StaffingChart } from './staffing-chart';
import { StaffingTable } from './staffing-table';
import { SummaryPanel } from './summary-panel';

/** `/reports[?lang=en][&shop=&source=&interval=&from=&to=&compareFrom=&compareTo=]`, for a signed-in manager. */
export function ReportsPage({ lang }: { lang: Lang }) {
  const t: Messages = messages[lang];
  const { session, keep, signOut } = useSession();
  if (!session || !canReadReports(session.user)) {
    return <SignInForm title={t.signInTitle} lang={lang} allowed={REPORT_ROLES} allowedLabel={t.allowed} onSignedIn={keep} />;
  }
  return <Reports token={session.token} user={session.user} lang={lang} t={t} signOut={signOut} />;
}

const LINK_BUTTON = { background: 'none', border: 'none', color: '#58a6ff', textDecoration: 'underline', cursor: 'pointer', font: 'inherit', padding: 0 } as const;

function ProblemView({ problem, t }: { problem: ReportProblem; t: Messages }) {
  if (problem.kind === 'bad-request') return <Issues title={t.badRequest} issues={problem.issues} />;
  return <Issues title={problem.kind === 'bad-response' ? t.badResponse : t.failed} issues={[{ path: '', message: problem.detail }]} />;
}

function Freshness({ report, t, lang }: { report: StaffingReport; t: Messages; lang: Lang }) {
  const a = report.assumptions;
  const incomplete = report.asOf !== null && Date.parse(report.asOf) < Date.parse(report.current.to);
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0.4em 1.5em', color: '#8b949e', fontSize: '0.9em' }}>
      {report.asOf ? (
        <span data-testid="as-of">
          {t.asOf} {formatTime(report.asOf, lang)}
        </span>
      ) : (
        <span data-testid="as-of-unknown" style={{ color: '#f85149' }}>
          {t.asOfUnknown}
        </span>
      )}
      <span>
        {t.generatedAt} {formatTime(report.generatedAt, lang)}
      </span>
      <span>{t.assumptions(Math.round(a.serviceLevel * 1000) / 10, a.withinSec, a.concurrency, Math.round(a.shrinkage * 1000) / 10, a.model)}</span>
      {incomplete ? (
        <span data-testid="incomplete" style={{ color: '#d29922' }}>
          {t.incomplete}
        </span>
      ) : null}
    </div>
  );
}

/** The intervals of a range that hold conversations: [first start, last end), or null when none does. */
export function windowWithData(range: StaffingReport['current']): { from: string; to: string; conversations: number } | null {
  const busy = range.intervals.filter((row) => row.conversations > 0);
  if (busy.length === 0) return null;
  return { from: busy[0]!.intervalStart, to: busy.at(-1)!.intervalEnd, conversations: range.totals.conversations };
}

/**
 * The page opens on live (DESIGN.md); when live has no conversation in the range, it says so and offers the
 * rehearsal's report over the intervals that hold its data (read in the background to know whether there is any).
 */
function EmptyLive({
  token,
  request,
  t,
  lang,
  show,
}: {
  token: string;
  request: StaffingReportRequest;
  t: Messages;
  lang: Lang;
  show: (window: { from: string; to: string }) => void;
}) {
  const rehearsal = useStaffingReport(token, { request: { ...request, source: 'rehearsal', compareFrom: undefined, compareTo: undefined }, submission: 0 });
  const found = rehearsal.status === 'ready' ? windowWithData(rehearsal.report.current) : null;
  return (
    <div data-testid="live-empty" style={{ padding: '0.8em 1em', border: '1px solid #30363d', borderRadius: 6 }}>
      {t.liveEmpty}{' '}
      {found ? (
        <span data-testid="rehearsal-offer">
          {t.rehearsalHasData(found.conversations, formatTime(found.from, lang), formatTime(found.to, lang))}
          <button type="button" data-testid="show-rehearsal" style={LINK_BUTTON} onClick={() => show(found)}>
            {t.showRehearsal}
          </button>
        </span>
      ) : rehearsal.status === 'ready' ? (
        <span>{t.nothingElse}</span>
      ) : null}
    </div>
  );
}

function Reports({ token, user, lang, t, signOut }: { token: string; user: User; lang: Lang; t: Messages; signOut: () => void }) {
  const { form, update, submitted, issues, submit, submitWith } = useReportForm();
  const request = submitted?.request ?? null;
  const state = useStaffingReport(token, submitted);
  const csv = useCsvDownload(token);
  const report = state.status === 'ready' ? state.report : state.status === 'loading' ? state.previous : null;
  const liveEmpty = state.status === 'ready' && request?.source === 'live' && state.report.current.totals.conversations === 0;

  return (
    <main style={{ height: '100vh', overflowY: 'auto', boxSizing: 'border-box', padding: '2vh 2vw', display: 'flex', flexDirection: 'column', gap: '1.2em' }}>
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'baseline', flexWrap: 'wrap', gap: '1em' }}>
        <div>
          <h1 style={{ margin: 0, fontSize: '1.8em' }}>{t.title}</h1>
          <div style={{ color: '#8b949e' }}>{t.subtitle}</div>
        </div>
        <div style={{ display: 'flex', gap: '1.5em', alignItems: 'baseline' }}>
          <button
            type="button"
            data-testid="csv-download"
            disabled={request === null || csv.busy}
            onClick={() => request && csv.download(request)}
            style={LINK_BUTTON}
          >
            {csv.busy ? t.downloading : t.download}
          </button>
          <span data-testid="who" style={{ color: '#8b949e' }}>
            {user.displayName}
          </span>
          <button type="button" onClick={signOut} style={LINK_BUTTON}>
            {t.signOut}
          </button>
        </div>
      </header>
      <ReportFormView form={form} update={update} submit={submit} issues={issues} busy={state.status === 'loading'} t={t} />
      {csv.problem ? <ProblemView problem={csv.problem} t={t} /> : null}
      {state.status === 'error' ? <ProblemView problem={state.problem} t={t} /> : null}
      {liveEmpty && request ? (
        <EmptyLive
          token={token}
          request={request}
          t={t}
          lang={lang}
          show={(window) => submitWith({ source: 'rehearsal', from: toLocalInput(new Date(window.from)), to: toLocalInput(new Date(window.to)) })}
        />
      ) : null}
      {report ? (
        <div data-testid="report" data-status={state.status} style={{ display: 'flex', flexDirection: 'column', gap: '1.2em' }}>
          <Freshness report={report} t={t} lang={lang} />
          <StaffingChart range={report.current} t={t} lang={lang} />
          <SummaryPanel current={report.current} previous={report.previous} t={t} />
          <StaffingTable range={report.current} t={t} lang={lang} />
          {request ? <OutreachSection token={token} request={request} t={t} lang={lang} /> : null}
        </div>
      ) : state.status === 'loading' ? (
        <div>{t.loading}</div>
      ) : null}
    </main>
  );
}
