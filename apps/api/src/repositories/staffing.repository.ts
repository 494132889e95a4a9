import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { EventSource } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';
import { CONVERSATION_MEASURES, METRIC_TABLES, OUTCOME_FACET, QUESTION_MEASURES } from './metric-sql';

/**
 * A report range: [from, to) by event time, both on whole seconds (the rollup's buckets), cut into intervals
 * of `intervalMs` starting at `from`.
 */
export interface StaffingRange {
  /** Shop id, or 'all'. */
  shop: string;
  source: EventSource;
  from: Date;
  to: Date;
  intervalMs: number;
}

/** What one interval measured; intervals where nothing happened are absent. */
export interface IntervalCounts {
  /** 0-based: the interval starts at from + index × intervalMs. */
  index: number;
  conversations: number;
  /** Conversations handed off (`CONVERSATION_MEASURES`), counted at their first handoff: the report's handoffs. */
  conversationsHandedOff: number;
  handledChats: number;
  /** Σ handling time of the handled chats, seconds. */
  handleSecSum: number;
  abandons: number;
  botQuestions: number;
  botAnswered: number;
}

/** An `agent_end` this long after the range still closes a chat accepted inside it. */
const HANDLED_CHAT_END_GRACE_MS = 12 * 3_600_000;

/** Counts arrive as JSON numbers (output_format_json_quote_64bit_integers is 0) or, from some servers, as strings. */
const quantity = z.coerce.number().nonnegative();
const index = z.coerce.number().int().nonnegative();

const sessionRow = z.object({
  idx: index,
  conversations: quantity,
  conversations_handed_off: quantity,
  handled_chats: quantity,
  handle_ms_sum: quantity,
  abandons: quantity,
});
const questionRow = z.object({ idx: index, bot_questions: quantity, bot_answered: quantity });
const rosterRow = z.object({ start_ms: z.coerce.number().int(), agents: z.coerce.number().int().nonnegative() });
const onShiftRow = z.object({ minutes: z.coerce.number().int(), agents: z.coerce.number().int().nonnegative() });

/** Whose roster: a shop (or 'all') of a source, in intervals of `intervalMs`. */
export interface RosterScope {
  source: EventSource;
  shop: string;
  intervalMs: number;
}

/**
 * The inputs of the staffing reports (definitions in libs/contracts/src/staffing.ts). The per-session
 * figures are read from the raw `chat_events` (no rollup keeps sessions); hit rate's terms from the
 * question rollup, as the wall reads them (metric-sql.ts). Every value is a typed parameter.
 */
@Injectable()
export class StaffingRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Conversations, those handed off, handled chats with their handling time, abandons and hit rate's terms per interval. */
  async intervalCounts(range: StaffingRange): Promise<IntervalCounts[]> {
    const params = {
      source: range.source,
      shop: range.shop,
      from: toClickHouseTime(range.from.toISOString()),
      to: toClickHouseTime(range.to.toISOString()),
      end_until: toClickHouseTime(new Date(range.to.getTime() + HANDLED_CHAT_END_GRACE_MS).toISOString()),
      from_ms: String(range.from.getTime()),
      step_ms: String(range.intervalMs),
    };
    // Per session (shop, session id): when it first asked, was first handed off, was first accepted (and
    // how long until the first end after that accept), first abandoned; then each of those moments is
    // counted in its interval. Only agent_end rows are read past `to`.
    const sessions = this.rows(
      `SELECT
         intDiv(toUnixTimestamp64Milli(item.2) - {from_ms:Int64}, {step_ms:Int64}) AS idx,
         countIf(item.1 = 'conversation') AS conversations,
         countIf(item.1 = 'handoff') AS conversations_handed_off,
         countIf(item.1 = 'handled') AS handled_chats,
         sumIf(item.3, item.1 = 'handled') AS handle_ms_sum,
         countIf(item.1 = 'abandon') AS abandons
       FROM
       (
         SELECT
           arrayJoin(arrayConcat(
             if(asked, [('conversation', asked_at, toInt64(0))], []),
             if(handed_off, [('handoff', handed_off_at, toInt64(0))], []),
             if(accepted AND length(ends) > 0,
                [('handled', accepted_at, toUnixTimestamp64Milli(arrayMin(ends)) - toUnixTimestamp64Milli(accepted_at))],
                []),
             if(abandoned, [('abandon', abandoned_at, toInt64(0))], [])
           )) AS item
         FROM
         (
           SELECT
             countIf(kind = 'question') > 0 AS asked,
             minIf(event_time, kind = 'question') AS asked_at,
             ${CONVERSATION_MEASURES.handedOff} AS handed_off,
             ${CONVERSATION_MEASURES.handedOffAt} AS handed_off_at,
             countIf(kind = 'agent_accept') > 0 AS accepted,
             minIf(event_time, kind = 'agent_accept') AS accepted_at,
             arrayFilter(at -> at >= accepted_at, groupArrayIf(event_time, kind = 'agent_end')) AS ends,
             countIf(kind = 'abandon') > 0 AS abandoned,
             minIf(event_time, kind = 'abandon') AS abandoned_at
           FROM ${METRIC_TABLES.events}
           WHERE kind IN ('question', 'handoff', 'agent_accept', 'agent_end', 'abandon')
             AND source = {source:String}
             AND ({shop:String} = 'all' OR shop_id = {shop:String})
             AND event_time >= {from:DateTime64(3, 'UTC')}
             AND (event_time < {to:DateTime64(3, 'UTC')}
                  OR (kind = 'agent_end' AND event_time < {end_until:DateTime64(3, 'UTC')}))
           GROUP BY shop_id, session_id
         )
       )
       GROUP BY idx
       ORDER BY idx`,
      params,
      sessionRow,
    );
    // Hit rate's terms per interval, from the rollup's 1-second buckets: a range starts and ends on whole
    // seconds (interval boundaries), so a question's bucket is in the range exactly when the question is.
    const questions = this.rows(
      `SELECT
         intDiv(toInt64(toUnixTimestamp(bucket)) * 1000 - {from_ms:Int64}, {step_ms:Int64}) AS idx,
         sum(${QUESTION_MEASURES.botModeQuestions}) AS bot_questions,
         sum(${QUESTION_MEASURES.botAnswered}) AS bot_answered
       FROM ${METRIC_TABLES.questionRollup}
       WHERE ${OUTCOME_FACET}
         AND source = {source:String}
         AND ({shop:String} = 'all' OR shop_id = {shop:String})
         AND bucket >= {from:DateTime64(3, 'UTC')} AND bucket < {to:DateTime64(3, 'UTC')}
       GROUP BY idx
       ORDER BY idx`,
      params,
      questionRow,
    );
    const byIndex = new Map<number, IntervalCounts>();
    const at = (idx: number): IntervalCounts => {
      let counts = byIndex.get(idx);
      if (!counts) {
        counts = { index: idx, conversations: 0, conversationsHandedOff: 0, handledChats: 0, handleSecSum: 0, abandons: 0, botQuestions: 0, botAnswered: 0 };
        byIndex.set(idx, counts);
      }
      return counts;
    };
    const [sessionRows, questionRows] = await Promise.all([sessions, questions]);
    for (const row of sessionRows) {
      Object.assign(at(row.idx), {
        conversations: row.conversations,
        conversationsHandedOff: row.conversations_handed_off,
        handledChats: row.handled_chats,
        handleSecSum: row.handle_ms_sum / 1000,
        abandons: row.abandons,
      });
    }
    for (const row of questionRows) Object.assign(at(row.idx), { botQuestions: row.bot_questions, botAnswered: row.bot_answered });
    return [...byIndex.values()].sort((a, b) => a.index - b.index);
  }

  /** Stores roster entries (agents on shift per interval start); an interval stored again is replaced. */
  async storeRoster(scope: RosterScope, entries: { intervalStartMs: number; agents: number }[], version: number): Promise<void> {
    await this.clickhouse.insert({
      table: 'staffing_rosters',
      values: entries.map((entry) => ({
        source: scope.source,
        shop_id: scope.shop,
        interval_minutes: scope.intervalMs / 60_000,
        interval_start: toClickHouseTime(new Date(entry.intervalStartMs).toISOString()),
        agents: entry.agents,
        version: String(version),
      })),
      format: 'JSONEachRow',
    });
  }

  /** The stored roster of [from, to): agents on shift by interval start (epoch ms), newest upload of each. */
  async roster(scope: RosterScope, from: Date, to: Date): Promise<Map<number, number>> {
    const rows = await this.rows(
      `SELECT toUnixTimestamp64Milli(interval_start) AS start_ms, agents
       FROM staffing_rosters
       WHERE source = {source:String} AND shop_id = {shop:String} AND interval_minutes = {minutes:UInt16}
         AND interval_start >= {from:DateTime64(3, 'UTC')} AND interval_start < {to:DateTime64(3, 'UTC')}
       ORDER BY version DESC
       LIMIT 1 BY interval_start`,
      {
        source: scope.source,
        shop: scope.shop,
        minutes: String(scope.intervalMs / 60_000),
        from: toClickHouseTime(from.toISOString()),
        to: toClickHouseTime(to.toISOString()),
      },
      rosterRow,
    );
    return new Map(rows.map((row) => [row.start_ms, row.agents]));
  }

  /** Agents on shift at `at` by the stored roster: its quarter-hour if stored, else its hour; null when neither is. */
  async onShiftAt(scope: Omit<RosterScope, 'intervalMs'>, at: Date): Promise<number | null> {
    const quarter = Math.floor(at.getTime() / 900_000) * 900_000;
    const hour = Math.floor(at.getTime() / 3_600_000) * 3_600_000;
    const rows = await this.rows(
      `SELECT interval_minutes AS minutes, agents
       FROM staffing_rosters
       WHERE source = {source:String} AND shop_id = {shop:String}
         AND ((interval_minutes = 15 AND interval_start = {quarter:DateTime64(3, 'UTC')})
              OR (interval_minutes = 60 AND interval_start = {hour:DateTime64(3, 'UTC')}))
       ORDER BY version DESC
       LIMIT 1 BY interval_minutes`,
      {
        source: scope.source,
        shop: scope.shop,
        quarter: toClickHouseTime(new Date(quarter).toISOString()),
        hour: toClickHouseTime(new Date(hour).toISOString()),
      },
      onShiftRow,
    );
    const byMinutes = new Map(rows.map((row) => [row.minutes, row.agents]));
    return byMinutes.get(15) ?? byMinutes.get(60) ?? null;
  }

  /** The clock, here so that tests can swap it with the rest of the outside world. */
  now(): Date {
    return new Date();
  }

  private async rows<S extends z.ZodType>(query: string, params: Record<string, string>, row: S): Promise<z.infer<S>[]> {
    const result = await this.clickhouse.query({ query, query_params: params, format: 'JSONEachRow' });
    return z.array(row).parse(await result.json());
  }
}
