import type { AgentChat, AgentQueue, WaitingSession } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { mergeAgentQueues } from './merged-queue';

const facts = {
  shopId: 'demo-electronics',
  customerId: 'c',
  channel: 'web',
  source: 'rehearsal',
  mode: 'bot',
  stage: 'pre_sale',
  sku: null,
  handoffReason: 'customer_request',
  lastQuestion: { eventId: 'q', text: '人工', at: '2026-12-07T10:00:00.000Z' },
  emotion: { name: 'neutral', intensity: 0 },
  questions: 1,
} as const;

const waiting = (sessionId: string, handedOffAt: string): WaitingSession => ({ ...facts, sessionId, handedOffAt, waitSec: 1 });
const active = (sessionId: string, acceptedAt: string): AgentChat => ({
  ...facts,
  sessionId,
  handedOffAt: '2026-12-07T09:00:00.000Z',
  agentId: 'a',
  acceptedAt,
  waitedSec: 1,
  acceptEventId: `accept-${sessionId}`,
});
const at = (second: number): string => `2026-12-07T10:00:${String(second).padStart(2, '0')}.000Z`;

describe('mergeAgentQueues', () => {
  it('lists the longest waiting of every bot first, up to the limit, counting all and keeping every held chat', () => {
    const botA: AgentQueue = { asOf: at(50), waitingTotal: 3, waiting: [waiting('a1', at(1)), waiting('a2', at(5))], active: [active('a9', at(20))] };
    const botB: AgentQueue = { asOf: at(51), waitingTotal: 2, waiting: [waiting('b1', at(3)), waiting('b2', at(4))], active: [active('b9', at(10))] };
    const merged = mergeAgentQueues([botA, botB], { limit: 3 });
    expect(merged.waiting.map((session) => session.sessionId)).toEqual(['a1', 'b1', 'b2']);
    expect(merged.waitingTotal).toBe(5);
    expect(merged.active.map((chat) => chat.sessionId)).toEqual(['b9', 'a9']);
    expect(merged.asOf).toBe(at(51));
  });

  it('is the one queue itself when there is one bot', () => {
    const only: AgentQueue = { asOf: at(9), waitingTotal: 1, waiting: [waiting('a1', at(1))], active: [] };
    expect(mergeAgentQueues([only], { limit: 100 })).toEqual(only);
  });
});
