import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** Offsets of one Kafka partition that ingest never received: `firstMissingOffset`..`lastMissingOffset`, both included. */
export interface OffsetHole {
  topic: string;
  partition: number;
  firstMissingOffset: bigint;
  lastMissingOffset: bigint;
  detectedAt: Date;
}

// ClickHouse writes UInt64 as a JSON string; a sum over no rows is 0.
const missingRow = z.object({ missing: z.coerce.number().int().nonnegative() });

/**
 * `ingest_offset_gaps` (migration 0009): the durable record of holes in the offsets ingest read, so that
 * events lost before they reached the store are counted on the wall instead of vanishing silently.
 */
@Injectable()
export class IngestOffsetGapsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Records a hole; recording the same hole again (after a restart or rewind) counts it once. */
  async recordHole(hole: OffsetHole): Promise<void> {
    if (hole.lastMissingOffset < hole.firstMissingOffset) {
      throw new Error(`An offset hole ends before it starts: ${hole.firstMissingOffset}..${hole.lastMissingOffset}`);
    }
    await this.clickhouse.insert({
      table: 'ingest_offset_gaps',
      values: [
        {
          topic: hole.topic,
          partition: hole.partition,
          first_missing_offset: hole.firstMissingOffset.toString(),
          last_missing_offset: hole.lastMissingOffset.toString(),
          missing_count: (hole.lastMissingOffset - hole.firstMissingOffset + 1n).toString(),
          detected_at: toClickHouseTime(hole.detectedAt.toISOString()),
        },
      ],
      format: 'JSONEachRow',
    });
  }

  /** Events of `topic` lost before ingest could store them: the sum over its recorded holes, each counted once. */
  async missingEvents(topic: string): Promise<number> {
    const result = await this.clickhouse.query({
      query: `SELECT toString(sum(missing_count)) AS missing FROM ingest_offset_gaps FINAL WHERE topic = {topic:String}`,
      query_params: { topic },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<unknown>();
    return missingRow.parse(row).missing;
  }
}
