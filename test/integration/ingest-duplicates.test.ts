/**
 * An event delivered twice counts once (issue 16): the bot's spool delivers at least once, so the same
 * event (same id, same session, so the same partition) can reach Kafka twice, minutes apart or across an
 * ingest restart. The table and the rollups must hold it once.
 */
import type { ChatEvent } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor, type Pipeline } from '../support/pipeline';

const SESSION = 'twice-delivered-session';

describe('ingest of events delivered twice', () => {
  const pipeline = usePipeline();

  async function produce(p: Pipeline, events: ChatEvent[]): Promise<void> {
    await p.produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
  }

  async function waitStored(p: Pipeline, ingest: AppProcess, id: string): Promise<void> {
    await waitFor(
      async () => {
        const result = await p.clickhouse.query({
          query: 'SELECT count() AS n FROM chat_events WHERE event_id = {id:String}',
          query_params: { id },
          format: 'JSONEachRow',
        });
        return ((await result.json<{ n: number }>())[0]?.n ?? 0) > 0;
      },
      30_000,
      async () => `${id} not stored; health ${JSON.stringify(await (await fetch(`${ingest.url}/health/ingest`)).json())}`,
    );
  }

  async function rollupQuestions(p: Pipeline): Promise<number> {
    const result = await p.clickhouse.query({
      query: `SELECT sum(questions) AS questions FROM question_rollup_1s WHERE facet = 'outcome'`,
      format: 'JSONEachRow',
    });
    return Number((await result.json<{ questions: number }>())[0]?.questions ?? 0);
  }

  it('stores it once, in the same run, across a restart, and beyond the memory horizon, and the rollup counts it once', async () => {
    const p = pipeline();
    const recent = questionEvent({ eventId: 'twice-recent', sessionId: SESSION });
    // Older than ingest's 5-minute memory: after a restart only the store knows it.
    const old = questionEvent({ eventId: 'twice-old', sessionId: SESSION, eventTime: new Date(Date.now() - 20 * 60_000).toISOString() });
    const marker = (n: number) => questionEvent({ eventId: `marker-${n}`, sessionId: SESSION });

    let ingest = await p.startApp('ingest');
    await produce(p, [recent, old, marker(1)]);
    await waitStored(p, ingest, 'marker-1');
    // Delivered again by the same running ingest, then once more within one batch.
    await produce(p, [recent, old, marker(2), marker(2)]);
    await waitStored(p, ingest, 'marker-2');
    const health = (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { duplicatesSkipped: number; deadLettered: number };
    expect(health).toMatchObject({ duplicatesSkipped: 3, deadLettered: 0 });
    await ingest.stop();

    // A new ingest process: its memory is warmed from the store, the old event is asked of the store.
    ingest = await p.startApp('ingest');
    await produce(p, [recent, old, marker(3)]);
    await waitStored(p, ingest, 'marker-3');
    await new Promise((done) => setTimeout(done, 1_000));
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: 5, distinct: 5 });
    expect(await rollupQuestions(p)).toBe(5);
    const after = (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { duplicatesSkipped: number; status: string };
    // Two, plus the first run's last duplicate when it is fetched again (it was committed, not stored).
    expect(after.status).toBe('ok');
    expect(after.duplicatesSkipped).toBeGreaterThanOrEqual(2);
    await ingest.stop();
  });
});
