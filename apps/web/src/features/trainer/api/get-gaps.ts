import { gapAnsweredSchema, gapSchema, type EventSource, type Gap, type GapAnswered } from '@warroom/contracts';
import { z } from 'zod';
import { apiRequest } from '../../../lib/api-client';

/** `GET /api/gaps`: the active gaps of every shop, most costly first (the inbox's fallback when the push is away). */
export function fetchGaps(token: string, source: EventSource, signal?: AbortSignal): Promise<Gap[]> {
  return apiRequest(token, 'GET', `/api/gaps?shop=all&status=active&source=${source}&limit=500`, z.array(gapSchema), undefined, signal);
}

/** `GET /api/gaps/:id`: one gap in any state (a verified gap leaves the active list). */
export function fetchGap(token: string, gapId: string): Promise<Gap> {
  return apiRequest(token, 'GET', `/api/gaps/${encodeURIComponent(gapId)}`, gapSchema);
}

/** `GET /api/gaps/:id/answered`: questions answered by the gap's published revision since it was published. */
export function fetchGapAnswered(token: string, gapId: string): Promise<GapAnswered> {
  return apiRequest(token, 'GET', `/api/gaps/${encodeURIComponent(gapId)}/answered`, gapAnsweredSchema);
}
