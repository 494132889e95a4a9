import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

const sampleRow = z.object({ sample: z.string() });

/** Recent customer questions of one shop, for replaying them against a patched knowledge base. */
@Injectable()
export class RecentQuestionsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /**
   * Distinct question texts (case and spacing folded; the matcher's own normalisation is applied by
   * the caller) asked in this shop since `since`, the most asked first, at most `limit`.
   */
  async distinctTexts(shopId: string, source: EventSource, since: Date, limit: number): Promise<string[]> {
    const result = await this.clickhouse.query({
      query: `SELECT any(text) AS sample
              FROM chat_events
              WHERE source = {source:String} AND shop_id = {shop:String}
                AND event_time >= {since:DateTime64(3, 'UTC')}
                AND kind = 'question'
              GROUP BY lowerUTF8(replaceRegexpAll(text, '\\\\s+', ''))
              ORDER BY count() DESC
              LIMIT {limit:UInt32}`,
      query_params: { source, shop: shopId, since: toClickHouseTime(since.toISOString()), limit },
      format: 'JSONEachRow',
    });
    return (await result.json<unknown>()).map((row) => sampleRow.parse(row).sample);
  }
}
