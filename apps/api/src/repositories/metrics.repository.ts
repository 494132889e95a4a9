import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';
import { CONVERSATION_MEASURES, METRIC_TABLES, OUTCOME_FACET, QUESTION_MEASURES, SMALL_TALK_ANSWER, UNMATCHED_QUERY } from './metric-sql';

/**
 * A metrics window: [from, to) by event time, both on whole seconds (the rollup's bucket), for one shop
 * or all of them and one source.
 */
export interface MetricsWindowRange {
  /** Shop id, or 'all'. */
  shop: string;
  source: EventSource;
  /** Inclusive, a whole second. */
  from: Date;
  /** Exclusive, a whole second. */
  to: Date;
}

/**
 * Questions of one (mode, stage, outcome, handoff reason); '' where the question had none. How many of
 * them each question metric counts comes with them, measured by `QUESTION_MEASURES` (metric-sql.ts).
 */
export interface OutcomeCount {
  mode: string;
  stage: string;
  outcome: string;
  handoffReason: string;
  questions: number;
  botModeQuestions: number;
  botAnswered: number;
  questionsHandedOff: number;
  unmatchedQueries: number;
}

export interface EmotionCount {
  emotion: string;
  questions: number;
  intensitySum: number;
}

export interface AnswerCount {
  answerId: string;
  /** Questions answered with it (any mode) in the window. */
  answered: number;
  /** The same over the previous window of the same length. */
  previousAnswered: number;
  /** Bot-mode questions whose best candidate it was, and those of them it answered. */
  botQuestions: number;
  botAnswered: number;
}

/** The customers' most asked wording of one answer in a window. */
export interface AnswerWording {
  answerId: string;
  /** The shop that asked it most: the answer's title is read from that shop's knowledge base. */
  shopId: string;
  /** Raw customer text: the service masks it before it leaves the api. */
  text: string;
  asked: number;
}

export interface UnmatchedRow {
  eventId: string;
  eventTimeMs: number;
  shopId: string;
  /** Raw customer text: the service masks it before it leaves the api. */
  text: string;
  outcome: string;
  handoffReason: string;
  bestCandidateId: string;
}

/** What `questionRollup` reads: one list per facet of the rollup. */
export interface QuestionRollup {
  outcomes: OutcomeCount[];
  emotions: EmotionCount[];
  /** At most the limit asked for, count descending, then answer id. */
  answers: AnswerCount[];
}

export interface ConversionCounts {
  botSessions: number;
  botConverted: number;
  agentSessions: number;
  agentConverted: number;
}

/** Counts arrive as JSON numbers (output_format_json_quote_64bit_integers is 0) or, from some servers, as strings. */
const quantity = z.coerce.number().nonnegative();

const rollupRow = z.object({
  facet: z.enum(['outcome', 'emotion', 'answer']),
  mode: z.string(),
  stage: z.string(),
  outcome: z.string(),
  handoff_reason: z.string(),
  emotion: z.string(),
  answer_id: z.string(),
  questions_now: quantity,
  intensity_now: quantity,
  answered_now: quantity,
  answered_before: quantity,
  bot_questions_now: quantity,
  bot_answered_now: quantity,
  questions_handed_off_now: quantity,
  unmatched_now: quantity,
});
const wordingRow = z.object({
  answer_id: z.string(),
  shop_id: z.string(),
  text: z.string(),
  asked: quantity,
});
const unmatchedRow = z.object({
  event_id: z.string(),
  event_time_ms: quantity,
  shop_id: z.string(),
  text: z.string(),
  outcome: z.string(),
  handoff_reason: z.string(),
  answer_id: z.string(),
});
const conversionRow = z.object({
  bot_sessions: quantity,
  bot_converted: quantity,
  agent_sessions: quantity,
  agent_converted: quantity,
});

/** Query parameters of a window; every query takes its values as typed parameters, never as SQL text. */
function windowParams(range: MetricsWindowRange): Record<string, string> {
  return {
    source: range.source,
    shop: range.shop,
    from: toClickHouseTime(range.from.toISOString()),
    to: toClickHouseTime(range.to.toISOString()),
  };
}

/**
 * The live snapshot's queries (the wall and `GET /api/metrics/snapshot`). The rollup `question_rollup_1s`
 * (migration 0003) serves everything counted per question; the raw table serves what needs the rows
 * themselves (newest unmatched texts, sessions for conversion). What each metric counts is metric-sql.ts's,
 * which the staffing reports' queries use too.
 */
@Injectable()
export class MetricsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /**
   * Everything the rollup serves for one window, in one scan of `question_rollup_1s` (each request has a
   * fixed cost on the dev store whatever its size, and ingest waits meanwhile). One row per key of each facet:
   *
   * - `outcome`: questions by mode, stage, outcome and handoff reason, with what each question metric
   *   counts of them: questions, questions per minute, hit rate, unmatched queries, handoffs by reason,
   *   bot vs assist, per stage;
   * - `emotion`: questions and the sum of their intensities per emotion: the emotion mix;
   * - `answer`: the `topLimit` answers answered most in the window (count descending, then answer id),
   *   each with its count over the previous window of the same length and its own hit rate's terms; small
   *   talk is left out (the outcome facet still counts it).
   *
   * Only the answer facet reads the previous window. LIMIT BY keeps `topLimit` rows of the answer facet
   * (its rows share one LIMIT BY key) and every row of the others (each row its own key).
   */
  async questionRollup(range: MetricsWindowRange, topLimit: number): Promise<QuestionRollup> {
    const previousFrom = new Date(2 * range.from.getTime() - range.to.getTime());
    const rows = await this.rows(
      `SELECT
         facet, mode, stage, outcome, handoff_reason, emotion, answer_id,
         sumIf(questions, bucket >= {from:DateTime64(3, 'UTC')}) AS questions_now,
         sumIf(intensity_sum, bucket >= {from:DateTime64(3, 'UTC')}) AS intensity_now,
         sumIf(answered, bucket >= {from:DateTime64(3, 'UTC')}) AS answered_now,
         sumIf(answered, bucket < {from:DateTime64(3, 'UTC')}) AS answered_before,
         sumIf(${QUESTION_MEASURES.botModeQuestions}, bucket >= {from:DateTime64(3, 'UTC')}) AS bot_questions_now,
         sumIf(${QUESTION_MEASURES.botAnswered}, bucket >= {from:DateTime64(3, 'UTC')}) AS bot_answered_now,
         sumIf(${QUESTION_MEASURES.questionsHandedOff}, bucket >= {from:DateTime64(3, 'UTC')}) AS questions_handed_off_now,
         sumIf(${QUESTION_MEASURES.unmatchedQueries}, bucket >= {from:DateTime64(3, 'UTC')}) AS unmatched_now
       FROM ${METRIC_TABLES.questionRollup}
       WHERE source = {source:String}
         AND ({shop:String} = 'all' OR shop_id = {shop:String})
         AND bucket >= {previous_from:DateTime64(3, 'UTC')} AND bucket < {to:DateTime64(3, 'UTC')}
         AND (facet = 'answer' OR bucket >= {from:DateTime64(3, 'UTC')})
       GROUP BY facet, mode, stage, outcome, handoff_reason, emotion, answer_id
       HAVING facet != 'answer' OR (answered_now > 0 AND NOT ${SMALL_TALK_ANSWER})
       ORDER BY facet, answered_now DESC, answer_id
       LIMIT {top_limit:UInt32} BY facet, if(facet = 'answer', '', concat(mode, '|', stage, '|', outcome, '|', handoff_reason, '|', emotion))`,
      { ...windowParams(range), previous_from: toClickHouseTime(previousFrom.toISOString()), top_limit: String(topLimit) },
      rollupRow,
    );
    const rollup: QuestionRollup = { outcomes: [], emotions: [], answers: [] };
    for (const row of rows) {
      if (row.facet === 'outcome') {
        rollup.outcomes.push({
          mode: row.mode,
          stage: row.stage,
          outcome: row.outcome,
          handoffReason: row.handoff_reason,
          questions: row.questions_now,
          botModeQuestions: row.bot_questions_now,
          botAnswered: row.bot_answered_now,
          questionsHandedOff: row.questions_handed_off_now,
          unmatchedQueries: row.unmatched_now,
        });
      } else if (row.facet === 'emotion') {
        rollup.emotions.push({ emotion: row.emotion, questions: row.questions_now, intensitySum: row.intensity_now });
      } else {
        rollup.answers.push({
          answerId: row.answer_id,
          answered: row.answered_now,
          previousAnswered: row.answered_before,
          botQuestions: row.bot_questions_now,
          botAnswered: row.bot_answered_now,
        });
      }
    }
    return rollup;
  }

  /**
   * For each answer of `answerIds`, the text customers asked most among the questions it answered in the
   * window (ties: the shorter, then the first in text order), with the shop that asked it most. Texts are
   * compared as stored, after trimming: what the customers typed, not a normalised form, is what the wall shows.
   */
  async mostAskedWordings(range: MetricsWindowRange, answerIds: readonly string[]): Promise<AnswerWording[]> {
    if (answerIds.length === 0) return [];
    const rows = await this.rows(
      `SELECT answer_id, argMax(shop_id, shop_asked) AS shop_id, wording AS text, sum(shop_asked) AS asked
       FROM
       (
         SELECT answer_id, shop_id, trimBoth(text) AS wording, count() AS shop_asked
         FROM ${METRIC_TABLES.events}
         WHERE kind = 'question'
           AND outcome = 'answered'
           AND has({answer_ids:Array(String)}, answer_id)
           AND source = {source:String}
           AND ({shop:String} = 'all' OR shop_id = {shop:String})
           AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
           AND wording != ''
         GROUP BY answer_id, shop_id, wording
       )
       GROUP BY answer_id, wording
       ORDER BY answer_id, asked DESC, lengthUTF8(wording), wording
       LIMIT 1 BY answer_id`,
      { ...windowParams(range), answer_ids: [...answerIds] },
      wordingRow,
    );
    return rows.map((row) => ({ answerId: row.answer_id, shopId: row.shop_id, text: row.text, asked: row.asked }));
  }

  /**
   * The `limit` newest unmatched queries (outcome unmatched, or handoff with reason no_match) in the
   * window, with their raw text. The rollup's per-second counts bound the scan of raw rows: it starts at the
   * newest second from which on the window holds `limit` of them (the whole window when it holds fewer),
   * so a wide window under load reads seconds of rows, not minutes. Ingest writes the raw rows before the
   * view's, so the rollup can only lag, which widens the scan and never cuts it short.
   */
  async newestUnmatched(range: MetricsWindowRange, limit: number): Promise<UnmatchedRow[]> {
    const rows = await this.rows(
      `SELECT event_id, toUnixTimestamp64Milli(event_time) AS event_time_ms, shop_id, text, outcome, handoff_reason, answer_id
       FROM ${METRIC_TABLES.events}
       WHERE kind = 'question'
         AND ${UNMATCHED_QUERY}
         AND source = {source:String}
         AND ({shop:String} = 'all' OR shop_id = {shop:String})
         AND event_time < {to:DateTime64(3, 'UTC')}
         AND event_time >= greatest(
           {from:DateTime64(3, 'UTC')},
           (
             SELECT max(bucket)
             FROM
             (
               SELECT bucket, sum(sum(questions)) OVER (ORDER BY bucket DESC) AS from_here_on
               FROM ${METRIC_TABLES.questionRollup}
               WHERE ${OUTCOME_FACET}
                 AND ${UNMATCHED_QUERY}
                 AND source = {source:String}
                 AND ({shop:String} = 'all' OR shop_id = {shop:String})
                 AND bucket >= {from:DateTime64(3, 'UTC')} AND bucket < {to:DateTime64(3, 'UTC')}
               GROUP BY bucket
             )
             WHERE from_here_on >= {limit:UInt32}
           )
         )
       ORDER BY event_time DESC, event_id DESC
       LIMIT {limit:UInt32}`,
      { ...windowParams(range), limit: String(limit) },
      unmatchedRow,
    );
    return rows.map((row) => ({
      eventId: row.event_id,
      eventTimeMs: row.event_time_ms,
      shopId: row.shop_id,
      text: row.text,
      outcome: row.outcome,
      handoffReason: row.handoff_reason,
      bestCandidateId: row.answer_id,
    }));
  }

  /**
   * Sessions with a question in the window, split by whether they had a handoff (a question handed off,
   * or a handoff event), and those of each side with an order at or after their first question in the
   * window and at most 24 h after it. A session is (shop, session id). Only events inside the window are
   * read: an order that counts is after the session's first question, so it is inside the window too.
   */
  async conversion(range: MetricsWindowRange): Promise<ConversionCounts> {
    const [row] = await this.rows(
      `SELECT
         countIf(NOT handed_off) AS bot_sessions,
         countIf(NOT handed_off AND ordered) AS bot_converted,
         countIf(handed_off) AS agent_sessions,
         countIf(handed_off AND ordered) AS agent_converted
       FROM
       (
         SELECT
           minIf(event_time, kind = 'question') AS started_at,
           ${CONVERSATION_MEASURES.handedOff} AS handed_off,
           arrayExists(
             at -> at >= started_at AND at <= started_at + toIntervalHour(24),
             groupArrayIf(event_time, kind = 'order')
           ) AS ordered
         FROM ${METRIC_TABLES.events}
         WHERE kind IN ('question', 'handoff', 'order')
           AND source = {source:String}
           AND ({shop:String} = 'all' OR shop_id = {shop:String})
           AND event_time >= {from:DateTime64(3, 'UTC')} AND event_time < {to:DateTime64(3, 'UTC')}
         GROUP BY shop_id, session_id
         HAVING countIf(kind = 'question') > 0
       )`,
      windowParams(range),
      conversionRow,
    );
    return {
      botSessions: row?.bot_sessions ?? 0,
      botConverted: row?.bot_converted ?? 0,
      agentSessions: row?.agent_sessions ?? 0,
      agentConverted: row?.agent_converted ?? 0,
    };
  }

  private async rows<S extends z.ZodType>(query: string, params: Record<string, string | string[]>, row: S): Promise<z.infer<S>[]> {
    const result = await this.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
    return z.array(row).parse(await result.json());
  }
}
