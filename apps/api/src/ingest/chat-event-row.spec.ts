import { describe, expect, it } from 'vitest';
import { CHAT_EVENT_COLUMNS, toChatEventRow, toCompactRow } from './chat-event-row';

describe('toCompactRow', () => {
  it('lists every column of the row in CHAT_EVENT_COLUMNS order', () => {
    const row = toChatEventRow(
      {
        v: 1,
        eventId: 'e-1',
        eventTime: '2026-11-11T00:00:01.234Z',
        source: 'live',
        campaignId: 'c',
        shopId: 's',
        sessionId: 'x',
        customerId: 'y',
        channel: 'app',
        mode: 'bot',
        stage: 'in_sale',
        sku: 'sku-1',
        kind: 'question',
        text: '能便宜吗',
        emotion: { name: 'anxious', intensity: 0.5 },
        outcome: 'handoff',
        handoffReason: 'no_match',
        bestCandidate: { answerId: 'a-1', score: 0.3 },
      },
      { topic: 'chat.events', partition: 3, offset: '42' },
    );
    // Every column holds a value of its own, so a swapped pair would show.
    const distinct = { ...row, agent_id: 'ag', order_id: 'o', ref_event_id: 'r', original_event_id: 'oe', answer_revision: 7, amount_cents: 9 };
    expect(toCompactRow(distinct)).toEqual(CHAT_EVENT_COLUMNS.map((column) => distinct[column]));
    expect(toCompactRow(distinct)).toHaveLength(Object.keys(distinct).length);
  });
});
