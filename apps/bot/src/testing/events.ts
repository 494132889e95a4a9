import type { ChatEvent } from '@warroom/contracts';

/** A valid ChatEvent (an unmatched question) numbered `n`, for the outbox and spool tests. */
export function testEvent(n: number, sessionId = 's-1'): ChatEvent {
  return {
    v: 1,
    eventId: `e-${n}`,
    eventTime: new Date().toISOString(),
    source: 'live',
    campaignId: 'c',
    shopId: 'shop-a',
    sessionId,
    customerId: 'c-1',
    channel: 'app',
    mode: 'bot',
    kind: 'question',
    text: `问题 ${n}`,
    emotion: { name: 'neutral', intensity: 0 },
    outcome: 'unmatched',
    bestCandidate: null,
  };
}
