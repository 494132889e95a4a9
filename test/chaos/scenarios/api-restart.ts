/**
 * Scenario 5: the api restarted under load while walls watch: each wall reconnects by itself (the wall's
 * own backoff rule) and receives fresh figures again, and ingest, which does not depend on the api, loses
 * nothing meanwhile. Then the second half (launcher-kills.ts): parts killed under npm start's launcher.
 */
import { drained, eventually, ingestProgress, sleep } from '../checks';
import { KafkaLoad, ProducedLedger } from '../load';
import { between, combine, settle, type Scenario, type ScenarioContext } from '../scenario';
import type { ScenarioResult } from '../report';
import { launcherKills } from './launcher-kills';
import { KIOSK_TOKEN, startSystem } from '../system';
import { WallClient } from '../wall-client';

const EVENTS_PER_SECOND = 100;
const WALLS = 3;
/** The wall's backoff is capped at 3 s (live-socket.ts): fresh data within this long of the api being back. */
const RECONNECTED_WITHIN_MS = 10_000;
const FRESH_MS = 3_000;

export const restarts: Scenario = {
  name: 'restarts',
  async run(context) {
    const apiHalf = await apiRestarts(context);
    context.log('second half: kill -9 of parts under npm start\'s launcher');
    return combine(apiHalf, await launcherKills(context));
  },
};

async function apiRestarts(context: ScenarioContext): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const restarts = context.set === 'full' ? 3 : 1;
  const system = await startSystem({ api: true, bot: false, appLogs: context.appLogs, log: context.log });
  const api = system.api!;
  const walls = Array.from({ length: WALLS }, () => new WallClient(api.url, KIOSK_TOKEN));
  try {
    const failures: string[] = [];
    const ledger = new ProducedLedger();
    const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
    load.start(EVENTS_PER_SECOND);
    for (const wall of walls) wall.open();
    if (!(await eventually(() => Promise.resolve(walls.every((wall) => wall.samples.length > 0)), 60_000))) {
      failures.push('not every wall got a snapshot within 60 s of the start');
    }
    for (let restart = 1; restart <= restarts; restart += 1) {
      await sleep(between(context.rng, 2_000, 5_000));
      context.log(`restarting the api (${restart}/${restarts})`);
      const stoppedAt = Date.now();
      await api.stop();
      await api.start();
      const upAt = Date.now();
      context.log(`api back after ${upAt - stoppedAt} ms`);
      const fresh = await eventually(
        () =>
          Promise.resolve(
            walls.every((wall) =>
              wall.samples.some((sample) => sample.receivedAtMs > upAt && sample.receivedAtMs - sample.asOfMs < FRESH_MS),
            ),
          ),
        RECONNECTED_WITHIN_MS,
        100,
      );
      if (!fresh) {
        const stuck = walls.filter((wall) => !wall.samples.some((sample) => sample.receivedAtMs > upAt)).length;
        failures.push(`restart ${restart}: ${stuck} of ${WALLS} walls had no fresh figures ${RECONNECTED_WITHIN_MS} ms after the api was back`);
      } else {
        const reconnectedAt = Math.max(...walls.map((wall) => wall.samples.find((sample) => sample.receivedAtMs > upAt)?.receivedAtMs ?? upAt));
        context.log(`every wall fresh again ${reconnectedAt - upAt} ms after the api was back`);
      }
    }
    await load.stop();
    failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
    if (!(await drained(system.admin, 60_000))) failures.push(`ingest did not drain within 60 s (lag ${(await ingestProgress(system.admin)).lag})`);
    return await settle(system.clickhouse, ledger, failures, context);
  } finally {
    for (const wall of walls) wall.close();
    await system.stop();
  }
}
