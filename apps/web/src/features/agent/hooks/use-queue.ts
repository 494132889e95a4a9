import { useQuery } from '@tanstack/react-query';
import { DEFAULT_EMOTION_WEIGHTS, type AgentQueue, type WaitingSession } from '@warroom/contracts';
import { errorText } from '../../../lib/api-client';
import { queueQueryOptions } from '../api/desk';

/**
 * Who to take first: the longest wait, weighted by how upset the customer is (the gap cost's emotion
 * weights: an angry customer's minute counts double), longest first.
 */
export function urgency(session: WaitingSession, nowMs: number): number {
  const waited = Math.max(session.waitSec, (nowMs - Date.parse(session.handedOffAt)) / 1000);
  return waited * DEFAULT_EMOTION_WEIGHTS[session.emotion.name];
}

/** The handoff queue, polled; `refresh` after a step so the screen follows at once. */
export function useQueue(token: string): { queue: AgentQueue | null; problem: string | null; refresh: () => void } {
  const query = useQuery(queueQueryOptions(token));
  return {
    // The last queue read stays on screen when a read fails; the problem says so.
    queue: query.data ?? null,
    problem: query.error ? errorText(query.error) : null,
    refresh: () => void query.refetch(),
  };
}
