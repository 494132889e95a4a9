import { describe, expect, it } from 'vitest';
import { CHAT_EVENT_COLUMNS, toCompactRow, type ChatEventRow } from './chat-event-row';

describe('toCompactRow', () => {
  it('lists every column of the row in CHAT_EVENT_COLUMNS order', () => {
    // Every column holds a value of its own, so a missing, extra or swapped column shows.
    const row = Object.fromEntries(CHAT_EVENT_COLUMNS.map((column, i) => [column, `${column}-${i}`])) as unknown as ChatEventRow;
    expect(toCompactRow(row)).toEqual(CHAT_EVENT_COLUMNS.map((column, i) => `${column}-${i}`));
  });
});
