import { DEFAULT_EMOTION_WEIGHTS, type AgentQueue, type WaitingSession } from '@warroom/contracts';
import { useCallback, useState } from 'react';
import { usePolling } from '../../../lib/use-polling';
import { fetchQueue } from '../api/desk';

const POLL_MS = 1_500;

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
  const [queue, setQueue] = useState<AgentQueue | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = useCallback(() => setTick((n) => n + 1), []);
  usePolling((signal) => fetchQueue(token, signal), { everyMs: POLL_MS, enabled: true, onData: setQueue, onProblem: setProblem }, [token, tick]);
  return { queue, problem, refresh };
}
