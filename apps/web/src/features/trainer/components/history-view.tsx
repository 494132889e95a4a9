import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { canRollBack, type KbTargetVersion, type PatchRequest, type User } from '@warroom/contracts';
import { useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { historyQueryOptions, publishPatch, refreshKbVersions } from '../api/patches';
import { formatTimeOfDay } from '../../../utils/format';
import { parseTarget, replyText, versionChanges } from './format';
import type { Lang, Messages } from './messages';

/**
 * An answer's versions, newest first, each with what it changed against the one before (reply text,
 * examples added and removed, stage), and a rollback to any older one: leads roll back anyone's revision,
 * others only a latest revision of their own.
 */
export function HistoryView({ token, user, target, lang, t }: { token: string; user: User; target: string | null; lang: Lang; t: Messages }) {
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  // Read again whenever a revision of any answer is applied from this tab (refreshKbVersions).
  const historyQuery = useQuery(historyQueryOptions(token, target));
  const history = historyQuery.data ?? null;
  const rollbackMutation = useMutation({
    mutationFn: (request: PatchRequest) => publishPatch(token, request),
    onMutate: () => setNotice(null),
    onSuccess: async (outcome) => {
      if (outcome.kind === 'published') setNotice(t.rolledBack(outcome.version.revision));
      await refreshKbVersions(queryClient);
    },
  });
  const conflictMessage = rollbackMutation.data?.kind === 'conflict' ? rollbackMutation.data.message : null;
  const problem = historyQuery.error ? errorText(historyQuery.error) : rollbackMutation.error ? errorText(rollbackMutation.error) : conflictMessage;

  if (target === null) {
    return (
      <div className="panel">
        <h2>{t.history}</h2>
        <div className="muted">{t.noHistory}</div>
      </div>
    );
  }
  const latest = history?.at(-1) ?? null;
  const mayRollBack = canRollBack(user, latest?.author?.userId ?? null);
  const rollback = (toRevision: number) => {
    const parsed = parseTarget(target);
    if (!parsed || !latest) return;
    rollbackMutation.mutate({ patch: { op: 'rollback', scope: parsed.scope, answerId: parsed.answerId, toRevision }, baseRevision: latest.revision });
  };

  return (
    <div className="panel" data-testid="history">
      <h2>
        {t.history} · {target}
      </h2>
      {problem ? <div className="notice error">{problem}</div> : null}
      {notice ? <div className="notice ok">{notice}</div> : null}
      {!mayRollBack && history && history.length > 1 ? <div className="small muted">{t.rollbackOnlyOwn}</div> : null}
      {(history ?? [])
        .map((version, index) => ({ version, before: index > 0 ? (history?.[index - 1] ?? null) : null }))
        .reverse()
        .map(({ version, before }) => (
          <div key={version.revision} style={{ borderTop: '1px solid #21262d', padding: '6px 0' }} data-testid="history-version" data-revision={version.revision}>
            <div className="row">
              <strong>{t.revision(version.revision)}</strong>
              <span className="badge">{t.ops[version.op] ?? version.op}</span>
              <span className="small muted grow">{version.author ? t.byAt(version.author.login, version.appliedAt ? formatTimeOfDay(version.appliedAt, lang) : '') : t.packFile}</span>
              {latest && version.revision !== latest.revision && version.content ? (
                <button className="btn" type="button" disabled={!mayRollBack} onClick={() => rollback(version.revision)} data-testid="rollback">
                  {t.rollback(version.revision)}
                </button>
              ) : null}
            </div>
            <VersionDiff before={before} after={version} t={t} />
          </div>
        ))}
    </div>
  );
}

function VersionDiff({ before, after, t }: { before: KbTargetVersion | null; after: KbTargetVersion; t: Messages }) {
  if (!after.content) return <div className="small muted">{t.retired}</div>;
  const previous = before?.content ?? null;
  const reply = replyText(after.content.reply);
  const oldReply = previous ? replyText(previous.reply) : null;
  const had = new Set(previous?.examples ?? []);
  const has = new Set(after.content.examples);
  const added = previous ? after.content.examples.filter((e) => !had.has(e)) : [];
  const removed = previous ? previous.examples.filter((e) => !has.has(e)) : [];
  const summary = versionChanges(before, after, t);
  return (
    <div className="small" style={{ marginTop: 4 }}>
      {summary.length > 0 ? <div className="muted">{summary.join(' · ')}</div> : null}
      <div>
        {t.diffReply}: {oldReply !== null && oldReply !== reply ? <span className="diff-del">{oldReply}</span> : null} <span className={oldReply !== null && oldReply !== reply ? 'diff-add' : ''}>{reply}</span>
      </div>
      {previous && previous.stage !== after.content.stage ? (
        <div>
          {t.diffStage}: <span className="diff-del">{previous.stage ?? '-'}</span> <span className="diff-add">{after.content.stage ?? '-'}</span>
        </div>
      ) : null}
      {added.length > 0 ? (
        <div>
          {t.diffAdded(added.length)}:{' '}
          {added.map((e) => (
            <span key={e} className="diff-add" style={{ marginRight: 6 }}>
              {e}
            </span>
          ))}
        </div>
      ) : null}
      {removed.length > 0 ? (
        <div>
          {t.diffRemoved(removed.length)}:{' '}
          {removed.map((e) => (
            <span key={e} className="diff-del" style={{ marginRight: 6 }}>
              {e}
            </span>
          ))}
        </div>
      ) : null}
      {!previous ? <div className="muted">{after.content.examples.join(' / ')}</div> : null}
    </div>
  );
}
