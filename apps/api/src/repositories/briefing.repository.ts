import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';
import { METRIC_TABLES, OUTCOME_FACET, QUESTION_MEASURES, UNMATCHED_QUERY } from './metric-sql';

/** One distinct question asked around a past promo moment, with what the bot did with it then. */
export interface AskedAround {
  shopId: string;
  /** Raw text: masked by the service before it leaves the api. */
  text: string;
  asked: number;
  answered: number;
  unmatched: number;
  /** Handed off for another reason than no match (the customer asked for a human, an angry customer). */
  handedOff: number;
}

/** UInt64 counts arrive as strings or numbers depending on the server's output settings. */
const count = z.coerce.number().int().nonnegative();
const askedRow = z.object({ shop_id: z.string(), text: z.string(), asked: count, answered: count, unmatched: count, handed_off: count });
const rateRow = z.object({ questions: z.coerce.number().nonnegative(), answered: z.coerce.number().nonnegative() });

export interface BriefingRange {
  source: EventSource;
  shops: readonly string[];
  from: Date;
  to: Date;
}

/**
 * What the briefing reads of a past campaign (`chat_events`, and the rollup for hit rates): the questions
 * asked in a range around one of its promo moments. The sorting key (source, shop, event time) prunes.
 */
@Injectable()
export class BriefingRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Distinct texts asked in the range, the most asked first, at most `limit`. */
  async askedAround(range: BriefingRange, limit: number): Promise<AskedAround[]> {
    const result = await this.clickhouse.query({
      query: `SELECT shop_id, text, count() AS asked,
                countIf(outcome = 'answered') AS answered,
                countIf(${UNMATCHED_QUERY}) AS unmatched,
                countIf(outcome = 'handoff' AND handoff_reason != 'no_match') AS handed_off
              FROM ${METRIC_TABLES.events}
              WHERE source = {source:String} AND has({shops:Array(String)}, shop_id)
                AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
                AND kind = 'question' AND text != ''
              GROUP BY shop_id, text
              ORDER BY asked DESC, shop_id, text
              LIMIT {limit:UInt32}`,
      query_params: this.params(range, { limit }),
      format: 'JSONEachRow',
    });
    return (await result.json<unknown>()).map((raw) => {
      const row = askedRow.parse(raw);
      return { shopId: row.shop_id, text: row.text, asked: row.asked, answered: row.answered, unmatched: row.unmatched, handedOff: row.handed_off };
    });
  }

  /**
   * Hit rate over the range (metric-sql's definition); null when no bot-mode question was asked. The
   * rollup's buckets are whole seconds: the range starts at the whole second of its start, so a question
   * asked in the moment's own second (a moment rarely falls on a millisecond) is counted.
   */
  async hitRate(range: BriefingRange): Promise<number | null> {
    const from = new Date(Math.floor(range.from.getTime() / 1000) * 1000);
    const result = await this.clickhouse.query({
      query: `SELECT sum(${QUESTION_MEASURES.botModeQuestions}) AS questions, sum(${QUESTION_MEASURES.botAnswered}) AS answered
              FROM ${METRIC_TABLES.questionRollup}
              WHERE source = {source:String} AND ${OUTCOME_FACET} AND has({shops:Array(String)}, shop_id)
                AND bucket >= {from:DateTime64(3, 'UTC')} AND bucket < {to:DateTime64(3, 'UTC')}`,
      query_params: this.params({ ...range, from }, {}),
      format: 'JSONEachRow',
    });
    const [row] = z.array(rateRow).parse(await result.json());
    return row && row.questions > 0 ? row.answered / row.questions : null;
  }

  private params(range: BriefingRange, extra: Record<string, number>): Record<string, unknown> {
    return {
      source: range.source,
      shops: [...range.shops],
      from: toClickHouseTime(range.from.toISOString()),
      to: toClickHouseTime(range.to.toISOString()),
      ...extra,
    };
  }
}
