import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { ChatEventRepository } from '../repositories/chat-event.repository';
import type { BatchControl, HandledOffset, KafkaRepository, PartitionBatch } from '../repositories/kafka.repository';
import type { ChatEventRow } from './chat-event-row';
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

/** Fakes of the two repositories: an INSERT that can be made to fail, and a consumer that records. */
function harness() {
  const inserts: string[][] = [];
  let failInserts = false;
  const commits: HandledOffset[][] = [];
  const rewinds: { partition: number; offset: string }[] = [];
  const chatEvents = {
    storedOffsets: () => Promise.resolve(new Map<number, bigint>()),
    insertRows: (rows: ChatEventRow[]) => {
      if (failInserts) return Promise.reject(new Error('store down'));
      inserts.push(rows.map((row) => row.kafka_offset));
      return Promise.resolve();
    },
  } as unknown as ChatEventRepository;
  const kafka = {
    sendDeadLetters: () => Promise.resolve(),
    commitOffsets: (_group: string, _topic: string, handled: HandledOffset[]) => {
      commits.push(handled);
      return Promise.resolve();
    },
    rewind: (_group: string, _topic: string, partition: number, offset: string) => void rewinds.push({ partition, offset }),
  } as unknown as KafkaRepository;
  const config = { ingest: { groupId: 'g', batchMaxRows: 1_000, batchMaxMs: 5 } } as AppConfig;
  const service = new IngestService(config, chatEvents, kafka);
  let stale = false;
  const control: BatchControl = { heartbeat: () => Promise.resolve(), shouldContinue: () => !stale };
  return {
    service,
    inserts,
    commits,
    rewinds,
    control,
    failInserts: (value: boolean) => (failInserts = value),
    markStale: (value: boolean) => (stale = value),
  };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('IngestService', () => {
  it('hands a batch back before its INSERT, then commits every partition of a round in one request', async () => {
    const h = harness();
    expect(await h.service.handleBatch(batch(0, 0, 2), h.control)).toEqual({ consumedThrough: '1' });
    expect(await h.service.handleBatch(batch(1, 5, 1), h.control)).toEqual({ consumedThrough: '5' });
    expect(h.inserts).toEqual([]);
    await settle();
    expect(h.inserts).toEqual([['0', '1', '5']]);
    expect(h.commits).toEqual([[{ partition: 0, offset: '1' }, { partition: 1, offset: '5' }]]);
  });

  it('rewinds a partition to its oldest unstored batch when an INSERT fails, and queues no stale batch', async () => {
    const h = harness();
    h.failInserts(true);
    await h.service.handleBatch(batch(0, 0, 2), h.control);
    await h.service.handleBatch(batch(0, 2, 2), h.control);
    await settle();
    expect(h.rewinds).toEqual([{ partition: 0, offset: '0' }]);
    expect(h.commits).toEqual([]);
    // A batch fetched before the rewind took effect is stale: nothing of it is queued or consumed.
    h.markStale(true);
    expect(await h.service.handleBatch(batch(0, 4, 2), h.control)).toEqual({ consumedThrough: null });
    h.markStale(false);
    h.failInserts(false);
    await h.service.handleBatch(batch(0, 0, 4), h.control);
    await settle();
    expect(h.inserts).toEqual([['0', '1', '2', '3']]);
    expect(h.commits).toEqual([[{ partition: 0, offset: '3' }]]);
    expect(h.service.health().partitions[0]).toMatchObject({ storedOffset: '3', lag: 996, retrying: false });
  });
});
