import { describe, expect, it } from 'vitest';
import type { ChatEventRow } from './chat-event-row';
import type { InsertChunk } from './ingest-plan';
import { InsertCoalescer } from './insert-coalescer';

function chunk(first: number, count: number, month = '2026-11'): InsertChunk {
  const rows = Array.from({ length: count }, (_, i) => ({ event_id: `e${first + i}`, event_time: `${month}-11 00:00:00.000` }) as ChatEventRow);
  return { firstOffset: String(first), lastOffset: String(first + count - 1), rows };
}

function recorder() {
  const inserts: { ids: string[]; token: string }[] = [];
  let fail = false;
  const insert = (rows: ChatEventRow[], token: string) => {
    if (fail) return Promise.reject(new Error('store down'));
    inserts.push({ ids: rows.map((row) => row.event_id), token });
    return Promise.resolve();
  };
  return { inserts, insert, failNext: (value: boolean) => (fail = value) };
}

describe('InsertCoalescer', () => {
  it('puts the chunks of concurrent partitions into one INSERT after the wait', async () => {
    const store = recorder();
    const coalescer = new InsertCoalescer(store.insert, 1_000, 5);
    await Promise.all([coalescer.add(0, chunk(0, 2)), coalescer.add(1, chunk(10, 3))]);
    expect(store.inserts).toHaveLength(1);
    expect(store.inserts[0]?.ids).toEqual(['e0', 'e1', 'e10', 'e11', 'e12']);
  });

  it('cuts at maxRows and never mixes two months in one INSERT', async () => {
    const store = recorder();
    const coalescer = new InsertCoalescer(store.insert, 4, 1_000);
    const first = coalescer.add(0, chunk(0, 4));
    const second = coalescer.add(1, chunk(10, 1, '2026-12'));
    const third = coalescer.add(2, chunk(20, 1, '2026-11'));
    await coalescer.drain();
    await Promise.all([first, second, third]);
    expect(store.inserts.map((insert) => insert.ids)).toEqual([['e0', 'e1', 'e2', 'e3'], ['e10'], ['e20']]);
  });

  it('fails every chunk of a failed INSERT and gives the same rows the same token on retry', async () => {
    const store = recorder();
    const coalescer = new InsertCoalescer(store.insert, 1_000, 1);
    store.failNext(true);
    const results = await Promise.allSettled([coalescer.add(0, chunk(0, 1)), coalescer.add(1, chunk(5, 1))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    store.failNext(false);
    await Promise.all([coalescer.add(1, chunk(5, 1)), coalescer.add(0, chunk(0, 1))]);
    await Promise.all([coalescer.add(0, chunk(0, 1)), coalescer.add(1, chunk(5, 1))]);
    expect(store.inserts).toHaveLength(2);
    expect(store.inserts[0]?.token).toBe(store.inserts[1]?.token);
  });
});
