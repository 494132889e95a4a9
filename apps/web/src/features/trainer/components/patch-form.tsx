import type { Gap, NearestAnswer } from '@warroom/contracts';
import type { ShopAnswer } from '../api/get-answers';
import type { GapEditorState } from '../hooks/use-gap-editor';
import { replyText } from './format';
import type { Messages } from './messages';
import { industryOf, TOPICS } from './patch-request';

const STAGES = ['pre_sale', 'in_sale', 'after_sale'] as const;
/** How many nearest answers the editor lists. */
const NEAREST_SHOWN = 8;

interface NearestRow {
  answerId: string;
  score: number | null;
  reply: string;
}

/** The answers to offer as targets: the ranked nearest ones, else the gap's suggestion first and then every answer of the shop. */
export function nearestRows(nearest: NearestAnswer[] | null | 'loading', answers: ShopAnswer[], gap: Gap): NearestRow[] {
  if (nearest !== null && nearest !== 'loading') return nearest.map((n) => ({ answerId: n.answerId, score: n.score, reply: replyText(n.reply) }));
  const suggested = gap.suggestion.kind === 'add_examples' ? gap.suggestion : null;
  const ordered = [
    ...(suggested ? answers.filter((a) => a.answerId === suggested.answerId).map((a) => ({ a, score: suggested.score })) : []),
    ...answers.filter((a) => a.answerId !== suggested?.answerId).map((a) => ({ a, score: null })),
  ];
  return ordered.flatMap(({ a, score }) => (a.version.content ? [{ answerId: a.answerId, score, reply: replyText(a.version.content.reply) }] : []));
}

/** The patch being written: example questions, the answer they go to (or a new answer), preview and publish. */
export function PatchForm({ gap, editor, t }: { gap: Gap; editor: GapEditorState; t: Messages }) {
  return (
    <>
      <ExamplesPanel editor={editor} t={t} />
      <NearestPanel gap={gap} editor={editor} t={t} />
      <ChoicePanel gap={gap} editor={editor} t={t} />
    </>
  );
}

function ExamplesPanel({ editor: { draft, update }, t }: { editor: GapEditorState; t: Messages }) {
  return (
    <div className="panel">
      <h2>{t.examples}</h2>
      <textarea className="field" rows={Math.min(8, Math.max(3, draft.examples.split('\n').length + 1))} value={draft.examples} onChange={(e) => update({ examples: e.target.value })} data-testid="examples" />
      <div className="small muted">
        {t.examplesHint} · {t.draftKept}
      </div>
    </div>
  );
}

function NearestPanel({ gap, editor: { draft, update, nearest, answers }, t }: { gap: Gap; editor: GapEditorState; t: Messages }) {
  return (
    <div className="panel">
      <h2>
        {t.nearest} {nearest === null ? <span className="small">{t.nearestFallback}</span> : null}
      </h2>
      <table className="plain" data-testid="nearest">
        <tbody>
          {nearestRows(nearest, answers, gap)
            .slice(0, NEAREST_SHOWN)
            .map((n) => (
              <tr
                key={n.answerId}
                className="pickable"
                data-selected={draft.mode === 'add_examples' && draft.targetAnswerId === n.answerId}
                onClick={() => update({ mode: 'add_examples', targetAnswerId: n.answerId, rebaseRevision: null })}
              >
                <td className="nowrap">{n.answerId}</td>
                <td className="nowrap muted">{n.score === null ? '' : `${t.score} ${n.score.toFixed(2)}`}</td>
                <td className="small">{n.reply}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </div>
  );
}

function ChoicePanel({ gap, editor, t }: { gap: Gap; editor: GapEditorState; t: Messages }) {
  const { draft, update, answers, built, busy, preview, previewFresh, published, may } = editor;
  const industry = industryOf(answers);
  const baseShown = built.ok ? built.request.baseRevision : null;
  return (
    <div className="panel">
      <h2>{t.choice}</h2>
      <div className="row mb-8">
        <label className="row">
          <input type="radio" name="mode" checked={draft.mode === 'add_examples'} onChange={() => update({ mode: 'add_examples', rebaseRevision: null })} data-testid="mode-add" />
          {t.addExamples}
        </label>
        <label className="row">
          <input type="radio" name="mode" checked={draft.mode === 'new_answer'} disabled={!may.writeAnswers} onChange={() => update({ mode: 'new_answer', rebaseRevision: null })} data-testid="mode-new" />
          {t.newAnswer}
        </label>
      </div>
      {draft.mode === 'add_examples' ? (
        <label className="field-label">
          {t.target}
          <select className="field" value={draft.targetAnswerId} onChange={(e) => update({ targetAnswerId: e.target.value, rebaseRevision: null })} data-testid="target-answer">
            <option value="">{t.chooseAnswer}</option>
            {answers.map((a) => (
              <option key={a.answerId} value={a.answerId}>
                {a.answerId} · {t.revision(a.version.revision)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <div className="answer-fields">
          <label className="field-label">
            {t.answerId}
            <input className="field" value={draft.answerId} onChange={(e) => update({ answerId: e.target.value })} data-testid="answer-id" />
          </label>
          <label className="field-label">
            {t.topic}
            <select className="field" value={draft.topic} onChange={(e) => update({ topic: e.target.value })}>
              {TOPICS.map((topic) => (
                <option key={topic} value={topic}>
                  {topic}
                </option>
              ))}
            </select>
          </label>
          <label className="field-label">
            {t.stage}
            <select className="field" value={draft.stage} onChange={(e) => update({ stage: STAGES.find((stage) => stage === e.target.value) ?? draft.stage })}>
              {STAGES.map((stage) => (
                <option key={stage} value={stage}>
                  {t.stages[stage]}
                </option>
              ))}
            </select>
          </label>
          <label className="field-label wide">
            {t.replyText}
            <textarea className="field" rows={3} value={draft.text} onChange={(e) => update({ text: e.target.value })} data-testid="reply-text" />
          </label>
          <label className="field-label wide">
            {t.videoUrl}
            <input className="field" value={draft.videoUrl} onChange={(e) => update({ videoUrl: e.target.value })} />
          </label>
          <label className="field-label wide">
            {t.products}
            <textarea className="field" rows={2} value={draft.products} onChange={(e) => update({ products: e.target.value })} />
          </label>
          <label className="field-label wide">
            {t.pack}
            <select className="field" value={draft.pack} onChange={(e) => update({ pack: e.target.value === 'industry' ? 'industry' : 'shop' })}>
              <option value="shop">{t.packShop(gap.shopId)}</option>
              {industry ? (
                <option value="industry" disabled={!may.publishToIndustry}>
                  {t.packIndustry(industry)}
                </option>
              ) : null}
            </select>
          </label>
        </div>
      )}
      <div className="row mt-10">
        <button className="btn" type="button" onClick={editor.runPreview} disabled={busy !== null || !built.ok} data-testid="preview">
          {busy === 'preview' ? t.previewing : t.preview}
        </button>
        <button className={`btn ${previewFresh ? 'primary' : ''}`} type="button" onClick={editor.publish} disabled={busy !== null || !built.ok} data-testid="publish">
          {busy === 'publish' ? t.publishing : t.publish}
        </button>
        <span className="small muted" data-testid="base-revision">
          {baseShown === null ? '' : baseShown === 0 ? t.baseNew : t.base(baseShown)}
        </span>
        {!previewFresh && !published ? <span className="small muted">{preview ? t.stalePreview : t.previewFirst}</span> : null}
      </div>
      {!built.ok ? (
        <div className="small draft-issues" data-testid="draft-issues">
          {built.issues.join('\n')}
        </div>
      ) : null}
    </div>
  );
}
