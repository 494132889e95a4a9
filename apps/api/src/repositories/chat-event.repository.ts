import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { z } from 'zod';
import { CHAT_EVENT_COLUMNS, toCompactRow, type ChatEventRow } from './chat-event-row';
import { CLICKHOUSE } from './clickhouse.provider';

const countRow = z.object({ rows: z.coerce.number().int().nonnegative() });
const seenRow = z.object({ event_id: z.string(), time: z.string() });
const idRow = z.object({ event_id: z.string() });

/** The raw events table: ingest's inserts and the offsets it has stored. */
@Injectable()
export class ChatEventRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /**
   * Highest Kafka offset stored per partition of `topic`. Answered by the `kafka_progress` projection,
   * which is written in the same part as the rows, so it can never run ahead of or behind them.
   */
  async storedOffsets(topic: string): Promise<Map<number, bigint>> {
    const result = await this.clickhouse.query({
      query: `SELECT kafka_partition AS partition, toString(max(kafka_offset)) AS offset
              FROM chat_events WHERE kafka_topic = {topic:String} GROUP BY kafka_partition`,
      query_params: { topic },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ partition: number; offset: string }>();
    return new Map(rows.map((row) => [Number(row.partition), BigInt(row.offset)]));
  }

  /**
   * One atomic INSERT (the rows of one table partition). The deduplication token makes a retry of the
   * same rows (say, after a timeout whose insert had in fact landed) a no-op, and a second INSERT under a
   * token the table has seen, within its deduplication window, is dropped whatever its rows (ingest names
   * its INSERTs by where they continue a Kafka partition); dependent materialized views dedupe with it.
   */
  async insertRows(rows: ChatEventRow[], deduplicationToken: string): Promise<void> {
    await this.clickhouse.insert({
      table: 'chat_events',
      // Arrays, not objects: the store parses them markedly faster (measured on the dev store: 10,000 rows
      // in 172 ms instead of 314 ms), and the body is less than half the size.
      values: rows.map(toCompactRow),
      format: 'JSONCompactEachRow',
      columns: [...CHAT_EVENT_COLUMNS],
      clickhouse_settings: {
        insert_deduplicate: 1,
        insert_deduplication_token: deduplicationToken,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        // The rows (one table partition) must be parsed as one block, hence written as one part: that is
        // what makes the INSERT atomic.
        max_insert_block_size: String(Math.max(rows.length, 1_048_576)),
      },
    });
  }

  /**
   * Whether the table holds `row` from its Kafka position: asked after an INSERT failed, since a materialized
   * view can fail after the table's part was written. Looked up by the sorting key, so it reads one granule.
   */
  async holds(row: ChatEventRow): Promise<boolean> {
    const result = await this.clickhouse.query({
      query: `SELECT count() AS rows FROM chat_events
              WHERE source = {source:String} AND shop_id = {shop:String}
                AND event_time = {time:DateTime64(3, 'UTC')} AND event_id = {id:String}
                AND kafka_topic = {topic:String} AND kafka_partition = {partition:UInt16} AND kafka_offset = {offset:UInt64}`,
      query_params: {
        source: row.source,
        shop: row.shop_id,
        time: row.event_time,
        id: row.event_id,
        topic: row.kafka_topic,
        partition: row.kafka_partition,
        offset: row.kafka_offset,
      },
      format: 'JSONEachRow',
    });
    const [count] = await result.json<unknown>();
    return countRow.parse(count).rows > 0;
  }

  /**
   * Ids and event times ('YYYY-MM-DD hh:mm:ss.sss') of `partition`'s events with an event time from `since`
   * on, newest first, at most `limit`: what ingest's memory of delivered events is warmed with.
   */
  async recentEventIds(topic: string, partition: number, since: string, limit: number): Promise<[id: string, eventTime: string][]> {
    const result = await this.clickhouse.query({
      // Not aliased `event_time`: ClickHouse would read the alias, a String, in the WHERE clause.
      query: `SELECT event_id, toString(event_time) AS time FROM chat_events
              WHERE kafka_topic = {topic:String} AND kafka_partition = {partition:UInt16}
                AND event_time >= {since:DateTime64(3, 'UTC')}
              ORDER BY event_time DESC LIMIT {limit:UInt32}`,
      query_params: { topic, partition, since, limit },
      format: 'JSONEachRow',
    });
    return (await result.json<unknown>()).map((row) => {
      const parsed = seenRow.parse(row);
      return [parsed.event_id, parsed.time];
    });
  }

  /** Which of `ids` the table holds, whatever their partition, looking at event times from `from` to `to`. */
  async storedEventIds(topic: string, ids: readonly string[], from: string, to: string): Promise<Set<string>> {
    const stored = new Set<string>();
    for (const group of urlSizedGroups([...new Set(ids)])) {
      const result = await this.clickhouse.query({
        query: `SELECT DISTINCT event_id FROM chat_events
                WHERE kafka_topic = {topic:String}
                  AND event_time BETWEEN {from:DateTime64(3, 'UTC')} AND {to:DateTime64(3, 'UTC')}
                  AND event_id IN {ids:Array(String)}`,
        query_params: { topic, ids: group, from, to },
        format: 'JSONEachRow',
      });
      for (const row of await result.json<unknown>()) stored.add(idRow.parse(row).event_id);
    }
    return stored;
  }
}

/**
 * Query parameters travel in the URL, which servers bound (Node's HTTP server, the dev store's, at 16 KiB of
 * headers): ids in groups of at most URL_PARAMS_MAX_BYTES once URL-encoded.
 */
const URL_PARAMS_MAX_BYTES = 8 * 1024;

export function urlSizedGroups(ids: readonly string[]): string[][] {
  const groups: string[][] = [];
  let group: string[] = [];
  let bytes = 0;
  for (const id of ids) {
    // Quoted and comma-separated inside the array literal.
    const size = encodeURIComponent(id).length + 9;
    if (group.length > 0 && bytes + size > URL_PARAMS_MAX_BYTES) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(id);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
