import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { emotionNameSchema, eventSourceSchema, stageSchema } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';
import { LIFECYCLE_ACTIONS, type AnsweredInput, type DecidedLifecycleRecord, type GapInput } from './gap-records';
import { UNMATCHED_QUERY } from './metric-sql';

/** Rows of `chat_events` read from a position, and the newest insert time among them (epoch ms). */
export interface Batch<T> {
  rows: T[];
  maxIngestedAt: number | null;
}

/**
 * Where rows are read from: event time at or after `from` (the primary key and the monthly partitions
 * prune on it), inserted at or after `ingestedFrom` (ClickHouse's own insert time, which the min-max index
 * of migration 0006 prunes on: what is new since the last read). Both epoch ms.
 */
export interface ReadPosition {
  from: number;
  ingestedFrom: number;
}

/** A row's place in the order ingest stored the rows: insert time, then event time and id. */
export interface StoredKey {
  ingestedAt: number;
  eventTime: number;
  eventId: string;
}

const ms = z.coerce.number();
const gapRow = z.object({
  event_id: z.string(),
  t: ms,
  source: eventSourceSchema,
  shop_id: z.string(),
  kind: z.enum(['question', 'agent_flag']),
  text: z.string(),
  outcome: z.string(),
  stage: z.union([stageSchema, z.literal('')]),
  sku: z.string(),
  emotion: z.union([emotionNameSchema, z.literal('')]),
  answer_id: z.string(),
  score: z.coerce.number(),
  ref_event_id: z.string(),
  ingested: ms,
});
const answeredRow = z.object({
  event_id: z.string(),
  t: ms,
  source: eventSourceSchema,
  shop_id: z.string(),
  text: z.string(),
  answer_id: z.string(),
  answer_revision: z.coerce.number().int(),
  ingested: ms,
});
const lifecycleRow = z.object({
  action_id: z.string(),
  source: eventSourceSchema,
  shop_id: z.string(),
  gap_id: z.string(),
  action: z.enum(LIFECYCLE_ACTIONS),
  at: ms,
  actor_user_id: z.string(),
  actor_login: z.string(),
  reason: z.string(),
  target: z.string(),
  answer_id: z.string(),
  revision: z.coerce.number().int(),
  ref_event_id: z.string(),
  log_offset: z.coerce.number().int(),
});

/** Questions that belong in gaps: unmatched queries (DESIGN.md) and agents' flags. */
const GAP_ROWS = `(kind = 'question' AND ${UNMATCHED_QUERY}) OR kind = 'agent_flag'`;

/** The gaps' inputs in `chat_events`, and their lifecycle in `gap_lifecycle` (migration 0006). */
@Injectable()
export class GapsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /**
   * Unmatched queries and flags in the order ingest stored them (insert time, then event time and id):
   * the order the running api took them in, so a rebuild replays it. At most `limit` rows after `after`
   * (keyset paging, so a long rebuild never holds more than a page).
   */
  async gapInputs(position: ReadPosition, limit: number, after?: StoredKey): Promise<Batch<{ key: StoredKey; input: GapInput }>> {
    const result = await this.clickhouse.query({
      query: `SELECT event_id, toUnixTimestamp64Milli(event_time) AS t, source, shop_id, kind, text, outcome, stage, sku,
                     emotion, answer_id, score, ref_event_id, toUnixTimestamp64Milli(ingested_at) AS ingested
              FROM chat_events
              WHERE event_time >= {from:DateTime64(3, 'UTC')}
                AND ingested_at >= {ingestedFrom:DateTime64(3, 'UTC')}
                AND (${GAP_ROWS})
                AND (ingested_at, event_time, event_id) > ({afterIngested:DateTime64(3, 'UTC')}, {afterT:DateTime64(3, 'UTC')}, {afterId:String})
              ORDER BY ingested_at, event_time, event_id
              LIMIT {limit:UInt32}`,
      query_params: {
        ...positionParams(position),
        afterIngested: toClickHouseTime(new Date(after?.ingestedAt ?? 0).toISOString()),
        afterT: toClickHouseTime(new Date(after?.eventTime ?? 0).toISOString()),
        afterId: after?.eventId ?? '',
        limit: String(limit),
      },
      format: 'JSONEachRow',
    });
    const rows = z.array(gapRow).parse(await result.json());
    return {
      maxIngestedAt: maxOf(rows.map((row) => row.ingested)),
      rows: rows.map((row) => ({
        key: { ingestedAt: row.ingested, eventTime: row.t, eventId: row.event_id },
        input: {
          eventId: row.event_id,
          eventTime: row.t,
          source: row.source,
          shopId: row.shop_id,
          kind: row.kind,
          text: row.text,
          handoff: row.outcome === 'handoff',
          stage: row.stage === '' ? null : row.stage,
          sku: row.sku === '' ? null : row.sku,
          emotion: row.emotion === '' ? null : row.emotion,
          candidate: row.kind === 'question' && row.answer_id !== '' ? { answerId: row.answer_id, score: Math.min(1, Math.max(0, row.score)) } : null,
          questionEventId: row.kind === 'agent_flag' && row.ref_event_id !== '' ? row.ref_event_id : null,
        },
      })),
    };
  }

  /** Questions answered by one of `answerIds`: the candidates for verifying published gaps. */
  async answeredBy(answerIds: readonly string[], position: ReadPosition): Promise<Batch<AnsweredInput>> {
    if (answerIds.length === 0) return { rows: [], maxIngestedAt: null };
    const result = await this.clickhouse.query({
      query: `SELECT event_id, toUnixTimestamp64Milli(event_time) AS t, source, shop_id, text, answer_id, answer_revision,
                     toUnixTimestamp64Milli(ingested_at) AS ingested
              FROM chat_events
              WHERE event_time >= {from:DateTime64(3, 'UTC')}
                AND ingested_at >= {ingestedFrom:DateTime64(3, 'UTC')}
                AND kind = 'question' AND outcome = 'answered' AND answer_id IN {answerIds:Array(String)}
              ORDER BY ingested_at, event_time, event_id`,
      query_params: { ...positionParams(position), answerIds: [...answerIds] },
      format: 'JSONEachRow',
    });
    const rows = z.array(answeredRow).parse(await result.json());
    return {
      maxIngestedAt: maxOf(rows.map((row) => row.ingested)),
      rows: rows.map((row) => ({
        eventId: row.event_id,
        eventTime: row.t,
        source: row.source,
        shopId: row.shop_id,
        text: row.text,
        answerId: row.answer_id,
        revision: row.answer_revision,
      })),
    };
  }

  /** Questions of a source and shop answered with `answerId` at `minRevision` or later, asked at or after `since`. */
  async countAnswered(filter: { source: string; shopId: string; answerId: string; minRevision: number; since: Date }): Promise<number> {
    const result = await this.clickhouse.query({
      query: `SELECT count() AS answered
              FROM chat_events
              WHERE source = {source:String} AND shop_id = {shop:String}
                AND event_time >= {since:DateTime64(3, 'UTC')}
                AND kind = 'question' AND outcome = 'answered'
                AND answer_id = {answerId:String} AND answer_revision >= {minRevision:UInt32}`,
      query_params: { source: filter.source, shop: filter.shopId, since: toClickHouseTime(filter.since.toISOString()), answerId: filter.answerId, minRevision: filter.minRevision },
      format: 'JSONEachRow',
    });
    const [row] = z.array(z.object({ answered: z.coerce.number().int().nonnegative() })).parse(await result.json());
    return row?.answered ?? 0;
  }

  /**
   * The highest `gap.lifecycle` offset stored, -1 when none. Every process stores its decisions in log
   * order, so every decision below it is stored too: a restart follows the log after it.
   */
  async lastLogOffset(): Promise<number> {
    const result = await this.clickhouse.query({
      // max() of no rows is 0, which would skip offset 0: an empty table is -1.
      query: `SELECT ifNull(maxOrNull(log_offset), -1) AS last FROM gap_lifecycle`,
      format: 'JSONEachRow',
    });
    const [row] = z.array(z.object({ last: z.coerce.number().int() })).parse(await result.json());
    return row?.last ?? -1;
  }

  /**
   * Lifecycle changes made at or after `from` (epoch ms) and decided at or before the log offset
   * `through`, each once, in the order they were decided (rows from before the log first, by time).
   */
  async lifecycleSince(from: number, through: number): Promise<DecidedLifecycleRecord[]> {
    const result = await this.clickhouse.query({
      query: `SELECT action_id, source, shop_id, gap_id, action, toUnixTimestamp64Milli(at) AS at, actor_user_id, actor_login,
                     reason, target, answer_id, revision, ref_event_id, log_offset
              FROM gap_lifecycle
              WHERE at >= {from:DateTime64(3, 'UTC')} AND log_offset <= {through:Int64}
              ORDER BY log_offset >= 0, log_offset, at, recorded_at, action_id
              LIMIT 1 BY action_id`,
      query_params: { from: toClickHouseTime(new Date(from).toISOString()), through },
      format: 'JSONEachRow',
    });
    return z
      .array(lifecycleRow)
      .parse(await result.json())
      .map((row) => ({
        actionId: row.action_id,
        source: row.source,
        shopId: row.shop_id,
        gapId: row.gap_id,
        action: row.action,
        at: row.at,
        actor: row.actor_user_id === '' ? null : { userId: row.actor_user_id, login: row.actor_login },
        reason: row.reason,
        target: row.target,
        answerId: row.answer_id,
        revision: row.revision,
        refEventId: row.ref_event_id,
        logOffset: row.log_offset,
      }));
  }

  /**
   * Stores one decided change. Every api process that applied it stores it, under its action id as the
   * deduplication token, so the store keeps it once; a retry is a no-op too.
   */
  async appendLifecycle(record: DecidedLifecycleRecord): Promise<void> {
    await this.clickhouse.insert({
      table: 'gap_lifecycle',
      values: [
        {
          action_id: record.actionId,
          source: record.source,
          shop_id: record.shopId,
          gap_id: record.gapId,
          action: record.action,
          at: toClickHouseTime(new Date(record.at).toISOString()),
          actor_user_id: record.actor?.userId ?? '',
          actor_login: record.actor?.login ?? '',
          reason: record.reason,
          target: record.target,
          answer_id: record.answerId,
          revision: record.revision,
          ref_event_id: record.refEventId,
          log_offset: record.logOffset,
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplicate: 1, insert_deduplication_token: record.actionId },
    });
  }
}

function positionParams(position: ReadPosition): Record<string, string> {
  return {
    from: toClickHouseTime(new Date(position.from).toISOString()),
    ingestedFrom: toClickHouseTime(new Date(position.ingestedFrom).toISOString()),
  };
}

function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => Math.max(a, b));
}
