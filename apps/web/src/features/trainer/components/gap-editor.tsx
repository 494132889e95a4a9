import type { EventSource, Gap, User } from '@warroom/contracts';
import { useEditorShortcuts } from '../hooks/use-editor-shortcuts';
import { useGapEditor } from '../hooks/use-gap-editor';
import { ConflictNotice } from './conflict-notice';
import { EditorHeader } from './editor-header';
import { HistoryView } from './history-view';
import type { Lang, Messages } from './messages';
import { PatchForm } from './patch-form';
import { PreviewView } from './preview-view';
import { WatchView } from './watch-view';

/**
 * One gap, opened: its questions, the nearest answers, the patch (examples for an answer, or a new answer),
 * preview, publish (a conflict keeps every character typed and offers to publish again on the new
 * revision), then the gap watched until verified, and the answer's history with rollback.
 */
export function GapEditor({ gap, token, user, lang, t, source, upsert }: { gap: Gap; token: string; user: User; lang: Lang; t: Messages; source: EventSource; upsert: (gap: Gap) => void }) {
  const editor = useGapEditor({ gap, token, user, t, source, upsert });
  useEditorShortcuts(editor);
  // A closed gap is watched and its answer's history kept at hand; there is nothing left to edit.
  const closed = gap.status === 'verified' || gap.status === 'dismissed';
  return (
    <div data-testid="gap-editor" data-gap-id={gap.gapId}>
      <EditorHeader gap={gap} user={user} editor={editor} t={t} />
      {editor.problem ? (
        <div className="notice error pre-wrap" role="alert" data-testid="editor-problem">
          {editor.problem}
        </div>
      ) : null}
      {editor.conflict ? <ConflictNotice conflict={editor.conflict} canRebase={editor.draft.mode === 'add_examples'} onRebase={editor.rebaseAndPublish} t={t} /> : null}
      {editor.published || gap.status === 'published' || gap.status === 'verified' ? (
        <WatchView gap={gap} published={editor.published} answered={editor.answeredSincePublished} lang={lang} t={t} />
      ) : null}
      {closed ? null : <PatchForm gap={gap} editor={editor} t={t} />}
      {!closed && editor.preview ? <PreviewView preview={editor.preview} stale={!editor.previewFresh} t={t} /> : null}
      <HistoryView token={token} user={user} target={editor.historyTarget} lang={lang} t={t} />
    </div>
  );
}
