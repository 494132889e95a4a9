import { queryOptions } from '@tanstack/react-query';
import { briefingSchema, type Briefing, type EventSource } from '@warroom/contracts';
import { apiRequest } from '../../../lib/api-client';

/** The api computes a briefing at most every 5 s; the workstation reads it a little less often. */
export const BRIEFING_POLL_MS = 10_000;

/** `GET /api/briefing`: what customers asked at this kind of promo moment last campaign, and what the knowledge base does with it now. */
export function fetchBriefing(token: string, source: EventSource, signal?: AbortSignal): Promise<Briefing> {
  return apiRequest(token, 'GET', `/api/briefing?source=${source}&shop=all`, briefingSchema, undefined, signal);
}

export function briefingQueryOptions(token: string, source: EventSource) {
  return queryOptions({ queryKey: ['briefing', source], queryFn: ({ signal }) => fetchBriefing(token, source, signal), refetchInterval: BRIEFING_POLL_MS });
}
