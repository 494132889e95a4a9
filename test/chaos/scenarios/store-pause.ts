/**
 * Scenario 2: the store frozen (SIGSTOP) under load, 60 s (15 s in the CI set): ingest stores nothing
 * meanwhile, the wall's freshness grows with the outage, and after SIGCONT the backlog drains and the
 * wall is fresh again.
 */
import { drained, eventually, ingestProgress, sleep } from '../checks';
import { KafkaLoad, ProducedLedger } from '../load';
import { between, ingestAtWork, settle, type Scenario } from '../scenario';
import { maxFreshnessMs } from '../stall';
import { KIOSK_TOKEN, startSystem } from '../system';
import { WallClient } from '../wall-client';

const EVENTS_PER_SECOND = 200;
/** The wall turns red at 10 s (README): an outage must show at least that. */
const RED_FRESHNESS_MS = 10_000;
const FRESH_MS = 3_000;

export const storePause: Scenario = {
  name: 'store-pause',
  async run(context) {
    const pauseMs = context.set === 'full' ? 60_000 : 15_000;
    const system = await startSystem({ api: true, bot: false, appLogs: context.appLogs, log: context.log });
    const wall = new WallClient(system.api!.url, KIOSK_TOKEN);
    try {
      const failures: string[] = [];
      const ledger = new ProducedLedger();
      const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
      load.start(EVENTS_PER_SECOND);
      wall.open();
      if (!(await eventually(() => Promise.resolve(wall.samples.length > 0), 60_000))) failures.push('the wall got no snapshot within 60 s of the start');
      await ingestAtWork(system.admin, failures);
      await sleep(2_000);

      context.log(`SIGSTOP store for ${pauseMs / 1000} s`);
      const pausedAt = Date.now();
      system.store.pause();
      // INSERTs already on the wire when the store froze may still be committed a moment later.
      await sleep(3_000);
      const committedEarly = (await ingestProgress(system.admin)).committed;
      await sleep(pauseMs - 3_000);
      const atResume = await ingestProgress(system.admin);
      const resumedAt = Date.now();
      system.store.resume();
      const freshnessAtResume = maxFreshnessMs(wall.samples, pausedAt, resumedAt);
      context.log(`SIGCONT store: backlog ${atResume.lag} events, the wall's freshness reached ${freshnessAtResume} ms`);
      if (atResume.committed !== committedEarly) failures.push(`ingest committed ${atResume.committed - committedEarly} offsets while the store was frozen`);
      const staleEnough = Math.min(RED_FRESHNESS_MS, pauseMs - 3_000);
      if (freshnessAtResume < staleEnough) failures.push(`the wall's freshness reached only ${freshnessAtResume} ms during a ${pauseMs} ms store outage`);

      const drainedInTime = await drained(system.admin, 120_000);
      if (!drainedInTime) failures.push(`the backlog did not drain within 120 s of SIGCONT (lag ${(await ingestProgress(system.admin)).lag})`);
      else context.log(`backlog drained ${Date.now() - resumedAt} ms after SIGCONT`);
      const freshAgain = await eventually(() => {
        const newest = wall.samples[wall.samples.length - 1];
        return Promise.resolve(newest !== undefined && newest.receivedAtMs > resumedAt && newest.receivedAtMs - newest.asOfMs < FRESH_MS);
      }, 60_000);
      if (!freshAgain) failures.push(`the wall was not fresh (< ${FRESH_MS} ms) again within 60 s after the backlog drained`);
      else context.log(`the wall is fresh again ${Date.now() - resumedAt} ms after SIGCONT`);
      await load.stop();
      failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
      if (!(await drained(system.admin, 60_000))) failures.push('ingest did not drain after the load stopped');
      return await settle(system, ledger, failures, context);
    } finally {
      wall.close();
      await system.stop();
    }
  },
};
