import { ClickHouseError } from '@warroom/clickhouse';
import { describe, expect, it } from 'vitest';
import type { ChatEventRow } from '../repositories/chat-event-row';
import type { InsertChunk } from './ingest-plan';
import { InsertCoalescer, type CoalescerHooks, type OffsetRange, type RefusedRow, type RetryReason } from './insert-coalescer';

function chunk(first: number, count: number, month = '2026-11', partition = 0): InsertChunk {
  const rows = Array.from(
    { length: count },
    (_, i) =>
      ({ event_id: `e${first + i}`, event_time: `${month}-11 00:00:00.000`, kafka_partition: partition, kafka_offset: String(first + i) }) as ChatEventRow,
  );
  const sources = rows.map((row) => ({ offset: row.kafka_offset, key: null, value: Buffer.from(row.event_id) }));
  return { firstOffset: String(first), lastOffset: String(first + count - 1), rows, sources };
}

const OPTIONS = { maxRows: 1_000, maxWaitMs: 1, retryMinMs: 1, retryMaxMs: 4 };
const refusal = () => new ClickHouseError({ message: "Cannot parse input: expected '\"' before: 'secret'", code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A store that can be told to be down, to refuse certain event ids, or to hold rows a view refused. */
function fakeStore() {
  const inserts: { ids: string[]; token: string }[] = [];
  const attempts: { ids: string[]; token: string }[] = [];
  const stored = new Set<string>();
  let down = 0;
  let refuseIds = new Set<string>();
  let viewRefusals = 0;
  const events: string[] = [];
  const store = {
    insert(rows: ChatEventRow[], token: string): Promise<void> {
      const ids = rows.map((row) => row.event_id);
      attempts.push({ ids, token });
      if (down > 0) {
        down -= 1;
        return Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      }
      if (ids.some((id) => refuseIds.has(id))) return Promise.reject(refusal());
      if (viewRefusals > 0) {
        // The table keeps the part, the view throws.
        viewRefusals -= 1;
        for (const id of ids) stored.add(id);
        return Promise.reject(new ClickHouseError({ message: 'view refused', code: '395', type: 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO' }));
      }
      inserts.push({ ids, token });
      for (const id of ids) stored.add(id);
      events.push(`insert ${ids.join(',')}`);
      return Promise.resolve();
    },
    holds: (row: ChatEventRow) => Promise.resolve(stored.has(row.event_id)),
  };
  const refused: RefusedRow[] = [];
  const retries: { ranges: OffsetRange[]; reason: RetryReason }[] = [];
  const abandoned: OffsetRange[] = [];
  const hooks: CoalescerHooks = {
    deadLetter: (row) => {
      refused.push(row);
      events.push(`dead letter ${row.row.event_id}`);
      return Promise.resolve();
    },
    onRetry: (ranges, reason) => void retries.push({ ranges, reason }),
    onAbandoned: (ranges) => void abandoned.push(...ranges),
    onInserted: () => undefined,
  };
  return {
    store,
    hooks,
    inserts,
    attempts,
    refused,
    retries,
    abandoned,
    events,
    downFor: (times: number) => (down = times),
    refuse: (ids: string[]) => (refuseIds = new Set(ids)),
    viewRefuses: (times: number) => (viewRefusals = times),
  };
}

describe('InsertCoalescer', () => {
  it('puts the chunks of concurrent partitions into one INSERT after the wait', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, { ...OPTIONS, maxWaitMs: 5 }, f.hooks);
    await Promise.all([coalescer.add(0, chunk(0, 2)), coalescer.add(1, chunk(10, 3, '2026-11', 1))]);
    expect(f.inserts).toHaveLength(1);
    expect(f.inserts[0]?.ids).toEqual(['e0', 'e1', 'e10', 'e11', 'e12']);
  });

  it('cuts at maxRows and never mixes two months in one INSERT', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, { ...OPTIONS, maxRows: 4, maxWaitMs: 1_000 }, f.hooks);
    const first = coalescer.add(0, chunk(0, 4));
    const second = coalescer.add(1, chunk(10, 1, '2026-12', 1));
    const third = coalescer.add(2, chunk(20, 1, '2026-11', 2));
    await coalescer.drain();
    await Promise.all([first, second, third]);
    expect(f.inserts.map((insert) => insert.ids)).toEqual([['e0', 'e1', 'e2', 'e3'], ['e10'], ['e20']]);
  });

  it('retries a round the store cannot take with the identical rows and token, the rounds behind it waiting', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, OPTIONS, f.hooks);
    f.downFor(3);
    const first = coalescer.add(0, chunk(0, 2));
    await tick(3);
    const second = coalescer.add(0, chunk(2, 1));
    await Promise.all([first, second]);
    expect(f.attempts.slice(0, 4).map((attempt) => attempt.ids)).toEqual([['e0', 'e1'], ['e0', 'e1'], ['e0', 'e1'], ['e0', 'e1']]);
    expect(new Set(f.attempts.slice(0, 4).map((attempt) => attempt.token)).size).toBe(1);
    expect(f.inserts.map((insert) => insert.ids)).toEqual([['e0', 'e1'], ['e2']]);
    expect(f.retries.map((retry) => retry.reason.kind)).toEqual(['availability', 'availability', 'availability']);
    expect(f.refused).toEqual([]);
  });

  it('splits a round the store refuses, left to right, and dead-letters the refused rows before anything after them', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, { ...OPTIONS, maxWaitMs: 5 }, f.hooks);
    f.refuse(['e2', 'e12']);
    await Promise.all([coalescer.add(0, chunk(0, 5)), coalescer.add(1, chunk(10, 3, '2026-11', 1))]);
    expect(f.events).toEqual([
      'insert e0,e1',
      'dead letter e2',
      'insert e3',
      'insert e4,e10',
      'insert e11',
      'dead letter e12',
    ]);
    expect(f.refused.map((refused) => [refused.source.offset, refused.failure.name, refused.failure.message])).toEqual([
      ['2', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input: expected <masked> before: <masked>'],
      ['12', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input: expected <masked> before: <masked>'],
    ]);
    // The same split after a crash gives the same parts the same tokens.
    const again = fakeStore();
    again.refuse(['e2', 'e12']);
    const replay = new InsertCoalescer(again.store, { ...OPTIONS, maxWaitMs: 5 }, again.hooks);
    await Promise.all([replay.add(0, chunk(0, 5)), replay.add(1, chunk(10, 3, '2026-11', 1))]);
    expect(again.inserts.map((insert) => insert.token)).toEqual(f.inserts.map((insert) => insert.token));
    expect(new Set(f.inserts.map((insert) => insert.token)).size).toBe(4);
  });

  it('retries identically a round refused by a view after the table stored it, and splits nothing', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, OPTIONS, f.hooks);
    f.viewRefuses(1);
    await coalescer.add(0, chunk(0, 3));
    expect(f.attempts.map((attempt) => attempt.ids)).toEqual([['e0', 'e1', 'e2'], ['e0', 'e1', 'e2']]);
    expect(f.attempts[0]?.token).toBe(f.attempts[1]?.token);
    expect(f.retries.map((retry) => retry.reason.kind)).toEqual(['view_refused']);
    expect(f.refused).toEqual([]);
  });

  it('gives up at shutdown on a round the store cannot take, and on every round behind it', async () => {
    const f = fakeStore();
    const coalescer = new InsertCoalescer(f.store, { ...OPTIONS, maxRows: 2, retryMinMs: 60_000, retryMaxMs: 60_000 }, f.hooks);
    f.downFor(1_000);
    const results = Promise.allSettled([coalescer.add(0, chunk(0, 2)), coalescer.add(0, chunk(2, 2)), coalescer.add(1, chunk(10, 1, '2026-11', 1))]);
    await tick(5);
    await coalescer.drain();
    expect((await results).map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(f.abandoned.map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`)).toEqual(['0:0-1', '0:2-3', '1:10-10']);
    expect(coalescer.backlog).toBe(0);
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
    return { store: { insert, holds: () => Promise.resolve(false) }, inserts, finish: (error?: Error) => finishers.shift()!(error) };
  }
  const hooks: CoalescerHooks = {
    deadLetter: () => Promise.resolve(),
    onRetry: () => undefined,
    onAbandoned: () => undefined,
    onInserted: () => undefined,
  };

  it('keeps filling the next round until the running INSERT is done, with one range per partition', async () => {
    const slow = slowStore();
    const coalescer = new InsertCoalescer(slow.store, OPTIONS, hooks);
    const first = coalescer.add(0, chunk(0, 1));
    await tick(5);
    expect(slow.inserts).toEqual([['e0']]);
    const later = [coalescer.add(0, chunk(1, 2)), coalescer.add(1, chunk(10, 1, '2026-11', 1))];
    await tick(5);
    const third = coalescer.add(0, chunk(3, 1));
    await tick(5);
    expect(slow.inserts).toHaveLength(1);
    slow.finish();
    await first;
    await tick(1);
    expect(slow.inserts[1]).toEqual(['e1', 'e2', 'e10', 'e3']);
    slow.finish();
    await Promise.all([...later, third]);
  });

  it('holds back a caller while a full round waits for the store', async () => {
    const slow = slowStore();
    const coalescer = new InsertCoalescer(slow.store, { ...OPTIONS, maxRows: 2, maxWaitMs: 1_000 }, hooks);
    void coalescer.add(0, chunk(0, 2));
    void coalescer.add(0, chunk(2, 2));
    let room = false;
    void coalescer.whenRoom().then(() => (room = true));
    await tick(1);
    expect(room).toBe(false);
    slow.finish();
    await tick(1);
    expect(room).toBe(true);
    slow.finish();
    await coalescer.drain();
  });
});
