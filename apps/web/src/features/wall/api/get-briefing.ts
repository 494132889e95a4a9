import { queryOptions } from '@tanstack/react-query';
import { briefingSchema, type EventSource } from '@warroom/contracts';
import { apiRequest } from '../../../lib/api-client';

/** The wall reads the briefing this often: it changes when a trainer publishes or the moment passes. */
const BRIEFING_POLL_MS = 10_000;

/** `GET /api/briefing` with the wall's kiosk token: the next promo moment's predicted questions. */
export function wallBriefingQueryOptions(token: string, source: EventSource) {
  return queryOptions({
    queryKey: ['wall-briefing', source],
    queryFn: ({ signal }) => apiRequest(token, 'GET', `/api/briefing?source=${source}&shop=all`, briefingSchema, undefined, signal),
    refetchInterval: BRIEFING_POLL_MS,
  });
}
