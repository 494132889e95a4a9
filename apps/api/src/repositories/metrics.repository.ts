import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

export interface QuestionCounts {
  questions: number;
  botModeQuestions: number;
  answered: number;
}

export interface MetricsWindowRange {
  /** Shop id, or 'all'. */
  shop: string;
  source: EventSource;
  /** Exclusive. */
  from: Date;
  /** Inclusive: the watermark. */
  to: Date;
}

/** One function per metric; the wall, the REST API and the reports all call these. */
@Injectable()
export class MetricsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Questions, bot-mode questions and answered bot-mode questions in (from, to]: the hit rate's terms. */
  async questionCounts(range: MetricsWindowRange): Promise<QuestionCounts> {
    const result = await this.clickhouse.query({
      query: `
        SELECT
          count() AS questions,
          countIf(mode = 'bot') AS bot_mode_questions,
          countIf(mode = 'bot' AND outcome = 'answered') AS answered
        FROM chat_events
        WHERE kind = 'question'
          AND source = {source:String}
          AND ({shop:String} = 'all' OR shop_id = {shop:String})
          AND event_time > {from:DateTime64(3, 'UTC')}
          AND event_time <= {to:DateTime64(3, 'UTC')}`,
      query_params: {
        source: range.source,
        shop: range.shop,
        from: toClickHouseTime(range.from.toISOString()),
        to: toClickHouseTime(range.to.toISOString()),
      },
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ questions: string; bot_mode_questions: string; answered: string }>();
    return {
      questions: Number(row?.questions ?? 0),
      botModeQuestions: Number(row?.bot_mode_questions ?? 0),
      answered: Number(row?.answered ?? 0),
    };
  }
}
