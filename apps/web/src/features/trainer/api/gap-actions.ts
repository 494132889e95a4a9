import { gapSchema, type Gap } from '@warroom/contracts';
import { apiRequest } from '../../../lib/api-client';

/** `POST /api/gaps/:id/claim`: the gap is mine (409 in words when someone else has it). */
export function claimGap(token: string, gapId: string): Promise<Gap> {
  return apiRequest(token, 'POST', `/api/gaps/${encodeURIComponent(gapId)}/claim`, gapSchema);
}

export function releaseGap(token: string, gapId: string): Promise<Gap> {
  return apiRequest(token, 'POST', `/api/gaps/${encodeURIComponent(gapId)}/release`, gapSchema);
}

/** Leads only. */
export function dismissGap(token: string, gapId: string, reason: string): Promise<Gap> {
  return apiRequest(token, 'POST', `/api/gaps/${encodeURIComponent(gapId)}/dismiss`, gapSchema, { reason });
}
