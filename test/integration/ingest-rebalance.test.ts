/**
 * Ingest with several members in one consumer group (issue 20): a member stalled by SIGSTOP while it holds
 * a batch, resumed after the group gave its partitions to the other member, then members killed with
 * SIGKILL and restarted while events flow. Counted in the store: no Kafka position stored twice, no event
 * lost or stored twice, and the rollups equal a recomputation from the raw table.
 */
import type { ClickHouseClient } from '@warroom/clickhouse';
import { TOPICS } from '@warroom/kafka';
import type { Admin } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { checkLedger, countRollupMismatches, drained } from '../chaos/checks';
import { ProducedLedger } from '../chaos/load';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor, type Pipeline } from '../support/pipeline';

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Produces events at about `perSecond` until stopped, recording each id in the ledger. */
function produceUntilStopped(pipeline: Pipeline, ledger: ProducedLedger, perSecond: number): { stop: () => Promise<void> } {
  let running = true;
  const batch = 100;
  const done = (async () => {
    for (let sent = 0; running; sent += batch) {
      const started = Date.now();
      const messages = Array.from({ length: batch }, (_, i) => {
        const event = questionEvent({ eventId: `rebalance-${sent + i}`, sessionId: `s-${(sent + i) % 1009}` });
        ledger.validIds.add(event.eventId);
        return { key: event.sessionId, value: JSON.stringify(event) };
      });
      await pipeline.produce(messages);
      await sleep(Math.max(0, (batch / perSecond) * 1000 - (Date.now() - started)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

/** Kafka positions (partition, offset) the raw table holds more than once. */
async function positionsStoredTwice(clickhouse: ClickHouseClient): Promise<number> {
  const result = await clickhouse.query({
    query: `SELECT count() AS positions FROM
              (SELECT kafka_partition, kafka_offset FROM chat_events WHERE kafka_topic = {topic:String}
               GROUP BY kafka_partition, kafka_offset HAVING count() > 1)`,
    query_params: { topic: TOPICS.chatEvents.name },
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ positions: string }>();
  return Number(row?.positions ?? 0);
}

async function pauseProcess(app: AppProcess): Promise<void> {
  process.kill(app.pid, 'SIGSTOP');
  // The signal is delivered asynchronously; a moment later the process is certainly stopped.
  await sleep(100);
}

describe('ingest members of one group across rebalances', () => {
  const pipeline = usePipeline();

  it('stores every event once when a stalled member resumes after losing its partitions, and across kill/restart rebalances', async () => {
    const p = pipeline();
    const admin: Admin = p.kafka.admin();
    await admin.connect();
    const ledger = new ProducedLedger();
    const members: AppProcess[] = await Promise.all([p.startApp('ingest'), p.startApp('ingest')]);
    const producing = produceUntilStopped(p, ledger, 1_000);
    let stalled: AppProcess | null = null;
    try {
      // Both members own partitions and store rounds.
      await sleep(4_000);

      // The store freezes with the members' INSERTs pending and their next rounds filling; one member
      // stalls while it holds them; the store comes back.
      p.store.pause();
      await sleep(1_500);
      stalled = members[0]!;
      await pauseProcess(stalled);
      p.store.resume();

      // The group expires the stalled member and the other one stores everything produced so far,
      // the stalled member's partitions included.
      expect(await drained(admin, 120_000)).toBe(true);

      // The stalled member resumes with its rounds in hand.
      process.kill(stalled.pid, 'SIGCONT');
      stalled = null;
      await sleep(3_000);

      // Rebalances by crash and restart while events flow.
      for (const index of [1, 0]) {
        await members[index]!.kill();
        members[index] = await p.startApp('ingest');
        await sleep(2_000);
      }
    } finally {
      if (stalled) process.kill(stalled.pid, 'SIGCONT');
      await producing.stop();
    }

    const total = ledger.validIds.size;
    expect(await drained(admin, 120_000)).toBe(true);
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).distinct >= total,
      30_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${total}`,
    );
    // Late rounds of a former owner would land now, if at all.
    await sleep(2_000);
    await admin.disconnect();

    const ledgerCheck = await checkLedger(p.clickhouse, ledger);
    const rollups = await countRollupMismatches(p.clickhouse);
    const result = {
      produced: total,
      stored: await storedCounts(p.clickhouse),
      positionsStoredTwice: await positionsStoredTwice(p.clickhouse),
      lost: ledgerCheck.lost,
      duplicated: ledgerCheck.duplicated,
      rollupMismatches: rollups.mismatches,
      rollupSample: rollups.sample,
    };
    expect(result).toEqual({
      produced: total,
      stored: { rows: total, distinct: total },
      positionsStoredTwice: 0,
      lost: 0,
      duplicated: 0,
      rollupMismatches: 0,
      rollupSample: [],
    });
    await Promise.all(members.map((member) => member.stop()));
  }, 360_000);
});
