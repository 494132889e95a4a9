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

describe('InsertCoalescer while an INSERT runs', () => {
  function slowStore() {
    const inserts: string[][] = [];
    const finishers: ((error?: Error) => void)[] = [];
    const insert = (rows: ChatEventRow[]) =>
      new Promise<void>((resolve, reject) => {
        inserts.push(rows.map((row) => row.event_id));
        finishers.push((error) => (error ? reject(error) : resolve()));
      });
    return { inserts, insert, finish: (error?: Error) => finishers.shift()!(error) };
  }
  const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('keeps filling the next round until the running INSERT is done, with one range per partition', async () => {
    const store = slowStore();
    const coalescer = new InsertCoalescer(store.insert, 1_000, 1);
    const first = coalescer.add(0, chunk(0, 1));
    await tick(5);
    expect(store.inserts).toEqual([['e0']]);
    const later = [coalescer.add(0, chunk(1, 2)), coalescer.add(1, chunk(10, 1))];
    await tick(5);
    const third = coalescer.add(0, chunk(3, 1));
    await tick(5);
    expect(store.inserts).toHaveLength(1);
    store.finish();
    await first;
    await tick(1);
    expect(store.inserts[1]).toEqual(['e1', 'e2', 'e10', 'e3']);
    store.finish();
    await Promise.all([...later, third]);
  });

  it('fails the rounds behind a failed INSERT without inserting them, and reports their ranges', async () => {
    const store = slowStore();
    const failed: string[] = [];
    const coalescer = new InsertCoalescer(store.insert, 2, 1_000, (ranges) => {
      for (const range of ranges) failed.push(`${range.partition}:${range.firstOffset}-${range.lastOffset}`);
    });
    const results = Promise.allSettled([
      coalescer.add(0, chunk(0, 2)),
      coalescer.add(0, chunk(2, 2)),
      coalescer.add(1, chunk(10, 1)),
    ]);
    await tick(1);
    store.finish(new Error('store down'));
    expect((await results).map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(store.inserts).toEqual([['e0', 'e1']]);
    expect(failed).toEqual(['0:0-1', '0:2-3', '1:10-10']);
    expect(coalescer.backlog).toBe(0);
  });

  it('holds back a caller while a full round waits for the store', async () => {
    const store = slowStore();
    const coalescer = new InsertCoalescer(store.insert, 2, 1_000);
    void coalescer.add(0, chunk(0, 2));
    void coalescer.add(0, chunk(2, 2));
    let room = false;
    void coalescer.whenRoom().then(() => (room = true));
    await tick(1);
    expect(room).toBe(false);
    store.finish();
    await tick(1);
    expect(room).toBe(true);
    store.finish();
    await coalescer.drain();
  });
});
