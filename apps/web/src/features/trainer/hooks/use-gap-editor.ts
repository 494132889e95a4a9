import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  canDismissGaps,
  canPublishToIndustry,
  canWriteAnswers,
  type EventSource,
  type Gap,
  type KbTargetVersion,
  type NearestAnswer,
  type PatchPreview,
  type PatchRequest,
  type User,
} from '@warroom/contracts';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { claimGap, dismissGap, releaseGap } from '../api/gap-actions';
import { answersQueryOptions, nearestQueryOptions, type ShopAnswer } from '../api/get-answers';
import { GAP_POLL_MS, gapAnsweredQueryOptions, gapQueryOptions } from '../api/get-gaps';
import { historyQueryOptions, previewPatch, publishPatch, refreshKbVersions } from '../api/patches';
import { versionChanges } from '../components/format';
import type { Messages } from '../components/messages';
import { buildRequest, initialDraft, type Built } from '../components/patch-request';
import { useDraft, type Draft } from './use-draft';

export interface Conflict {
  /** The server's words (English). */
  message: string;
  current: KbTargetVersion | null;
  /** What changed between the version the trainer edited and the current one. */
  changes: string[];
}

/** A preview and the request it was made of: it is fresh while the draft still builds that request. */
interface Preview {
  key: string;
  result: PatchPreview;
}

export type EditorAction = 'claim' | 'release' | 'dismiss' | 'preview' | 'publish';

export interface GapEditorState {
  draft: Draft;
  update: (change: Partial<Draft>) => void;
  /** The answers the gap's shop sees (empty until read). */
  answers: ShopAnswer[];
  /** The answers nearest to the gap's question; null when the api cannot rank them (the editor falls back to the suggestion). */
  nearest: NearestAnswer[] | null | 'loading';
  built: Built;
  preview: PatchPreview | null;
  /** The preview shown was made of the request the draft builds now. */
  previewFresh: boolean;
  /** The action running (one at a time), if any. */
  busy: EditorAction | null;
  problem: string | null;
  conflict: Conflict | null;
  /** The version this editor just published, until the gap is opened again. */
  published: KbTargetVersion | null;
  /** Questions answered by the published revision (null until first read, or while nothing is published). */
  answeredSincePublished: number | null;
  /** The answer whose history is shown: the one published, else the one the draft adds examples to. */
  historyTarget: string | null;
  /** The api's rules (libs/contracts permissions.ts): the editor offers only what publishing would accept. */
  may: { writeAnswers: boolean; publishToIndustry: boolean; dismiss: boolean };
  claim: () => void;
  release: () => void;
  dismiss: (reason: string) => void;
  runPreview: () => void;
  publish: () => void;
  /** After a conflict: base the draft on the current revision and publish it again. */
  rebaseAndPublish: () => void;
}

/**
 * The state and actions of one gap's editor (mount one per gap): the draft, the answers it can target, the
 * preview, publishing (a conflict keeps every character typed and offers to publish again on the new
 * revision), and the published gap watched until verified.
 */
export function useGapEditor({ gap, token, user, t, source, upsert }: { gap: Gap; token: string; user: User; t: Messages; source: EventSource; upsert: (gap: Gap) => void }): GapEditorState {
  const queryClient = useQueryClient();
  const { draft, update } = useDraft(gap.gapId, () => initialDraft(gap));
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [published, setPublished] = useState<KbTargetVersion | null>(null);

  const answersQuery = useQuery(answersQueryOptions(token, gap.shopId));
  const answers = useMemo(() => answersQuery.data ?? [], [answersQuery.data]);
  const nearestQuery = useQuery(nearestQueryOptions(token, gap.shopId, gap.representative));
  const nearest = nearestQuery.isPending ? 'loading' : (nearestQuery.data ?? null);
  const readProblem = answersQuery.error ?? nearestQuery.error;

  // A published gap is watched until verified, whatever the push does (a verified gap leaves the active list).
  const closed = gap.status === 'verified' || gap.status === 'dismissed';
  const watched = useQuery({ ...gapQueryOptions(token, gap.gapId), enabled: !closed && (gap.status === 'published' || published !== null), refetchInterval: GAP_POLL_MS });
  useEffect(() => {
    if (watched.data) upsert(watched.data);
  }, [watched.data, upsert]);
  // A failed read keeps the last count on screen; the next poll tries again.
  const answered = useQuery({ ...gapAnsweredQueryOptions(token, gap.gapId), enabled: gap.published !== null });

  const built = useMemo(() => buildRequest(draft, gap, answers), [draft, gap, answers]);
  const builtKey = built.ok ? JSON.stringify(built.request) : '';
  const previewFresh = preview !== null && preview.key === builtKey;

  const fail = useCallback((error: unknown) => setProblem(errorText(error)), []);
  const begin = useCallback(() => setProblem(null), []);
  const gapChange = { onMutate: begin, onSuccess: upsert, onError: fail };
  const claimMutation = useMutation({ mutationFn: () => claimGap(token, gap.gapId), ...gapChange });
  const releaseMutation = useMutation({ mutationFn: () => releaseGap(token, gap.gapId), ...gapChange });
  const dismissMutation = useMutation({ mutationFn: (reason: string) => dismissGap(token, gap.gapId, reason), ...gapChange });
  const previewMutation = useMutation({
    mutationFn: (request: PatchRequest) => previewPatch(token, request, source),
    onMutate: begin,
    onSuccess: (result, request) => setPreview({ key: JSON.stringify(request), result }),
    onError: fail,
  });
  const publishMutation = useMutation({
    mutationFn: (request: PatchRequest) => publishPatch(token, request),
    onMutate: begin,
    onSuccess: async (outcome, request) => {
      if (outcome.kind === 'published') {
        setConflict(null);
        setPublished(outcome.version);
        update({ rebaseRevision: null });
        await refreshKbVersions(queryClient);
        return;
      }
      let changes: string[] = [];
      if (outcome.current) {
        // Without the history the conflict still says who and when; only "what changed" is left out.
        const history = await queryClient.fetchQuery(historyQueryOptions(token, outcome.current.target)).catch(() => []);
        const base = history.find((version) => version.revision === request.baseRevision) ?? null;
        changes = versionChanges(base, outcome.current, t);
      }
      setConflict({ message: outcome.message, current: outcome.current, changes });
      // The newer version is what the trainer should look at: the answers list and the history follow it.
      await refreshKbVersions(queryClient);
    },
    onError: fail,
  });

  const running: [EditorAction, boolean][] = [
    ['claim', claimMutation.isPending],
    ['release', releaseMutation.isPending],
    ['dismiss', dismissMutation.isPending],
    ['preview', previewMutation.isPending],
    ['publish', publishMutation.isPending],
  ];
  const busy = running.find(([, pending]) => pending)?.[0] ?? null;

  const withRequest = useCallback(
    (run: (request: PatchRequest) => void) => {
      if (built.ok) run(built.request);
      else setProblem(built.issues.join('\n'));
    },
    [built],
  );
  const runPreview = useCallback(() => withRequest(previewMutation.mutate), [withRequest, previewMutation.mutate]);
  const publish = useCallback(() => withRequest(publishMutation.mutate), [withRequest, publishMutation.mutate]);

  // Publish once the rebased draft is in place (the request is rebuilt from it).
  const pendingRebase = useRef(false);
  const rebaseAndPublish = useCallback(() => {
    if (!conflict?.current) return;
    pendingRebase.current = true;
    update({ rebaseRevision: conflict.current.revision });
    setConflict(null);
  }, [conflict, update]);
  useEffect(() => {
    if (pendingRebase.current && draft.rebaseRevision !== null) {
      pendingRebase.current = false;
      publish();
    }
  }, [draft.rebaseRevision, publish]);

  return {
    draft,
    update,
    answers,
    nearest,
    built,
    preview: preview?.result ?? null,
    previewFresh,
    busy,
    problem: problem ?? (readProblem ? errorText(readProblem) : null),
    conflict,
    published,
    answeredSincePublished: answered.data?.answered ?? null,
    historyTarget:
      published?.target ??
      gap.published?.target ??
      (draft.mode === 'add_examples' ? (answers.find((answer) => answer.answerId === draft.targetAnswerId)?.target ?? null) : null),
    may: { writeAnswers: canWriteAnswers(user), publishToIndustry: canPublishToIndustry(user), dismiss: canDismissGaps(user) },
    claim: () => claimMutation.mutate(),
    release: () => releaseMutation.mutate(),
    dismiss: (reason) => dismissMutation.mutate(reason),
    runPreview,
    publish,
    rebaseAndPublish,
  };
}
