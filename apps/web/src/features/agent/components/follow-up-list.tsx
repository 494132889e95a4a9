import { FOLLOW_UP_RESULTS } from '@warroom/contracts';
import { formatDuration, formatPercent } from '../../../utils/format';
import { useFollowUps } from '../hooks/use-follow-ups';
import type { Lang, Messages } from './messages';

/**
 * The follow-up list (DESIGN.md "Outreach": scenarios a shop keeps for humans): longest-waiting and
 * highest-intent first, the customer's last question masked by the api; one click records what came of it.
 */
export function FollowUpList({ token, now, lang, t }: { token: string; now: number; lang: Lang; t: Messages }) {
  const m = t.followUps;
  const { followUps, problem, busyId, markDone } = useFollowUps(token);
  return (
    <section data-testid="follow-ups" style={{ marginTop: 16 }}>
      <h2 style={{ fontSize: 15, margin: '0 0 8px' }} data-testid="follow-ups-count">
        {m.title(followUps.length)}
      </h2>
      {problem ? <div className="notice error">{problem}</div> : null}
      {followUps.length === 0 ? <div className="muted">{m.empty}</div> : null}
      {followUps.map((followUp) => (
        <div key={followUp.id} className="panel" data-testid="follow-up-row" data-follow-up-id={followUp.id} style={{ marginBottom: 8, padding: 10 }}>
          <div className="row" style={{ flexWrap: 'nowrap' }}>
            <span className="grow" style={{ fontWeight: 600, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
              {followUp.lastQuestion ?? m.noQuestion}
            </span>
            <span className="small" style={{ color: '#f0b72f', whiteSpace: 'nowrap' }}>
              {formatDuration(now - Date.parse(followUp.openedAt), lang)}
            </span>
          </div>
          <div className="row small muted">
            <span className="badge">{m.scenarios[followUp.scenario] ?? followUp.scenario}</span>
            <span>
              {m.intent} {formatPercent(followUp.intentScore, 0)}
            </span>
            <span>{followUp.shopId}</span>
          </div>
          <div className="row" style={{ marginTop: 6 }}>
            {FOLLOW_UP_RESULTS.map((result) => (
              <button
                key={result}
                className={`btn ${result === 'reached' ? 'primary' : ''}`}
                type="button"
                disabled={busyId !== null}
                onClick={() => void markDone(followUp.id, result)}
                data-testid={`follow-up-${result}`}
              >
                {m.results[result]}
              </button>
            ))}
          </div>
        </div>
      ))}
    </section>
  );
}
