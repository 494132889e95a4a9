import type { PatchPreview } from '@warroom/contracts';
import type { Messages } from './messages';

/** What the replay found: the counts, then every question whose answer would change. */
export function PreviewView({ preview, stale, t }: { preview: PatchPreview; stale: boolean; t: Messages }) {
  return (
    <div className="panel" data-testid="preview-result" data-stale={stale} style={stale ? { opacity: 0.6 } : undefined}>
      <h2>{t.previewTitle}</h2>
      {stale ? <div className="notice warn">{t.stalePreview}</div> : null}
      <div className="row" style={{ gap: 32, marginBottom: 8 }}>
        <div>
          <div className="small muted">{t.gapAnswered}</div>
          <div className="figure" data-testid="preview-gap-answered">
            {preview.gapQuestions.answered} / {preview.gapQuestions.total}
          </div>
        </div>
        <div>
          <div className="small muted">{t.newlyAnswered}</div>
          <div className="figure" data-testid="preview-newly-answered">
            {preview.newlyAnswered}
          </div>
        </div>
        <div>
          <div className="small muted">{t.changedCount}</div>
          <div className="figure" data-testid="preview-changed-count">
            {preview.changed.length}
          </div>
        </div>
      </div>
      <div className="small muted" style={{ marginBottom: 8 }}>
        {t.replayed(preview.replayed, preview.cap, preview.capped)} · {t.took(Math.round(preview.tookMs))}
      </div>
      <h2>{t.changed}</h2>
      {preview.changed.length === 0 ? (
        <div className="muted">{t.noChange}</div>
      ) : (
        <table className="plain" data-testid="preview-changed">
          <thead>
            <tr>
              <th />
              <th>{t.before}</th>
              <th>{t.after}</th>
            </tr>
          </thead>
          <tbody>
            {preview.changed.map((change) => (
              <tr key={change.text}>
                <td>{change.text}</td>
                <td className={change.before === null ? 'muted' : ''}>{change.before ?? t.unmatched}</td>
                <td style={{ color: change.after === null ? '#ff7b72' : '#7ee787' }}>{change.after ?? t.unmatched}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
