import { queryOptions, skipToken, type QueryClient } from '@tanstack/react-query';
import { apiErrorBodySchema, kbPatchDecisionSchema, kbTargetVersionSchema, patchPreviewSchema, type KbTargetVersion, type PatchPreview, type PatchRequest } from '@warroom/contracts';
import { z } from 'zod';
import { ApiError, apiRequest } from '../../../lib/api-client';

/** `POST /api/kb/preview`: the patch replayed against real recent questions, nothing published. */
export function previewPatch(token: string, request: PatchRequest, source: string): Promise<PatchPreview> {
  return apiRequest(token, 'POST', `/api/kb/preview?source=${encodeURIComponent(source)}`, patchPreviewSchema, request);
}

const appliedSchema = kbPatchDecisionSchema.options[0];
/** A 409 of `POST /api/kb/patches`: the api's error body with the version now current. */
const conflictBodySchema = apiErrorBodySchema.extend({ current: kbTargetVersionSchema.nullable().optional() });

export type PublishOutcome =
  | { kind: 'published'; version: KbTargetVersion }
  /** 409: someone published a newer revision first; `message` is the server's words, `current` the version now. */
  | { kind: 'conflict'; message: string; current: KbTargetVersion | null };

/** `POST /api/kb/patches`: 201 once the log applied it, or a 409 conflict; other failures throw. */
export async function publishPatch(token: string, request: PatchRequest): Promise<PublishOutcome> {
  try {
    const decision = await apiRequest(token, 'POST', '/api/kb/patches', appliedSchema, request);
    return { kind: 'published', version: decision.version };
  } catch (error) {
    if (error instanceof ApiError && error.status === 409) {
      const body = conflictBodySchema.safeParse(error.body);
      if (body.success) return { kind: 'conflict', message: body.data.message, current: body.data.current ?? null };
    }
    throw error;
  }
}

/** `GET /api/kb/history?target=`: every version of one answer, oldest first. */
export function fetchHistory(token: string, target: string, signal?: AbortSignal): Promise<KbTargetVersion[]> {
  return apiRequest(token, 'GET', `/api/kb/history?target=${encodeURIComponent(target)}`, z.array(kbTargetVersionSchema), undefined, signal);
}

/** Every version of `target`; nothing is read while there is no target. */
export function historyQueryOptions(token: string, target: string | null) {
  return queryOptions({ queryKey: ['kb', 'history', target], queryFn: target === null ? skipToken : ({ signal }) => fetchHistory(token, target, signal) });
}

/** After a revision was applied (published, rolled back, or someone else's found by a conflict): the shops' answers and the histories are read again. */
export async function refreshKbVersions(queryClient: QueryClient): Promise<void> {
  await Promise.all([queryClient.invalidateQueries({ queryKey: ['kb', 'answers'] }), queryClient.invalidateQueries({ queryKey: ['kb', 'history'] })]);
}
