/**
 * A failure between the table and its views (issue 16): ClickHouse writes chat_events' part, then a
 * materialized view throws. The rows are in the table, not in every rollup. Ingest must retry the
 * identical INSERT (same rows, same deduplication token), which the table drops as a duplicate and the
 * failed view fills, instead of re-planning from "what is stored" and leaving the rollup short forever.
 *
 * The failing view is a real one on chat_events that throws while a flag row exists: the store's own
 * FUNCTION_THROW_IF_VALUE_IS_NON_ZERO, after the table's part was written.
 */
import { describe, expect, it } from 'vitest';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor } from '../support/pipeline';

const EVENTS = 400;

describe('ingest when a materialized view fails after the table stored the rows', () => {
  const pipeline = usePipeline();

  it('retries the identical INSERT until the view takes it: nothing doubled, the rollup equal to the table', async () => {
    const p = pipeline();
    const ingest = await p.startApp('ingest');
    const health = async () => (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { status: string; partitions: { lastError: string | null }[] };
    await p.clickhouse.command({ query: 'CREATE TABLE view_guard_flag (on UInt8) ENGINE = MergeTree ORDER BY on' });
    await p.clickhouse.command({ query: 'CREATE TABLE view_guard_sink (ok UInt8) ENGINE = MergeTree ORDER BY ok' });
    await p.clickhouse.command({
      query: `CREATE MATERIALIZED VIEW view_guard_mv TO view_guard_sink AS
              SELECT throwIf((SELECT count() FROM view_guard_flag) > 0, 'the view is told to fail') AS ok FROM chat_events`,
    });
    await p.clickhouse.insert({ table: 'view_guard_flag', values: [{ on: 1 }], format: 'JSONEachRow' });

    await p.produce(
      Array.from({ length: EVENTS }, (_, i) => {
        const event = questionEvent({ eventId: `view-${i}`, sessionId: `view-session-${i % 50}` });
        return { key: event.sessionId, value: JSON.stringify(event) };
      }),
    );
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows > 0 && (await health()).status === 'store_unavailable',
      30_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, health ${JSON.stringify(await health())}`,
    );
    expect((await health()).partitions.some((partition) => /materialized view refused/.test(partition.lastError ?? ''))).toBe(true);

    await p.clickhouse.command({ query: 'TRUNCATE TABLE view_guard_flag' });
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= EVENTS && (await health()).status === 'ok',
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, health ${JSON.stringify(await health())}`,
    );
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: EVENTS, distinct: EVENTS });
    const rollup = await p.clickhouse.query({
      query: `SELECT sum(questions) AS questions FROM question_rollup_1s WHERE facet = 'outcome'`,
      format: 'JSONEachRow',
    });
    expect(await rollup.json()).toEqual([{ questions: EVENTS }]);
    const sink = await p.clickhouse.query({ query: 'SELECT count() AS rows FROM view_guard_sink', format: 'JSONEachRow' });
    expect(await sink.json()).toEqual([{ rows: EVENTS }]);
    await ingest.stop();
  });
});
