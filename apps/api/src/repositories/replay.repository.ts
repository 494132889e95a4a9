import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

export interface PastQuestionRange {
  source: EventSource;
  /** Shop id, or 'all'. */
  shop: string;
  /** '' for every campaign. */
  campaignId: string;
  from: Date;
  to: Date;
  /** Keyset: questions strictly after (time, event id); null from the start. */
  after: { timeMs: number; eventId: string } | null;
  limit: number;
}

const pastQuestionRow = z.object({
  event_id: z.string(),
  t: z.coerce.number().int(),
  campaign_id: z.string(),
  shop_id: z.string(),
  session_id: z.string(),
  customer_id: z.string(),
  channel: z.string(),
  mode: z.string(),
  stage: z.string(),
  sku: z.string(),
  text: z.string(),
  outcome: z.string(),
  handoff_reason: z.string(),
  answer_id: z.string(),
});
export type PastQuestionRow = z.infer<typeof pastQuestionRow>;

/** Past questions for replays, read page by page in (event time, event id) order. */
@Injectable()
export class ReplayRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /**
   * One page: keyset pagination on the table's own order (event time, then event id), so each page is a
   * range read whatever the offset, and a page never repeats an event (a row stored twice is read once).
   */
  async page(range: PastQuestionRange): Promise<PastQuestionRow[]> {
    const result = await this.clickhouse.query({
      query: `SELECT event_id, toUnixTimestamp64Milli(event_time) AS t, campaign_id, shop_id, session_id, customer_id, channel,
                     mode, stage, sku, text, outcome, handoff_reason, answer_id
              FROM chat_events
              WHERE kind = 'question'
                AND source = {source:String}
                AND ({shop:String} = 'all' OR shop_id = {shop:String})
                AND ({campaign:String} = '' OR campaign_id = {campaign:String})
                AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
                AND (toUnixTimestamp64Milli(event_time), event_id) > ({after_ms:Int64}, {after_id:String})
              ORDER BY event_time, event_id
              LIMIT 1 BY event_id
              LIMIT {limit:UInt32}`,
      query_params: {
        source: range.source,
        shop: range.shop,
        campaign: range.campaignId,
        from: toClickHouseTime(range.from.toISOString()),
        to: toClickHouseTime(range.to.toISOString()),
        after_ms: String(range.after?.timeMs ?? -1),
        after_id: range.after?.eventId ?? '',
        limit: String(range.limit),
      },
      format: 'JSONEachRow',
    });
    return z.array(pastQuestionRow).parse(await result.json());
  }
}
