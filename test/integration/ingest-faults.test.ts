/**
 * Ingest under faults (issue 4): SIGKILL at random moments while events flow, and the store frozen for
 * 20 s mid-stream. Both must end with every event stored exactly once.
 */
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../apps/sim/src/traffic';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor, type Pipeline } from '../support/pipeline';

/** Produces `total` events in batches at about `perSecond`, returning the ids sent. */
async function produceSteadily(pipeline: Pipeline, prefix: string, total: number, perSecond: number): Promise<number> {
  const batch = 500;
  for (let sent = 0; sent < total; sent += batch) {
    const started = Date.now();
    const messages = Array.from({ length: Math.min(batch, total - sent) }, (_, i) => {
      const event = questionEvent({ eventId: `${prefix}-${sent + i}`, sessionId: `s-${(sent + i) % 3001}` });
      return { key: event.sessionId, value: JSON.stringify(event) };
    });
    await pipeline.produce(messages);
    await new Promise((done) => setTimeout(done, Math.max(0, (batch / perSecond) * 1000 - (Date.now() - started))));
  }
  return total;
}

describe('ingest under faults', () => {
  const pipeline = usePipeline();

  it('loses and duplicates nothing when killed with SIGKILL three times mid-stream', async () => {
    const p = pipeline();
    const rng = mulberry32(20261111);
    let ingest: AppProcess = await p.startApp('ingest');
    const total = 40_000;
    const producing = produceSteadily(p, 'kill', total, 2_000);
    for (let crash = 0; crash < 3; crash += 1) {
      // A random moment within the next 1–4 s of flow.
      await new Promise((done) => setTimeout(done, 1_000 + rng() * 3_000));
      await ingest.kill();
      ingest = await p.startApp('ingest');
    }
    await producing;
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= total,
      120_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${total}`,
    );
    await new Promise((done) => setTimeout(done, 1_500));
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: total, distinct: total });
    await ingest.stop();
  });

  it('loses and duplicates nothing when the store is frozen for 20 s, then drains the lag', async () => {
    const p = pipeline();
    const before = (await storedCounts(p.clickhouse)).rows;
    const ingest = await p.startApp('ingest');
    const total = 30_000;
    const producing = produceSteadily(p, 'pause', total, 2_000);
    await new Promise((done) => setTimeout(done, 2_000));
    p.store.pause();
    await new Promise((done) => setTimeout(done, 20_000));
    p.store.resume();
    await producing;
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= before + total,
      120_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, expected ${before + total}`,
    );
    await new Promise((done) => setTimeout(done, 1_500));
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: before + total, distinct: before + total });

    // The health endpoint reports the lag drained on every partition.
    await waitFor(
      async () => {
        const health = (await (await fetch(`${ingest.url}/health/ingest`)).json()) as { partitions: { lag: number | null }[] };
        return health.partitions.length > 0 && health.partitions.every((partition) => partition.lag === 0);
      },
      30_000,
      async () => JSON.stringify(await (await fetch(`${ingest.url}/health/ingest`)).json()),
    );
    await ingest.stop();
  });
});
