import { queryOptions } from '@tanstack/react-query';
import { kbTargetVersionSchema, nearestAnswerSchema, type NearestAnswer } from '@warroom/contracts';
import { z } from 'zod';
import { ApiError, apiRequest } from '../../../lib/api-client';

export const shopAnswerSchema = z.strictObject({ answerId: z.string(), target: z.string(), version: kbTargetVersionSchema });
export type ShopAnswer = z.infer<typeof shopAnswerSchema>;

/** `GET /api/kb/answers?shop=`: every answer the shop sees, with the target and revision a patch of it is based on. */
export function fetchAnswers(token: string, shopId: string, signal?: AbortSignal): Promise<ShopAnswer[]> {
  return apiRequest(token, 'GET', `/api/kb/answers?shop=${encodeURIComponent(shopId)}`, z.array(shopAnswerSchema), undefined, signal);
}

export function answersQueryOptions(token: string, shopId: string) {
  return queryOptions({ queryKey: ['kb', 'answers', shopId], queryFn: ({ signal }) => fetchAnswers(token, shopId, signal) });
}

const nearestReplySchema = z.union([z.array(nearestAnswerSchema), z.object({ candidates: z.array(nearestAnswerSchema) }).transform((body) => body.candidates)]);

/**
 * `GET /api/kb/nearest?shop=&text=`: the answers nearest to a question, with scores; null when the api
 * does not offer it (404) or cannot reach the answer engine (503), so the editor falls back to the gap's
 * suggestion and the shop's answers.
 */
export async function fetchNearest(token: string, shopId: string, text: string, signal?: AbortSignal): Promise<NearestAnswer[] | null> {
  try {
    return await apiRequest(token, 'GET', `/api/kb/nearest?shop=${encodeURIComponent(shopId)}&text=${encodeURIComponent(text)}`, nearestReplySchema, undefined, signal);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 503)) return null;
    throw error;
  }
}

export function nearestQueryOptions(token: string, shopId: string, text: string) {
  return queryOptions({ queryKey: ['kb', 'nearest', shopId, text], queryFn: ({ signal }) => fetchNearest(token, shopId, text, signal) });
}
