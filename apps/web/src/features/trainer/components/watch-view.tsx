import type { Gap, KbTargetVersion } from '@warroom/contracts';
import { useNow } from '../../../hooks/use-now';
import { formatDuration } from '../../../utils/format';
import type { Lang, Messages } from './messages';

/** A published gap, watched until verified: its state, the questions the new revision answered, and the time-to-patch (running until verified). */
export function WatchView({ gap, published, answered, lang, t }: { gap: Gap; published: KbTargetVersion | null; answered: number | null; lang: Lang; t: Messages }) {
  const now = useNow();
  const version = published ?? (gap.published ? { target: gap.published.target, revision: gap.published.revision } : null);
  const verified = gap.status === 'verified' && gap.timeToPatchMs !== null;
  const clock = verified ? (gap.timeToPatchMs ?? 0) : now - Date.parse(gap.firstSeenAt);
  return (
    <div className={`notice ${verified ? 'ok' : 'warn'}`} data-testid="watch" data-status={gap.status}>
      {version ? <div className="bold">{t.published(version.target, version.revision)}</div> : null}
      <div className="row watch-figures">
        <div>
          <div className="small muted">{t.status}</div>
          <span className={`badge ${gap.status}`} data-testid="watch-status">
            {t.statuses[gap.status]}
          </span>
        </div>
        <div>
          <div className="small muted">{t.answeredSince}</div>
          <div className="figure" data-testid="answered-since">
            {answered ?? '—'}
          </div>
        </div>
        <div>
          <div className="small muted">
            {t.timeToPatch}
            {verified ? '' : ` (${t.running})`}
          </div>
          <div className="figure" data-testid="time-to-patch" data-final={verified}>
            {formatDuration(clock, lang)}
          </div>
        </div>
      </div>
    </div>
  );
}
