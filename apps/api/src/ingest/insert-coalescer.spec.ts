import { ClickHouseError } from '@warroom/clickhouse';
import { describe, expect, it } from 'vitest';
import type { ChatEventRow } from '../repositories/chat-event-row';
import type { InsertChunk } from './ingest-plan';
import { InsertCoalescer, PartitionFenced, type CoalescerHooks, type CoalescerOptions, type OffsetRange, type RefusedRow, type RetryReason, type RoundStore } from './insert-coalescer';

function chunk(first: number, count: number, month = '2026-11', partition = 0): InsertChunk {
  const rows = Array.from(
    { length: count },
    (_, i) =>
      ({ event_id: `e${first + i}`, event_time: `${month}-11 00:00:00.000`, kafka_partition: partition, kafka_offset: String(first + i) }) as ChatEventRow,
  );
  const sources = rows.map((row) => ({ offset: row.kafka_offset, key: null, value: Buffer.from(row.event_id) }));
  return { firstOffset: String(first), lastOffset: String(first + count - 1), rows, sources };
}

const OPTIONS = { maxRows: 1_000, maxWaitMs: 1, retryMinMs: 1, retryMaxMs: 4, checkFreshMs: 60_000, insertsInFlight: 2, partsPerRound: 24 };
const TOPIC = 'chat.events';

/** A coalescer on the test topic; `put` adds a chunk that continues what the store holds of its partition. */
class TestCoalescer extends InsertCoalescer {
  put(partition: number, chunk: InsertChunk): Promise<void> {
    return this.add(partition, chunk, null);
  }
}

function coalescerOf(store: RoundStore, options: CoalescerOptions, hooks: CoalescerHooks): TestCoalescer {
  return new TestCoalescer(TOPIC, store, options, hooks);
}

/** Highest offset per partition among `rows`. */
function highestOffsets(rows: Iterable<ChatEventRow>): Map<number, bigint> {
  const highest = new Map<number, bigint>();
  for (const row of rows) {
    const offset = BigInt(row.kafka_offset);
    if ((highest.get(row.kafka_partition) ?? -1n) < offset) highest.set(row.kafka_partition, offset);
  }
  return highest;
}
const refusal = () => new ClickHouseError({ message: "Cannot parse input: expected '\"' before: 'secret'", code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' });
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A store that can be told to be down, to refuse certain event ids, or to hold rows a view refused; like
 * ClickHouse, it drops an INSERT whose deduplication token it has seen. Two coalescers may share it.
 */
function fakeStore(shared?: { stored: Map<string, ChatEventRow>; tokens: Set<string> }) {
  const inserts: { ids: string[]; token: string }[] = [];
  const attempts: { ids: string[]; token: string }[] = [];
  const deduplicated: { ids: string[]; token: string }[] = [];
  const rowsById = shared?.stored ?? new Map<string, ChatEventRow>();
  const tokens = shared?.tokens ?? new Set<string>();
  const stored = { has: (id: string) => rowsById.has(id) };
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
        for (const row of rows) rowsById.set(row.event_id, row);
        return Promise.reject(new ClickHouseError({ message: 'view refused', code: '395', type: 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO' }));
      }
      if (tokens.has(token)) {
        deduplicated.push({ ids, token });
        events.push(`deduplicated ${ids.join(',')}`);
        return Promise.resolve();
      }
      tokens.add(token);
      inserts.push({ ids, token });
      for (const row of rows) rowsById.set(row.event_id, row);
      events.push(`insert ${ids.join(',')}`);
      return Promise.resolve();
    },
    holds: (row: ChatEventRow) => Promise.resolve(stored.has(row.event_id)),
    storedOffsets: () => Promise.resolve(highestOffsets(rowsById.values())),
  };
  const refused: RefusedRow[] = [];
  const retries: { ranges: OffsetRange[]; reason: RetryReason }[] = [];
  const abandoned: OffsetRange[] = [];
  const fenced: PartitionFenced[] = [];
  const hooks: CoalescerHooks = {
    deadLetter: (row) => {
      refused.push(row);
      events.push(`dead letter ${row.row.event_id}`);
      return Promise.resolve();
    },
    onRetry: (ranges, reason) => void retries.push({ ranges, reason }),
    onAbandoned: (ranges) => void abandoned.push(...ranges),
    onFenced: (partition) => void fenced.push(partition),
    onInserted: () => undefined,
  };
  return {
    store,
    hooks,
    inserts,
    attempts,
    deduplicated,
    fenced,
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
  it('puts the chunks of concurrent partitions into one round after the wait, one INSERT per partition', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, { ...OPTIONS, maxWaitMs: 5 }, f.hooks);
    await Promise.all([coalescer.put(0, chunk(0, 2)), coalescer.put(0, chunk(2, 1)), coalescer.put(1, chunk(10, 3, '2026-11', 1))]);
    expect(f.inserts).toEqual([
      { ids: ['e0', 'e1', 'e2'], token: 'chat.events/0@0' },
      { ids: ['e10', 'e11', 'e12'], token: 'chat.events/1@0' },
    ]);
  });

  it('checks the store once for a round, then sends its INSERTs insertsInFlight at a time, and reads back once', async () => {
    const f = fakeStore();
    const calls: string[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    const store: RoundStore = {
      ...f.store,
      storedOffsets: () => {
        calls.push('read');
        return f.store.storedOffsets();
      },
      insert: async (rows, token) => {
        calls.push(`insert ${rows[0]!.kafka_partition}`);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await tick(2);
        inFlight -= 1;
        return f.store.insert(rows, token);
      },
    };
    const coalescer = coalescerOf(store, { ...OPTIONS, maxWaitMs: 5, insertsInFlight: 2 }, f.hooks);
    await Promise.all([0, 1, 2, 3, 4].map((partition) => coalescer.put(partition, chunk(partition * 10, 2, '2026-11', partition))));
    expect(mostInFlight).toBe(2);
    expect(calls[0]).toBe('read');
    expect(calls.filter((call) => call === 'read')).toHaveLength(2);
    expect(calls.at(-1)).toBe('read');
    expect(f.inserts.map((insert) => insert.token).sort()).toEqual([0, 1, 2, 3, 4].map((partition) => `chat.events/${partition}@0`));
    // The read-back serves as the next round's check.
    await coalescer.put(0, chunk(2, 1));
    expect(calls.slice(-3)).toEqual(['read', 'insert 0', 'read']);
  });

  it('takes at most partsPerRound partitions a round, those waiting longest; the others keep growing in the next round', async () => {
    const f = fakeStore();
    const rounds: string[][] = [];
    const store: RoundStore = {
      ...f.store,
      storedOffsets: () => {
        rounds.push([]);
        return f.store.storedOffsets();
      },
      insert: async (rows, token) => {
        rounds.at(-1)!.push(rows.map((row) => row.event_id).join(','));
        await tick(2);
        return f.store.insert(rows, token);
      },
    };
    const coalescer = coalescerOf(store, { ...OPTIONS, maxWaitMs: 5, insertsInFlight: 1, partsPerRound: 2 }, f.hooks);
    const stored = [3, 1, 4, 0, 2].map((partition) => coalescer.put(partition, chunk(partition * 10, 1, '2026-11', partition)));
    // While the first round is stored, partition 0 (waiting in a later round) grows, and a new month arrives.
    await tick(1);
    stored.push(coalescer.put(0, chunk(1, 1, '2026-11', 0)), coalescer.put(5, chunk(50, 1, '2026-12', 5)));
    await Promise.all(stored);
    // Each round is checked before (its reading) and read back after, which is also the next round's check.
    expect(rounds.filter((inserts) => inserts.length > 0)).toEqual([['e30', 'e10'], ['e40', 'e0,e1'], ['e20'], ['e50']]);
    expect(f.fenced).toEqual([]);
  });

  it('names in each token only the partition and the offset after what the store holds of it', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, OPTIONS, f.hooks);
    await coalescer.put(0, chunk(0, 2));
    await coalescer.put(0, chunk(2, 3));
    expect(f.inserts.map((insert) => insert.token)).toEqual(['chat.events/0@0', 'chat.events/0@2']);
    expect(f.fenced).toEqual([]);
  });

  it('cuts at maxRows and never mixes two months in one INSERT', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, { ...OPTIONS, maxRows: 4, maxWaitMs: 1_000 }, f.hooks);
    const first = coalescer.put(0, chunk(0, 4));
    const second = coalescer.put(1, chunk(10, 1, '2026-12', 1));
    const third = coalescer.put(2, chunk(20, 1, '2026-11', 2));
    await coalescer.drain();
    await Promise.all([first, second, third]);
    expect(f.inserts.map((insert) => insert.ids)).toEqual([['e0', 'e1', 'e2', 'e3'], ['e10'], ['e20']]);
  });

  it('retries a round the store cannot take with the identical rows and token, the rounds behind it waiting', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, OPTIONS, f.hooks);
    f.downFor(3);
    const first = coalescer.put(0, chunk(0, 2));
    await tick(3);
    const second = coalescer.put(0, chunk(2, 1));
    await Promise.all([first, second]);
    expect(f.attempts.slice(0, 4).map((attempt) => attempt.ids)).toEqual([['e0', 'e1'], ['e0', 'e1'], ['e0', 'e1'], ['e0', 'e1']]);
    expect(new Set(f.attempts.slice(0, 4).map((attempt) => attempt.token)).size).toBe(1);
    expect(f.inserts.map((insert) => insert.ids)).toEqual([['e0', 'e1'], ['e2']]);
    expect(f.retries.map((retry) => retry.reason.kind)).toEqual(['availability', 'availability', 'availability']);
    expect(f.refused).toEqual([]);
  });

  it('splits a round the store refuses, left to right, and dead-letters the refused rows before anything after them', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, { ...OPTIONS, maxWaitMs: 5 }, f.hooks);
    f.refuse(['e2', 'e12']);
    await Promise.all([coalescer.put(0, chunk(0, 5)), coalescer.put(1, chunk(10, 3, '2026-11', 1))]);
    // In offset order within each partition (ids e10 and up are partition 1's); the partitions' INSERTs go together.
    const ofPartition1 = (event: string) => /\be1\d/.test(event);
    expect(f.events.filter((event) => !ofPartition1(event))).toEqual(['insert e0,e1', 'dead letter e2', 'insert e3,e4']);
    expect(f.events.filter(ofPartition1)).toEqual(['insert e10,e11', 'dead letter e12']);
    const byOffset = [...f.refused].sort((a, b) => Number(a.source.offset) - Number(b.source.offset));
    expect(byOffset.map((refused) => [refused.source.offset, refused.failure.name, refused.failure.message])).toEqual([
      ['2', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input: expected <masked> before: <masked>'],
      ['12', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED', 'Cannot parse input: expected <masked> before: <masked>'],
    ]);
    // The same split after a crash gives the same parts the same tokens.
    const again = fakeStore();
    again.refuse(['e2', 'e12']);
    const replay = coalescerOf(again.store, { ...OPTIONS, maxWaitMs: 5 }, again.hooks);
    await Promise.all([replay.put(0, chunk(0, 5)), replay.put(1, chunk(10, 3, '2026-11', 1))]);
    const tokens = (inserts: { token: string }[]) => inserts.map((insert) => insert.token).sort();
    expect(tokens(again.inserts)).toEqual(tokens(f.inserts));
    expect(tokens(f.inserts)).toEqual(['chat.events/0@0', 'chat.events/0@2', 'chat.events/1@0']);
  });

  it('retries identically a round refused by a view after the table stored it, and splits nothing', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, OPTIONS, f.hooks);
    f.viewRefuses(1);
    await coalescer.put(0, chunk(0, 3));
    expect(f.attempts.map((attempt) => attempt.ids)).toEqual([['e0', 'e1', 'e2'], ['e0', 'e1', 'e2']]);
    expect(f.attempts[0]?.token).toBe(f.attempts[1]?.token);
    expect(f.retries.map((retry) => retry.reason.kind)).toEqual(['view_refused']);
    expect(f.refused).toEqual([]);
  });

  it('gives up at shutdown on a round the store cannot take, and on every round behind it', async () => {
    const f = fakeStore();
    const coalescer = coalescerOf(f.store, { ...OPTIONS, maxRows: 2, retryMinMs: 60_000, retryMaxMs: 60_000 }, f.hooks);
    f.downFor(1_000);
    const results = Promise.allSettled([coalescer.put(0, chunk(0, 2)), coalescer.put(0, chunk(2, 2)), coalescer.put(1, chunk(10, 1, '2026-11', 1))]);
    await tick(5);
    await coalescer.drain();
    expect((await results).map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(f.abandoned.map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`)).toEqual(['0:0-1', '0:2-3', '1:10-10']);
    expect(coalescer.backlog).toBe(0);
  });
});

describe('InsertCoalescer with another ingest member writing the same partition', () => {
  it('keeps only the first of two INSERTs continuing the same range; the other member drops what it queued for the partition', async () => {
    const shared = { stored: new Map<string, ChatEventRow>(), tokens: new Set<string>() };
    const former = fakeStore(shared);
    const owner = fakeStore(shared);
    const stalled = coalescerOf(former.store, { ...OPTIONS, maxRows: 2 }, former.hooks);
    const taking = coalescerOf(owner.store, OPTIONS, owner.hooks);
    await stalled.put(0, chunk(0, 2));
    // The new owner continues from what the store holds (through offset 1) and stores a longer range first.
    await taking.add(0, chunk(2, 4), 1n);
    // The former owner still holds 2..3 and then 4 (with another partition's row) from before the rebalance,
    // in two rounds, and its last reading of the store is recent.
    const results = await Promise.allSettled([stalled.put(0, chunk(2, 2)), stalled.put(1, chunk(20, 1, '2026-11', 1)), stalled.put(0, chunk(4, 1))]);
    expect(former.deduplicated).toEqual([{ ids: ['e2', 'e3'], token: 'chat.events/0@2' }]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'rejected']);
    expect(results[2]?.status === 'rejected' && results[2].reason).toBeInstanceOf(PartitionFenced);
    expect(former.fenced.map((fenced) => [fenced.partition, fenced.storedOffset, fenced.expectedOffset])).toEqual([[0, 5n, 3n]]);
    // Every offset once, the former owner's later chunk never sent.
    expect([...shared.stored.keys()].sort()).toEqual(['e0', 'e1', 'e2', 'e20', 'e3', 'e4', 'e5']);
    expect(former.attempts.map((attempt) => attempt.ids)).not.toContainEqual(['e4']);
  });

  it('inserts nothing for a partition whose stored range moved past what it expects, and still stores the others', async () => {
    const shared = { stored: new Map<string, ChatEventRow>(), tokens: new Set<string>() };
    const other = fakeStore(shared);
    const f = fakeStore(shared);
    await coalescerOf(other.store, OPTIONS, other.hooks).put(0, chunk(0, 3));
    const coalescer = coalescerOf(f.store, { ...OPTIONS, maxWaitMs: 5 }, f.hooks);
    const results = await Promise.allSettled([coalescer.add(0, chunk(1, 2), 0n), coalescer.put(1, chunk(10, 1, '2026-11', 1))]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled']);
    expect(f.attempts.map((attempt) => attempt.ids)).toEqual([['e10']]);
    expect(f.fenced.map((fenced) => [fenced.partition, fenced.storedOffset, fenced.expectedOffset])).toEqual([[0, 2n, 0n]]);
  });
});

describe('InsertCoalescer while an INSERT runs', () => {
  function slowStore() {
    const inserts: string[][] = [];
    const stored: ChatEventRow[] = [];
    const finishers: ((error?: Error) => void)[] = [];
    const insert = (rows: ChatEventRow[]) =>
      new Promise<void>((resolve, reject) => {
        inserts.push(rows.map((row) => row.event_id));
        finishers.push((error) => {
          if (error) return reject(error);
          stored.push(...rows);
          resolve();
        });
      });
    const store: RoundStore = { insert, holds: () => Promise.resolve(false), storedOffsets: () => Promise.resolve(highestOffsets(stored)) };
    return { store, inserts, finish: (error?: Error) => finishers.shift()!(error) };
  }
  const hooks: CoalescerHooks = {
    deadLetter: () => Promise.resolve(),
    onRetry: () => undefined,
    onAbandoned: () => undefined,
    onFenced: () => undefined,
    onInserted: () => undefined,
  };

  it('keeps filling the next round until the running INSERT is done, with one range per partition', async () => {
    const slow = slowStore();
    const coalescer = coalescerOf(slow.store, OPTIONS, hooks);
    const first = coalescer.put(0, chunk(0, 1));
    await tick(5);
    expect(slow.inserts).toEqual([['e0']]);
    const later = [coalescer.put(0, chunk(1, 2)), coalescer.put(1, chunk(10, 1, '2026-11', 1))];
    await tick(5);
    const third = coalescer.put(0, chunk(3, 1));
    await tick(5);
    expect(slow.inserts).toHaveLength(1);
    slow.finish();
    await first;
    await tick(1);
    expect(slow.inserts[1]).toEqual(['e1', 'e2', 'e3']);
    slow.finish();
    await tick(1);
    expect(slow.inserts[2]).toEqual(['e10']);
    slow.finish();
    await Promise.all([...later, third]);
  });

  it('holds back a caller while a full round waits for the store', async () => {
    const slow = slowStore();
    const coalescer = coalescerOf(slow.store, { ...OPTIONS, maxRows: 2, maxWaitMs: 1_000 }, hooks);
    void coalescer.put(0, chunk(0, 2));
    void coalescer.put(0, chunk(2, 2));
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
