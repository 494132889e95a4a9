import { describe, expect, it } from 'vitest';
import { CHAT_EVENT_COLUMNS, toChatEventRow, toCompactRow, type ChatEventRow } from './chat-event-row';

describe('toCompactRow', () => {
  it('lists every column of the row in CHAT_EVENT_COLUMNS order', () => {
    // Every column holds a value of its own, so a missing, extra or swapped column shows.
    const row = Object.fromEntries(CHAT_EVENT_COLUMNS.map((column, i) => [column, `${column}-${i}`])) as unknown as ChatEventRow;
    expect(toCompactRow(row)).toEqual(CHAT_EVENT_COLUMNS.map((column, i) => `${column}-${i}`));
  });
});

describe('toChatEventRow for outreach kinds', () => {
  const common = {
    v: 1 as const,
    eventId: 'e-1',
    eventTime: '2026-11-11T00:00:00.000+08:00',
    source: 'live' as const,
    campaignId: 'c',
    shopId: 'shop-a',
    sessionId: 's-1',
    customerId: 'c-1',
    channel: 'app' as const,
    mode: 'bot' as const,
  };
  const position = { topic: 'chat.events', partition: 3, offset: '42' };

  it('keeps the scenario, the score, the text and a "no" in their columns', () => {
    expect(toChatEventRow({ ...common, kind: 'outreach', scenario: 'unpaid_order', intentScore: 0.75, text: '请付款' }, position)).toMatchObject({
      kind: 'outreach',
      scenario: 'unpaid_order',
      intent_score: 0.75,
      text: '请付款',
      opt_out: 0,
    });
    expect(toChatEventRow({ ...common, kind: 'outreach_reply', text: '别再发了', optOut: true, outreachEventId: 'e-0' }, position)).toMatchObject({
      opt_out: 1,
      ref_event_id: 'e-0',
      scenario: '',
    });
    expect(
      toChatEventRow({ ...common, kind: 'follow_up_done', agentId: 'ag-1', scenario: 'repurchase', result: 'no_answer', followUpEventId: 'e-5' }, position),
    ).toMatchObject({ agent_id: 'ag-1', scenario: 'repurchase', outcome: 'no_answer', ref_event_id: 'e-5' });
  });
});
