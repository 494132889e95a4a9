/** Scenario 1: kill -9 of ingest at random moments under load, 10 times in a row (3 in the CI set). */
import { drained, ingestProgress, sleep } from '../checks';
import { KafkaLoad, ProducedLedger } from '../load';
import { between, ingestAtWork, settle, type Scenario } from '../scenario';
import { startSystem } from '../system';

const EVENTS_PER_SECOND = 300;

export const ingestKills: Scenario = {
  name: 'ingest-kill-9',
  async run(context) {
    const kills = context.set === 'full' ? 10 : 3;
    const system = await startSystem({ api: false, bot: false, appLogs: context.appLogs, log: context.log });
    try {
      const failures: string[] = [];
      const ledger = new ProducedLedger();
      const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
      load.start(EVENTS_PER_SECOND);
      for (let kill = 1; kill <= kills; kill += 1) {
        // A random moment while ingest is at work: once it stores again after its (re)start, then 0–3 s more.
        await ingestAtWork(system.admin, failures);
        await sleep(between(context.rng, 0, 3_000));
        context.log(`kill -9 ingest (${kill}/${kills}), lag ${(await ingestProgress(system.admin)).lag}`);
        await system.ingest.crash();
        await system.ingest.start();
      }
      await sleep(2_000);
      await load.stop();
      failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
      context.log('load stopped; waiting for ingest to drain');
      if (!(await drained(system.admin, 120_000))) failures.push(`ingest did not drain within 120 s (lag ${(await ingestProgress(system.admin)).lag})`);
      return await settle(system, ledger, failures, context);
    } finally {
      await system.stop();
    }
  },
};
