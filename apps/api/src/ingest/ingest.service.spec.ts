import { describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import { ClickHouseError } from '@warroom/clickhouse';
import type { DeadLetter } from '@warroom/contracts';
import type { ChatEventRepository } from '../repositories/chat-event.repository';
import type { IngestOffsetGapsRepository, OffsetHole } from '../repositories/ingest-offset-gaps.repository';
import type { BatchControl, HandledOffset, KafkaRepository, PartitionBatch } from '../repositories/kafka.repository';
import type { ChatEventRow } from '../repositories/chat-event-row';
import { IngestService } from './ingest.service';

const event = (id: string): Buffer =>
  Buffer.from(
    JSON.stringify({
      v: 1,
      eventId: id,
      eventTime: new Date().toISOString(),
      source: 'live',
      campaignId: 'c',
      shopId: 's',
      sessionId: 'x',
      customerId: 'y',
      channel: 'app',
      mode: 'bot',
      kind: 'abandon',
    }),
  );

function batch(partition: number, first: number, count: number): PartitionBatch {
  return {
    topic: 'chat.events',
    partition,
    highWatermark: '1000',
    messages: Array.from({ length: count }, (_, i) => ({ offset: String(first + i), key: null, value: event(`p${partition}-${first + i}`) })),
  };
}

/** Fakes of the repositories: an INSERT that can be made to fail, a consumer that records, a hole record. */
function harness() {
  const inserts: string[][] = [];
  let failure: Error | null = null;
  const commits: HandledOffset[][] = [];
  const rewinds: { partition: number; offset: string }[] = [];
  const letters: DeadLetter[] = [];
  const holes: OffsetHole[] = [];
  const stored = new Map<number, bigint>();
  const tokens = new Set<string>();
  const chatEvents = {
    storedOffsets: () => Promise.resolve(new Map(stored)),
    insertRows: (rows: ChatEventRow[], token: string) => {
      if (failure && rows.some((row) => row.event_id.endsWith('-bad') || !failure?.message.includes('refused'))) return Promise.reject(failure);
      // Like ClickHouse: an INSERT with a token seen before is dropped.
      if (tokens.has(token)) return Promise.resolve();
      tokens.add(token);
      inserts.push(rows.map((row) => row.kafka_offset));
      for (const row of rows) stored.set(row.kafka_partition, BigInt(row.kafka_offset));
      return Promise.resolve();
    },
    holds: () => Promise.resolve(false),
    recentEventIds: () => Promise.resolve([]),
    storedEventIds: () => Promise.resolve(new Set<string>()),
  } as unknown as ChatEventRepository;
  const kafka = {
    sendDeadLetters: (_topic: string, sent: DeadLetter[]) => {
      letters.push(...sent);
      return Promise.resolve();
    },
    commitOffsets: (_group: string, _topic: string, handled: HandledOffset[]) => {
      commits.push(handled);
      return Promise.resolve();
    },
    rewind: (_group: string, _topic: string, partition: number, offset: string) => void rewinds.push({ partition, offset }),
  } as unknown as KafkaRepository;
  const offsetGaps = {
    recordHole: (hole: OffsetHole) => {
      holes.push(hole);
      return Promise.resolve();
    },
    missingEvents: () => Promise.resolve(holes.reduce((sum, hole) => sum + Number(hole.lastMissingOffset - hole.firstMissingOffset + 1n), 0)),
  } as unknown as IngestOffsetGapsRepository;
  const config = { ingest: { groupId: 'g', batchMaxRows: 1_000, batchMaxMs: 5 } } as AppConfig;
  const service = new IngestService(config, chatEvents, kafka, offsetGaps);
  let stale = false;
  const control: BatchControl = { heartbeat: () => Promise.resolve(), shouldContinue: () => !stale };
  return {
    service,
    inserts,
    commits,
    rewinds,
    letters,
    holes,
    control,
    fail: (error: Error | null) => (failure = error),
    /** Another ingest member stores `partition` through `offset` with an INSERT of deduplication token `token`. */
    storedElsewhere: (partition: number, offset: bigint, token: string) => {
      stored.set(partition, offset);
      tokens.add(token);
    },
    markStale: (value: boolean) => (stale = value),
  };
}

// Long enough for a 5 ms linger, an INSERT and a commit of the fakes on a busy 2-core machine.
const settle = (ms = 150) => new Promise((resolve) => setTimeout(resolve, ms));

describe('IngestService', () => {
  it('hands a batch back before its INSERT, then commits every partition of a round in one request', async () => {
    const h = harness();
    expect(await h.service.handleBatch(batch(0, 0, 2), h.control)).toEqual({ consumedThrough: '1' });
    expect(await h.service.handleBatch(batch(1, 0, 1), h.control)).toEqual({ consumedThrough: '0' });
    expect(h.inserts).toEqual([]);
    await settle();
    expect(h.inserts).toEqual([['0', '1'], ['0']]);
    expect(h.commits).toEqual([[{ partition: 0, offset: '1' }, { partition: 1, offset: '0' }]]);
  });

  it('drops what it queued for a partition another member stored meanwhile, and fetches it again from its oldest batch', async () => {
    const h = harness();
    await h.service.handleBatch(batch(0, 0, 1), h.control);
    await settle();
    // Another member, given partition 0 by a rebalance, continues it from offset 1 first.
    h.storedElsewhere(0, 5n, 'chat.events/0@1');
    expect(await h.service.handleBatch(batch(0, 1, 2), h.control)).toEqual({ consumedThrough: '2' });
    await h.service.handleBatch(batch(1, 0, 1), h.control);
    await settle();
    expect(h.inserts).toEqual([['0'], ['0']]);
    expect(h.rewinds).toEqual([{ partition: 0, offset: '1' }]);
    expect(h.commits.flat()).toEqual([{ partition: 0, offset: '0' }, { partition: 1, offset: '0' }]);
    // Not a failure of the store: health says nothing is retrying.
    expect(h.service.health().partitions.map((partition) => partition.retrying)).toEqual([false, false]);
    expect(h.service.health().status).not.toBe('store_unavailable');
    // Fetched again, the partition continues after what the store holds.
    await h.service.handleBatch(batch(0, 1, 7), h.control);
    await settle();
    expect(h.inserts.at(-1)).toEqual(['6', '7']);
  });

  it('retries the identical round while the store is unavailable, says so in health, and rewinds nothing', async () => {
    const h = harness();
    h.fail(new Error('connect ECONNREFUSED 127.0.0.1:8123'));
    await h.service.handleBatch(batch(0, 0, 2), h.control);
    await h.service.handleBatch(batch(0, 2, 2), h.control);
    await settle();
    expect(h.service.health()).toMatchObject({ status: 'store_unavailable', partitions: [{ partition: 0, retrying: true }] });
    expect(h.service.health().partitions[0]?.lastError).toContain('ECONNREFUSED');
    expect(h.commits).toEqual([]);
    h.fail(null);
    await settle(600);
    expect(h.rewinds).toEqual([]);
    expect(h.inserts).toEqual([['0', '1', '2', '3']]);
    expect(h.commits).toEqual([[{ partition: 0, offset: '3' }]]);
    expect(h.service.health()).toMatchObject({ status: 'ok', stored: 4, partitions: [{ storedOffset: '3', lag: 996, retrying: false }] });
  });

  it('dead-letters a row the store refuses with its code and masked message, and stores the rest', async () => {
    const h = harness();
    h.fail(new ClickHouseError({ message: "refused: Cannot parse input before: 'secret text'", code: '27', type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED' }));
    const messages = batch(0, 0, 4);
    messages.messages[2] = { offset: '2', key: null, value: event('p0-2-bad') };
    await h.service.handleBatch(messages, h.control);
    await settle();
    expect(h.inserts).toEqual([['0', '1'], ['3']]);
    expect(h.letters).toHaveLength(1);
    expect(h.letters[0]?.source).toEqual({ topic: 'chat.events', partition: 0, offset: '2' });
    expect(h.letters[0]?.reasons).toEqual([
      'ClickHouse refused the row: CANNOT_PARSE_INPUT_ASSERTION_FAILED (code 27): refused: Cannot parse input before: <masked>',
    ]);
    expect(h.commits).toEqual([[{ partition: 0, offset: '3' }]]);
    expect(h.service.health()).toMatchObject({ status: 'ok', stored: 3, deadLettered: 1, refusedByStore: 1 });
  });

  it('fetches once more from the expected offset when a batch starts past it, then records the hole', async () => {
    const h = harness();
    await h.service.handleBatch(batch(0, 0, 2), h.control);
    await settle();
    expect(await h.service.handleBatch(batch(0, 5, 2), h.control)).toEqual({ consumedThrough: null });
    expect(h.rewinds).toEqual([{ partition: 0, offset: '2' }]);
    expect(h.holes).toEqual([]);
    // The broker answers from past the same offset again: the events are gone.
    expect(await h.service.handleBatch(batch(0, 5, 2), h.control)).toEqual({ consumedThrough: '6' });
    expect(h.holes).toMatchObject([{ topic: 'chat.events', partition: 0, firstMissingOffset: 2n, lastMissingOffset: 4n }]);
    await settle();
    expect(h.service.health()).toMatchObject({ missingEvents: 3 });
    expect(h.inserts).toEqual([['0', '1'], ['5', '6']]);
  });

  it('finds no hole where the refetch starts at the expected offset (a dead-lettered tail, a reset)', async () => {
    const h = harness();
    expect(await h.service.handleBatch(batch(0, 3, 2), h.control)).toEqual({ consumedThrough: null });
    expect(h.rewinds).toEqual([{ partition: 0, offset: '0' }]);
    expect(await h.service.handleBatch(batch(0, 0, 5), h.control)).toEqual({ consumedThrough: '4' });
    expect(h.holes).toEqual([]);
  });

  it('stores an event delivered twice once, and counts the second delivery as skipped', async () => {
    const h = harness();
    await h.service.handleBatch(batch(0, 0, 2), h.control);
    const again = batch(0, 2, 2);
    again.messages[1] = { offset: '3', key: null, value: event('p0-0') };
    expect(await h.service.handleBatch(again, h.control)).toEqual({ consumedThrough: '3' });
    // One round or two, as the linger's timer fell on a busy machine: what counts is what was stored.
    await vi.waitFor(() => expect(h.commits.at(-1)).toEqual([{ partition: 0, offset: '3' }]), { timeout: 5_000 });
    expect(h.inserts.flat()).toEqual(['0', '1', '2']);
    expect(h.service.health()).toMatchObject({ stored: 3, duplicatesSkipped: 1, deadLettered: 0 });
  });

  it('says catching_up while more than a few rounds of events wait', async () => {
    const h = harness();
    await h.service.handleBatch({ ...batch(0, 0, 2), highWatermark: '5000' }, h.control);
    await settle();
    expect(h.service.health().status).toBe('catching_up');
  });
});
