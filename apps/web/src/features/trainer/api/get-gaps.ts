import { queryOptions } from '@tanstack/react-query';
import { gapAnsweredSchema, gapSchema, type EventSource, type Gap, type GapAnswered } from '@warroom/contracts';
import { z } from 'zod';
import { apiRequest } from '../../../lib/api-client';

/** How often a gap is read while the push cannot be relied on for it (the inbox's fallback, a gap being verified). */
export const GAP_POLL_MS = 2_000;

/** `GET /api/gaps`: the active gaps of every shop, most costly first (the inbox's fallback when the push is away). */
export function fetchGaps(token: string, source: EventSource, signal?: AbortSignal): Promise<Gap[]> {
  return apiRequest(token, 'GET', `/api/gaps?shop=all&status=active&source=${source}&limit=500`, z.array(gapSchema), undefined, signal);
}

export function gapsQueryOptions(token: string, source: EventSource) {
  return queryOptions({ queryKey: ['gaps', 'active', source], queryFn: ({ signal }) => fetchGaps(token, source, signal), refetchInterval: GAP_POLL_MS });
}

/** `GET /api/gaps/:id`: one gap in any state (a verified gap leaves the active list). */
export function fetchGap(token: string, gapId: string, signal?: AbortSignal): Promise<Gap> {
  return apiRequest(token, 'GET', `/api/gaps/${encodeURIComponent(gapId)}`, gapSchema, undefined, signal);
}

export function gapQueryOptions(token: string, gapId: string) {
  return queryOptions({ queryKey: ['gaps', 'one', gapId], queryFn: ({ signal }) => fetchGap(token, gapId, signal) });
}

/** `GET /api/gaps/:id/answered`: questions answered by the gap's published revision since it was published. */
export function fetchGapAnswered(token: string, gapId: string, signal?: AbortSignal): Promise<GapAnswered> {
  return apiRequest(token, 'GET', `/api/gaps/${encodeURIComponent(gapId)}/answered`, gapAnsweredSchema, undefined, signal);
}

export function gapAnsweredQueryOptions(token: string, gapId: string) {
  return queryOptions({ queryKey: ['gaps', 'answered', gapId], queryFn: ({ signal }) => fetchGapAnswered(token, gapId, signal), refetchInterval: GAP_POLL_MS });
}
