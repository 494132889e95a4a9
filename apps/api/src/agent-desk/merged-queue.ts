import type { AgentQueue, AgentQueueQuery } from '@warroom/contracts';

/**
 * The handoff queues of several bots as one: each bot lists its own waiting customers (the oldest `limit`)
 * and the chats its agents hold. Merged, the waiting are the `limit` longest waiting of all bots (by the
 * time they were handed off, the same clock on every bot of a deployment), `waitingTotal` counts them all,
 * and the held chats are every bot's, oldest accept first. `asOf` is the newest bot's reading.
 */
export function mergeAgentQueues(queues: readonly [AgentQueue, ...AgentQueue[]], query: Pick<AgentQueueQuery, 'limit'>): AgentQueue {
  const byTime = (a: string, b: string): number => Date.parse(a) - Date.parse(b);
  return {
    asOf: queues.map((queue) => queue.asOf).reduce((newest, asOf) => (byTime(asOf, newest) > 0 ? asOf : newest)),
    waitingTotal: queues.reduce((total, queue) => total + queue.waitingTotal, 0),
    waiting: queues
      .flatMap((queue) => queue.waiting)
      .sort((a, b) => byTime(a.handedOffAt, b.handedOffAt))
      .slice(0, query.limit),
    active: queues.flatMap((queue) => queue.active).sort((a, b) => byTime(a.acceptedAt, b.acceptedAt)),
  };
}
