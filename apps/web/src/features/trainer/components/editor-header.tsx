import type { Gap, User } from '@warroom/contracts';
import { useState } from 'react';
import type { GapEditorState } from '../hooks/use-gap-editor';
import type { Messages } from './messages';

/** The gap's question and facts, with what the trainer may do to the gap itself: claim, release, dismiss (leads). */
export function EditorHeader({ gap, user, editor, t }: { gap: Gap; user: User; editor: GapEditorState; t: Messages }) {
  const [dismissReason, setDismissReason] = useState('');
  const claimer = gap.claimedBy?.actor ?? null;
  const mine = claimer?.userId === user.userId;
  const claimedByOther = gap.status === 'claimed' && !mine;
  return (
    <div className="panel">
      <div className="row top">
        <div className="grow">
          <div className="editor-title" data-testid="editor-title">
            {gap.representative}
          </div>
          <div className="row small muted mt-4">
            <span className={`badge ${gap.status}`} data-testid="editor-status">
              {t.statuses[gap.status]}
            </span>
            {gap.flags > 0 ? <span className="badge flag">⚑ {t.flags(gap.flags)}</span> : null}
            <span>{gap.shopId}</span>
            <span>
              {t.cost} {gap.cost.toFixed(1)}
            </span>
            <span>{t.volume(gap.volume.window, gap.volume.total)}</span>
            <span>{gap.suggestion.kind === 'add_examples' ? t.suggestAdd(gap.suggestion.answerId, Math.round(gap.suggestion.score * 100) / 100) : t.suggestNew}</span>
          </div>
        </div>
        <div className="row">
          {gap.status === 'open' || claimedByOther ? (
            // Another trainer's claim: only a lead (who may dismiss it too) is offered to try and take it.
            <button className="btn primary" type="button" onClick={editor.claim} disabled={editor.busy !== null || (claimedByOther && !editor.may.dismiss)} data-testid="claim">
              {t.claim}
            </button>
          ) : null}
          {gap.status === 'claimed' && mine ? (
            <button className="btn" type="button" onClick={editor.release}>
              {t.release}
            </button>
          ) : null}
        </div>
      </div>
      {claimer && claimedByOther ? <div className="notice warn inline">{t.claimedByOther(claimer.login)}</div> : null}
      {editor.may.dismiss && (gap.status === 'open' || gap.status === 'claimed') ? (
        <div className="row mt-8">
          <input className="field grow" placeholder={t.dismissReason} value={dismissReason} onChange={(e) => setDismissReason(e.target.value)} />
          <button className="btn danger" type="button" disabled={dismissReason.trim().length < 3} onClick={() => editor.dismiss(dismissReason.trim())}>
            {t.dismiss}
          </button>
        </div>
      ) : null}
    </div>
  );
}
