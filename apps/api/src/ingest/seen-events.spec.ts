import { describe, expect, it } from 'vitest';
import type { ChatEventRow } from '../repositories/chat-event-row';
import type { InsertChunk } from './ingest-plan';
import { rowsToAskTheStore, SeenEvents, withoutDuplicates } from './seen-events';

const row = (id: string, offset: number, time = '2026-11-11 00:01:00.000') =>
  ({ event_id: id, event_time: time, kafka_partition: 0, kafka_offset: String(offset) }) as ChatEventRow;

function chunk(rows: ChatEventRow[]): InsertChunk {
  return {
    firstOffset: rows[0]!.kafka_offset,
    lastOffset: rows.at(-1)!.kafka_offset,
    rows,
    sources: rows.map((r) => ({ offset: r.kafka_offset, key: null, value: Buffer.from(r.event_id) })),
  };
}

describe('SeenEvents', () => {
  it('knows what was stored (warmed) or queued since its horizon, and sends older rows to the store', () => {
    const seen = new SeenEvents(100);
    expect(seen.look(0, row('a', 0))).toBe('ask_store');
    seen.warm(0, '2026-11-11 00:00:00.000', [['stored-before', '2026-11-11 00:00:30.000']]);
    expect(seen.look(0, row('stored-before', 5))).toBe('duplicate');
    expect(seen.look(0, row('a', 6))).toBe('new');
    expect(seen.look(0, row('old', 7, '2026-11-10 23:59:00.000'))).toBe('ask_store');
    seen.remember(0, row('a', 6));
    expect(seen.look(0, row('a', 8))).toBe('duplicate');
    // Another partition has a memory of its own.
    expect(seen.look(1, row('a', 8))).toBe('ask_store');
    seen.forgetBefore('2026-11-11 00:00:45.000');
    expect(seen.look(0, row('stored-before', 9, '2026-11-11 00:00:30.000'))).toBe('ask_store');
    expect(seen.look(0, row('a', 9))).toBe('duplicate');
  });

  it('shrinks its horizon past maxIds, forgetting the oldest tenth', () => {
    const seen = new SeenEvents(10);
    seen.warm(0, '2026-11-11 00:00:00.000', []);
    for (let i = 0; i < 11; i += 1) seen.remember(0, row(`e${i}`, i, `2026-11-11 00:00:${String(10 + i)}.000`));
    expect(seen.coveredFrom(0)).toBe('2026-11-11 00:00:12.000');
    expect(seen.look(0, row('e0', 20, '2026-11-11 00:00:10.000'))).toBe('ask_store');
    expect(seen.look(0, row('e5', 20, '2026-11-11 00:00:15.000'))).toBe('duplicate');
  });
});

describe('withoutDuplicates', () => {
  it('skips second deliveries, within a batch too, keeps offsets in order, and asks the store only about old rows', () => {
    const seen = new SeenEvents(100);
    seen.warm(0, '2026-11-11 00:00:00.000', [['x', '2026-11-11 00:00:30.000']]);
    const chunks = [
      chunk([row('a', 10), row('x', 11), row('b', 12), row('a', 13), row('old-stored', 14, '2026-11-10 00:00:00.000')]),
      chunk([row('old-new', 15, '2026-11-10 00:00:00.000'), row('old-new', 16, '2026-11-10 00:00:00.000')]),
      chunk([row('b', 17)]),
    ];
    expect(rowsToAskTheStore(0, chunks, seen).map((r) => r.event_id)).toEqual(['old-stored', 'old-new', 'old-new']);
    const result = withoutDuplicates(0, chunks, seen, new Set(['old-stored']));
    expect(result.duplicates).toBe(5);
    expect(result.chunks.map((c) => [c.firstOffset, c.lastOffset, c.rows.map((r) => r.event_id), c.sources.map((s) => s.offset)])).toEqual([
      ['10', '12', ['a', 'b'], ['10', '12']],
      ['15', '15', ['old-new'], ['15']],
    ]);
    // The same stored state gives the same chunks.
    const again = new SeenEvents(100);
    again.warm(0, '2026-11-11 00:00:00.000', [['x', '2026-11-11 00:00:30.000']]);
    expect(withoutDuplicates(0, chunks, again, new Set(['old-stored'])).chunks).toEqual(result.chunks);
  });

  it('hands back the very chunks when nothing repeats', () => {
    const seen = new SeenEvents(100);
    seen.warm(0, '2026-11-11 00:00:00.000', []);
    const chunks = [chunk([row('a', 1), row('b', 2)])];
    expect(withoutDuplicates(0, chunks, seen, new Set()).chunks[0]).toBe(chunks[0]);
  });
});
