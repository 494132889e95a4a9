import { queryOptions } from '@tanstack/react-query';
import {
  followUpDoneResponseSchema,
  followUpsListSchema,
  type FollowUpDoneResponse,
  type FollowUpResult,
  type FollowUpsList,
} from '@warroom/contracts';
import { apiRequest } from '../../../lib/api-client';

/** `GET /api/follow-ups`: open follow-ups of every shop, longest-waiting and highest-intent first. */
export function fetchFollowUps(token: string, signal?: AbortSignal): Promise<FollowUpsList> {
  return apiRequest(token, 'GET', '/api/follow-ups?shop=all&source=live', followUpsListSchema, undefined, signal);
}

/** Follow-ups wait minutes, not seconds: a slower poll than the handoff queue's. */
const FOLLOW_UPS_POLL_MS = 5_000;

export function followUpsQueryOptions(token: string) {
  return queryOptions({ queryKey: ['agent', 'follow-ups'], queryFn: ({ signal }) => fetchFollowUps(token, signal), refetchInterval: FOLLOW_UPS_POLL_MS });
}

/** The signed-in agent followed the customer up; the api records it in the agent's name. */
export function markFollowUpDone(token: string, id: string, result: FollowUpResult): Promise<FollowUpDoneResponse> {
  return apiRequest(token, 'POST', `/api/follow-ups/${encodeURIComponent(id)}/done`, followUpDoneResponseSchema, { result, source: 'live' });
}
