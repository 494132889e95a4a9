import { useQuery } from '@tanstack/react-query';
import type { Briefing, BriefingEntry, EventSource } from '@warroom/contracts';
import { useNow } from '../../../hooks/use-now';
import { errorText } from '../../../lib/api-client';
import { briefingQueryOptions } from '../api/get-briefing';
import type { Messages } from './messages';

/**
 * The briefing before the next promo moment (issue 23), above the inbox: last campaign's questions at the
 * same kind of moment, by the volume expected now, each with what the knowledge base does with it; an
 * unanswered one opens its predicted gap in the editor.
 */
export function BriefingPanel({ token, source, select, t }: { token: string; source: EventSource; select: (gapId: string) => void; t: Messages }) {
  const query = useQuery(briefingQueryOptions(token, source));
  const now = useNow();
  if (query.error) return <div className="notice error">{errorText(query.error)}</div>;
  const briefing = query.data;
  if (!briefing) return null;
  if (briefing.status === 'none' || !briefing.moment) {
    return (
      <section data-testid="briefing" data-status="none" className="small muted" style={{ marginBottom: 8 }}>
        {t.briefing.none}
      </section>
    );
  }
  return (
    <section data-testid="briefing" data-status={briefing.status} style={{ marginBottom: 12, borderBottom: '1px solid #30363d', paddingBottom: 8 }}>
      <div className="row" style={{ alignItems: 'baseline' }}>
        <h2 className="grow" style={{ fontSize: 15, margin: 0 }}>
          {t.briefing.title(briefing.moment.label)}
        </h2>
        <span className="small figure" data-testid="briefing-countdown">
          {countdownText(briefing, now, t)}
        </span>
      </div>
      {briefing.previous ? (
        <div className="small muted" style={{ margin: '2px 0 6px' }}>
          {t.briefing.previous(briefing.previous.name, briefing.previous.moment.label, briefing.planRatio)}
        </div>
      ) : null}
      {briefing.hitRate ? (
        <div className="small" data-testid="briefing-hit-rate">
          {t.briefing.hitRate(percent(briefing.hitRate.lastTime), percent(briefing.hitRate.now))}
        </div>
      ) : null}
      <ol style={{ margin: 0, paddingLeft: 20, maxHeight: '32vh', overflowY: 'auto' }}>
        {briefing.entries.map((entry) => (
          <BriefingRow key={`${entry.shopId}|${entry.representative}`} entry={entry} select={select} t={t} />
        ))}
      </ol>
    </section>
  );
}

function BriefingRow({ entry, select, t }: { entry: BriefingEntry; select: (gapId: string) => void; t: Messages }) {
  const verdict = entry.now;
  return (
    <li data-testid="briefing-entry" data-verdict={verdict.kind} style={{ margin: '4px 0' }}>
      <div className="row" style={{ flexWrap: 'nowrap' }}>
        <span className="grow" style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={entry.examples.join('\n')}>
          {entry.representative}
        </span>
        <span className={`badge ${verdict.kind === 'answered' ? 'verified' : verdict.kind === 'handoff' ? 'flag' : 'open'}`}>
          {verdict.kind === 'answered' ? t.briefing.answered(verdict.answerId) : verdict.kind === 'handoff' ? t.briefing.handoff : t.briefing.unmatched}
        </span>
      </div>
      <div className="row small muted">
        <span>{entry.shopId}</span>
        <span>{t.briefing.expected(entry.expected, entry.lastTime.asked)}</span>
        {entry.gapId ? (
          <button className="btn link" type="button" data-testid="briefing-open-gap" onClick={() => select(entry.gapId!)}>
            {t.briefing.openGap}
          </button>
        ) : null}
      </div>
      {verdict.kind === 'answered' && verdict.reply ? (
        <div className="small" style={{ color: '#8b949e', overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={verdict.reply}>
          ↳ {verdict.reply}
        </div>
      ) : null}
    </li>
  );
}

function countdownText(briefing: Briefing, now: number, t: Messages): string {
  const at = Date.parse(briefing.moment!.at);
  if (briefing.opensAt && now < Date.parse(briefing.opensAt)) return t.briefing.opensIn(duration(Date.parse(briefing.opensAt) - now));
  return now < at ? t.briefing.startsIn(duration(at - now)) : t.briefing.after(duration(now - at));
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${two(m)}:${two(s)}`;
}

function percent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}
