import {
  canPublishToIndustry,
  canWriteAnswers,
  type EventSource,
  type Gap,
  type KbTargetVersion,
  type NearestAnswer,
  type PatchPreview,
  type User,
} from '@warroom/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { claimGap, dismissGap, releaseGap } from '../api/gap-actions';
import { fetchAnswers, fetchNearest, type ShopAnswer } from '../api/get-answers';
import { fetchGap, fetchGapAnswered } from '../api/get-gaps';
import { fetchHistory, previewPatch, publishPatch } from '../api/patches';
import { useDraft } from '../hooks/use-draft';
import { useNow } from '../../../hooks/use-now';
import { formatDuration } from '../../../utils/format';
import { replyText, versionChanges } from './format';
import { HistoryView } from './history-view';
import type { Lang, Messages } from './messages';
import { buildRequest, industryOf, initialDraft, TOPICS } from './patch-request';
import { PreviewView } from './preview-view';

interface Conflict {
  /** The server's words (English). */
  message: string;
  current: KbTargetVersion | null;
  /** What changed between the version the trainer edited and the current one. */
  changes: string[];
}

const isTyping = (target: EventTarget | null) => target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));

/**
 * One gap, opened: its questions, the nearest answers, the patch (examples for an answer, or a new answer),
 * preview, publish (a conflict keeps every character typed and offers to publish again on the new
 * revision), then the gap watched until verified, and the answer's history with rollback.
 */
export function GapEditor({ gap, token, user, lang, t, source, upsert }: { gap: Gap; token: string; user: User; lang: Lang; t: Messages; source: EventSource; upsert: (gap: Gap) => void }) {
  const { draft, update } = useDraft(gap.gapId, () => initialDraft(gap));
  const [answers, setAnswers] = useState<ShopAnswer[]>([]);
  const [nearest, setNearest] = useState<NearestAnswer[] | null | 'loading'>('loading');
  const [preview, setPreview] = useState<{ key: string; result: PatchPreview } | null>(null);
  const [busy, setBusy] = useState<'preview' | 'publish' | 'claim' | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [published, setPublished] = useState<KbTargetVersion | null>(null);
  const [historyKey, setHistoryKey] = useState(0);
  const [dismissReason, setDismissReason] = useState('');
  const now = useNow();

  // The api's own rules (libs/contracts permissions.ts): the editor offers only what publishing would accept.
  const canWrite = canWriteAnswers(user);
  const canIndustry = canPublishToIndustry(user);

  const reloadAnswers = useCallback(() => fetchAnswers(token, gap.shopId).then(setAnswers, (error: unknown) => setProblem(errorText(error))), [token, gap.shopId]);
  useEffect(() => {
    void reloadAnswers();
  }, [reloadAnswers]);
  useEffect(() => {
    const controller = new AbortController();
    setNearest('loading');
    fetchNearest(token, gap.shopId, gap.representative, controller.signal).then(setNearest, (error: unknown) => {
      if (controller.signal.aborted) return;
      setNearest(null);
      setProblem(errorText(error));
    });
    return () => controller.abort();
  }, [token, gap.shopId, gap.representative]);
  useEffect(() => {
    setPreview(null);
    setConflict(null);
    setPublished(null);
    setProblem(null);
  }, [gap.gapId]);

  // A published gap is watched until verified, whatever the push does (a verified gap leaves the active list).
  useEffect(() => {
    if (gap.status !== 'published') return;
    const timer = setInterval(() => void fetchGap(token, gap.gapId).then(upsert, () => undefined), 2_000);
    return () => clearInterval(timer);
  }, [token, gap.gapId, gap.status, upsert]);

  const built = useMemo(() => buildRequest(draft, gap, answers), [draft, gap, answers]);
  const builtKey = built.ok ? JSON.stringify(built.request) : '';
  const previewFresh = preview !== null && preview.key === builtKey;

  const claim = useCallback(async () => {
    setBusy('claim');
    setProblem(null);
    try {
      upsert(await claimGap(token, gap.gapId));
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(null);
    }
  }, [token, gap.gapId, upsert]);

  const runPreview = useCallback(async () => {
    if (!built.ok) return setProblem(built.issues.join('\n'));
    setBusy('preview');
    setProblem(null);
    try {
      setPreview({ key: JSON.stringify(built.request), result: await previewPatch(token, built.request, source) });
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(null);
    }
  }, [built, token, source]);

  const publish = useCallback(async () => {
    if (!built.ok) return setProblem(built.issues.join('\n'));
    setBusy('publish');
    setProblem(null);
    try {
      const outcome = await publishPatch(token, built.request);
      if (outcome.kind === 'published') {
        setConflict(null);
        setPublished(outcome.version);
        update({ rebaseRevision: null });
        setHistoryKey((key) => key + 1);
        void reloadAnswers();
        void fetchGap(token, gap.gapId).then(upsert, () => undefined);
        return;
      }
      let changes: string[] = [];
      if (outcome.current) {
        const history = await fetchHistory(token, outcome.current.target).catch(() => []);
        const base = history.find((version) => version.revision === built.request.baseRevision) ?? null;
        changes = versionChanges(base, outcome.current, t);
      }
      setConflict({ message: outcome.message, current: outcome.current, changes });
      // The newer version is what the trainer should look at: the answers list and the history follow it.
      setHistoryKey((key) => key + 1);
      void reloadAnswers();
    } catch (error) {
      setProblem(errorText(error));
    } finally {
      setBusy(null);
    }
  }, [built, token, update, reloadAnswers, gap.gapId, upsert, t]);

  const rebaseAndPublish = useCallback(() => {
    if (!conflict?.current) return;
    update({ rebaseRevision: conflict.current.revision });
    setConflict(null);
  }, [conflict, update]);
  // Publish once the rebased draft is in place (the request is rebuilt from it).
  const pendingRebase = useRef(false);
  useEffect(() => {
    if (pendingRebase.current && draft.rebaseRevision !== null) {
      pendingRebase.current = false;
      void publish();
    }
  }, [draft.rebaseRevision, publish]);

  // Keyboard: c claim, p preview, Ctrl+Enter publish (Enter alone too, outside text fields, once previewed).
  const keys = useRef({ claim, runPreview, publish, previewFresh });
  keys.current = { claim, runPreview, publish, previewFresh };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        void keys.current.publish();
        return;
      }
      if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === 'c') void keys.current.claim();
      else if (event.key === 'p') void keys.current.runPreview();
      else if (event.key === 'Enter' && keys.current.previewFresh) void keys.current.publish();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const closed = gap.status === 'verified' || gap.status === 'dismissed';
  const claimer = gap.claimedBy?.actor ?? null;
  const mine = claimer?.userId === user.userId;
  const industry = industryOf(answers);
  const historyTarget = published?.target ?? gap.published?.target ?? (draft.mode === 'add_examples' ? answers.find((a) => a.answerId === draft.targetAnswerId)?.target ?? null : null);
  const suggested = gap.suggestion.kind === 'add_examples' ? gap.suggestion : null;
  const nearestList: { answerId: string; score: number | null; reply: string; revision: number }[] =
    nearest !== null && nearest !== 'loading'
      ? nearest.map((n) => ({ answerId: n.answerId, score: n.score, reply: replyText(n.reply), revision: n.revision }))
      : [
          ...(suggested ? answers.filter((a) => a.answerId === suggested.answerId).map((a) => ({ a, score: suggested.score })) : []),
          ...answers.filter((a) => a.answerId !== suggested?.answerId).map((a) => ({ a, score: null })),
        ].flatMap(({ a, score }) => (a.version.content ? [{ answerId: a.answerId, score, reply: replyText(a.version.content.reply), revision: a.version.revision }] : []));
  const baseShown = built.ok ? built.request.baseRevision : null;

  return (
    <div data-testid="gap-editor" data-gap-id={gap.gapId}>
      <div className="panel">
        <div className="row" style={{ alignItems: 'flex-start' }}>
          <div className="grow">
            <div style={{ fontSize: 18, fontWeight: 700 }} data-testid="editor-title">
              {gap.representative}
            </div>
            <div className="row small muted" style={{ marginTop: 4 }}>
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
            {gap.status === 'open' || (gap.status === 'claimed' && !mine) ? (
              <button className="btn primary" type="button" onClick={() => void claim()} disabled={busy !== null || (gap.status === 'claimed' && user.role !== 'lead')} data-testid="claim">
                {t.claim}
              </button>
            ) : null}
            {gap.status === 'claimed' && mine ? (
              <button className="btn" type="button" onClick={() => void releaseGap(token, gap.gapId).then(upsert, (e: unknown) => setProblem(errorText(e)))}>
                {t.release}
              </button>
            ) : null}
          </div>
        </div>
        {claimer && !mine && gap.status === 'claimed' ? <div className="notice warn" style={{ margin: '8px 0 0' }}>{t.claimedByOther(claimer.login)}</div> : null}
        {user.role === 'lead' && (gap.status === 'open' || gap.status === 'claimed') ? (
          <div className="row" style={{ marginTop: 8 }}>
            <input className="field grow" placeholder={t.dismissReason} value={dismissReason} onChange={(e) => setDismissReason(e.target.value)} />
            <button className="btn danger" type="button" disabled={dismissReason.trim().length < 3} onClick={() => void dismissGap(token, gap.gapId, dismissReason.trim()).then(upsert, (e: unknown) => setProblem(errorText(e)))}>
              {t.dismiss}
            </button>
          </div>
        ) : null}
      </div>

      {problem ? (
        <div className="notice error" role="alert" data-testid="editor-problem" style={{ whiteSpace: 'pre-wrap' }}>
          {problem}
        </div>
      ) : null}

      {conflict ? (
        <div className="notice warn" role="alert" data-testid="conflict">
          <div style={{ fontWeight: 700, marginBottom: 4 }}>{t.conflictTitle}</div>
          {conflict.current ? (
            <div>
              {t.conflictWho(
                conflict.current.author?.login ?? t.packFile,
                conflict.current.revision,
                conflict.current.appliedAt ? t.ago(Math.max(0, Math.round((now - Date.parse(conflict.current.appliedAt)) / 1000))) : '',
              )}
              {conflict.changes.length > 0 ? <>；{t.conflictWhat(conflict.changes.join('、'))}</> : null}
            </div>
          ) : null}
          {conflict.current?.content ? (
            <div className="small" style={{ marginTop: 4 }}>
              {t.diffReply}: {replyText(conflict.current.content.reply)}
            </div>
          ) : null}
          <div style={{ marginTop: 4 }}>{t.conflictKept}</div>
          <div className="small muted" style={{ marginTop: 4 }} data-testid="conflict-message">
            {t.serverSays}: {conflict.message}
          </div>
          {conflict.current && draft.mode === 'add_examples' ? (
            <button
              className="btn primary"
              type="button"
              style={{ marginTop: 8 }}
              data-testid="rebase"
              onClick={() => {
                pendingRebase.current = true;
                rebaseAndPublish();
              }}
            >
              {t.rebase(conflict.current.revision)}
            </button>
          ) : null}
        </div>
      ) : null}

      {published || gap.status === 'published' || gap.status === 'verified' ? <WatchView token={token} gap={gap} published={published} now={now} lang={lang} t={t} /> : null}

      {/* A closed gap is watched and its answer's history kept at hand; there is nothing left to edit. */}
      {closed ? null : (
        <>
      <div className="panel">
        <h2>{t.examples}</h2>
        <textarea className="field" rows={Math.min(8, Math.max(3, draft.examples.split('\n').length + 1))} value={draft.examples} onChange={(e) => update({ examples: e.target.value })} data-testid="examples" />
        <div className="small muted">
          {t.examplesHint} · {t.draftKept}
        </div>
      </div>

      <div className="panel">
        <h2>
          {t.nearest} {nearest === null ? <span className="small">{t.nearestFallback}</span> : null}
        </h2>
        <table className="plain" data-testid="nearest">
          <tbody>
            {nearestList.slice(0, 8).map((n) => (
              <tr key={n.answerId} style={{ cursor: 'pointer', background: draft.mode === 'add_examples' && draft.targetAnswerId === n.answerId ? '#13233b' : undefined }} onClick={() => update({ mode: 'add_examples', targetAnswerId: n.answerId, rebaseRevision: null })}>
                <td style={{ whiteSpace: 'nowrap' }}>{n.answerId}</td>
                <td style={{ whiteSpace: 'nowrap' }} className="muted">
                  {n.score === null ? '' : `${t.score} ${n.score.toFixed(2)}`}
                </td>
                <td className="small">{n.reply}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>

      <div className="panel">
        <h2>{t.choice}</h2>
        <div className="row" style={{ marginBottom: 8 }}>
          <label className="row">
            <input type="radio" name="mode" checked={draft.mode === 'add_examples'} onChange={() => update({ mode: 'add_examples', rebaseRevision: null })} data-testid="mode-add" />
            {t.addExamples}
          </label>
          <label className="row">
            <input type="radio" name="mode" checked={draft.mode === 'new_answer'} disabled={!canWrite} onChange={() => update({ mode: 'new_answer', rebaseRevision: null })} data-testid="mode-new" />
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
          <div style={{ display: 'grid', gridTemplateColumns: '2fr 1fr 1fr', gap: 8 }}>
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
              <select className="field" value={draft.stage} onChange={(e) => update({ stage: e.target.value as typeof draft.stage })}>
                {(['pre_sale', 'in_sale', 'after_sale'] as const).map((stage) => (
                  <option key={stage} value={stage}>
                    {t.stages[stage]}
                  </option>
                ))}
              </select>
            </label>
            <label className="field-label" style={{ gridColumn: '1 / -1' }}>
              {t.replyText}
              <textarea className="field" rows={3} value={draft.text} onChange={(e) => update({ text: e.target.value })} data-testid="reply-text" />
            </label>
            <label className="field-label" style={{ gridColumn: '1 / -1' }}>
              {t.videoUrl}
              <input className="field" value={draft.videoUrl} onChange={(e) => update({ videoUrl: e.target.value })} />
            </label>
            <label className="field-label" style={{ gridColumn: '1 / -1' }}>
              {t.products}
              <textarea className="field" rows={2} value={draft.products} onChange={(e) => update({ products: e.target.value })} />
            </label>
            <label className="field-label" style={{ gridColumn: '1 / -1' }}>
              {t.pack}
              <select className="field" value={draft.pack} onChange={(e) => update({ pack: e.target.value as 'shop' | 'industry' })}>
                <option value="shop">{t.packShop(gap.shopId)}</option>
                {industry ? (
                  <option value="industry" disabled={!canIndustry}>
                    {t.packIndustry(industry)}
                  </option>
                ) : null}
              </select>
            </label>
          </div>
        )}
        <div className="row" style={{ marginTop: 10 }}>
          <button className="btn" type="button" onClick={() => void runPreview()} disabled={busy !== null || !built.ok} data-testid="preview">
            {busy === 'preview' ? t.previewing : t.preview}
          </button>
          <button className={`btn ${previewFresh ? 'primary' : ''}`} type="button" onClick={() => void publish()} disabled={busy !== null || !built.ok} data-testid="publish">
            {busy === 'publish' ? t.publishing : t.publish}
          </button>
          <span className="small muted" data-testid="base-revision">
            {baseShown === null ? '' : baseShown === 0 ? t.baseNew : t.base(baseShown)}
          </span>
          {!previewFresh && !published ? <span className="small muted">{preview ? t.stalePreview : t.previewFirst}</span> : null}
        </div>
        {!built.ok ? (
          <div className="small" style={{ color: '#f0b72f', marginTop: 6, whiteSpace: 'pre-wrap' }} data-testid="draft-issues">
            {built.issues.join('\n')}
          </div>
        ) : null}
      </div>

      {preview ? <PreviewView preview={preview.result} stale={!previewFresh} t={t} /> : null}

        </>
      )}

      <HistoryView token={token} user={user} target={historyTarget} refreshKey={historyKey} lang={lang} t={t} onRolledBack={() => {
        setHistoryKey((key) => key + 1);
        void reloadAnswers();
      }} />
    </div>
  );
}

/** Questions answered by the published revision, polled while the gap is watched (null until first read). */
function useAnsweredSincePublished(token: string, gap: Gap): number | null {
  const [answered, setAnswered] = useState<number | null>(null);
  const watched = gap.published !== null;
  useEffect(() => {
    if (!watched) return;
    let live = true;
    const read = (): void =>
      void fetchGapAnswered(token, gap.gapId).then(
        (result) => live && setAnswered(result.answered),
        // A failed read keeps the last count on screen; the next poll tries again.
        () => undefined,
      );
    read();
    const timer = setInterval(read, 2_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [token, gap.gapId, watched]);
  return answered;
}

function WatchView({ token, gap, published, now, lang, t }: { token: string; gap: Gap; published: KbTargetVersion | null; now: number; lang: Lang; t: Messages }) {
  const answered = useAnsweredSincePublished(token, gap);
  const version = published ?? (gap.published ? { target: gap.published.target, revision: gap.published.revision } : null);
  const verified = gap.status === 'verified' && gap.timeToPatchMs !== null;
  const clock = verified ? (gap.timeToPatchMs ?? 0) : now - Date.parse(gap.firstSeenAt);
  return (
    <div className={`notice ${verified ? 'ok' : 'warn'}`} data-testid="watch" data-status={gap.status}>
      {version ? <div style={{ fontWeight: 700 }}>{t.published(version.target, version.revision)}</div> : null}
      <div className="row" style={{ gap: 28, marginTop: 6 }}>
        <div>
          <div className="small muted">{t.status}</div>
          <span className={`badge ${gap.status}`} data-testid="watch-status">
            {t.statuses[gap.status]}
          </span>
        </div>
        <div>
          <div className="small muted">{t.answeredSince}</div>
          <div className="figure" data-testid="answered-since">{answered ?? '—'}</div>
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
