/**
 * Holes in the offsets are never silent (issue 16): events the broker dropped before ingest stored them
 * (retention here: the dev broker keeps about 5 MiB per partition) are counted, shown in /health/ingest
 * and recorded once in ingest_offset_gaps, and ingest stores everything the broker still has.
 */
import { TOPICS } from '@warroom/kafka';
import { describe, expect, it } from 'vitest';
import { IngestOffsetGapsRepository } from '../../apps/api/src/repositories/ingest-offset-gaps.repository';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor } from '../support/pipeline';

describe('ingest over a partition whose oldest events the broker dropped', () => {
  const pipeline = usePipeline();

  it('stores what is left, and counts what is gone once, however often ingest starts over it', async () => {
    const p = pipeline();
    // About 8 MiB on one partition, before ingest runs: the broker drops the oldest.
    const padding = '售后'.repeat(300);
    for (let wave = 0; wave < 8; wave += 1) {
      await p.produce(
        Array.from({ length: 1_000 }, (_, i) => {
          const event = questionEvent({ eventId: `hole-${wave}-${i}`, sessionId: 'one-long-session', text: `${padding} ${wave}-${i}` });
          return { key: event.sessionId, value: JSON.stringify(event) };
        }),
      );
    }
    const admin = p.kafka.admin();
    await admin.connect();
    const offsets = (await admin.fetchTopicOffsets(TOPICS.chatEvents.name)).find((entry) => entry.high !== '0');
    await admin.disconnect();
    const logStart = Number(offsets?.low);
    const high = Number(offsets?.high);
    expect(logStart).toBeGreaterThan(0);

    let ingest = await p.startApp('ingest');
    const health = async () => (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { status: string; missingEvents: number };
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= high - logStart && (await health()).missingEvents > 0,
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${high - logStart}; health ${JSON.stringify(await health())}`,
    );
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: high - logStart, distinct: high - logStart });
    expect(await health()).toMatchObject({ status: 'ok', missingEvents: logStart });

    // A fresh start reads across the same hole again (ingest's group is new to it): still counted once.
    await ingest.stop();
    await p.clickhouse.command({ query: 'TRUNCATE TABLE chat_events' });
    ingest = await p.startApp('ingest', { INGEST_GROUP_ID: 'a-second-group' });
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= high - logStart,
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${high - logStart}`,
    );
    expect(await new IngestOffsetGapsRepository(p.clickhouse).missingEvents(TOPICS.chatEvents.name)).toBe(logStart);
    expect((await health()).missingEvents).toBe(logStart);
    await ingest.stop();
  });
});
