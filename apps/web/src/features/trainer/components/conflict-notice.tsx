import { useNow } from '../../../hooks/use-now';
import type { Conflict } from '../hooks/use-gap-editor';
import { replyText } from './format';
import type { Messages } from './messages';

/** Someone published a newer revision first: who, how long ago, what changed; the draft is kept and can be published on top of it. */
export function ConflictNotice({ conflict, canRebase, onRebase, t }: { conflict: Conflict; canRebase: boolean; onRebase: () => void; t: Messages }) {
  const now = useNow();
  const { current } = conflict;
  return (
    <div className="notice warn" role="alert" data-testid="conflict">
      <div className="notice-title">{t.conflictTitle}</div>
      {current ? (
        <div>
          {t.conflictWho(current.author?.login ?? t.packFile, current.revision, current.appliedAt ? t.ago(Math.max(0, Math.round((now - Date.parse(current.appliedAt)) / 1000))) : '')}
          {conflict.changes.length > 0 ? <>；{t.conflictWhat(conflict.changes.join('、'))}</> : null}
        </div>
      ) : null}
      {current?.content ? (
        <div className="small mt-4">
          {t.diffReply}: {replyText(current.content.reply)}
        </div>
      ) : null}
      <div className="mt-4">{t.conflictKept}</div>
      <div className="small muted mt-4" data-testid="conflict-message">
        {t.serverSays}: {conflict.message}
      </div>
      {current && canRebase ? (
        <button className="btn primary mt-8" type="button" data-testid="rebase" onClick={onRebase}>
          {t.rebase(current.revision)}
        </button>
      ) : null}
    </div>
  );
}
