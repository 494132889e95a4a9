/**
 * Phase 1: three ingest processes in one consumer group while events flow; one of them, picked at random,
 * is killed (kill -9) and restarted five times, each time once the group has settled again with all three
 * holding partitions. Then lost, duplicated and rollup mismatches are counted in the store, as test:chaos does.
 */
import { drained, eventually, ingestProgress, sleep } from '../chaos/checks';
import { KafkaLoad, ProducedLedger } from '../chaos/load';
import { between, ingestAtWork, settle, type ScenarioContext } from '../chaos/scenario';
import { INGEST_GROUP_ID, RestartablePart, startSystem, type System } from '../chaos/system';
import { GroupWatch } from './group-watch';

export const INGEST_PROCESSES = 3;
export const INGEST_KILLS = 5;
const EVENTS_PER_SECOND = 300;
/** A restart under load, plus the session timeout that frees the dead member's partitions, plus the rebalance itself. */
const SETTLE_TIMEOUT_MS = 120_000;

export interface IngestPhaseResult {
  rebalances: number | null;
  eventsProduced: number;
  lost: number;
  duplicated: number;
  rollupMismatches: number;
  failures: string[];
}

export async function ingestPhase(context: ScenarioContext): Promise<IngestPhaseResult> {
  const system = await startSystem({ api: false, bot: false, appLogs: context.appLogs, log: context.log });
  const others = Array.from(
    { length: INGEST_PROCESSES - 1 },
    (_, n) => new RestartablePart(`ingest-${n + 2}`, 'apps/api/src/main.ts', ingestEnv(system), context.appLogs),
  );
  const ingests = [system.ingest, ...others];
  const explain = (): string => [system.explain(), ...others.map((part) => `--- ${part.name}, last lines ---\n${part.lastLines()}`)].join('\n');
  const watch = new GroupWatch(system.admin);
  try {
    await Promise.all(others.map((part) => part.start()));
    const failures: string[] = [];
    const ledger = new ProducedLedger();
    const load = new KafkaLoad((messages) => system.produce(messages), ledger, { seed: between(context.rng, 1, 1e9), runId: context.runId });
    load.start(EVENTS_PER_SECOND);
    watch.start();
    if (!(await eventually(() => Promise.resolve(watch.settledWith(INGEST_PROCESSES)), SETTLE_TIMEOUT_MS, 200))) {
      failures.push(`the ${INGEST_PROCESSES} ingest processes did not all hold partitions within ${SETTLE_TIMEOUT_MS} ms (${JSON.stringify(watch.latest)})`);
    }
    const changesBefore = watch.membershipChanges;
    for (let kill = 1; kill <= INGEST_KILLS; kill += 1) {
      await ingestAtWork(system.admin, failures);
      await sleep(between(context.rng, 0, 3_000));
      const victim = ingests[Math.floor(context.rng() * ingests.length)]!;
      const membersBefore = (watch.latest?.members ?? []).join(',');
      context.log(`kill -9 ${victim.name} (${kill}/${INGEST_KILLS}), lag ${(await ingestProgress(system.admin)).lag}`);
      await victim.crash();
      await victim.start();
      // Settled again: three members, each holding partitions, and not the set that held them before the kill.
      const rebalanced = await eventually(
        () => Promise.resolve(watch.settledWith(INGEST_PROCESSES) && watch.latest?.members.join(',') !== membersBefore),
        SETTLE_TIMEOUT_MS,
        200,
      );
      if (!rebalanced) failures.push(`kill ${kill}: the group did not settle with ${INGEST_PROCESSES} members holding partitions within ${SETTLE_TIMEOUT_MS} ms`);
    }
    await sleep(2_000);
    await load.stop();
    await watch.stop();
    failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
    if (watch.errors.length > 0) failures.push(`describing the ingest group failed ${watch.errors.length} times, e.g. ${watch.errors[0] ?? ''}`);
    const rebalances = watch.latest === null ? null : watch.membershipChanges - changesBefore;
    context.log(`load stopped after ${rebalances ?? 'unmeasured'} membership changes; waiting for ingest to drain`);
    if (!(await drained(system.admin, 120_000))) failures.push(`ingest did not drain within 120 s (lag ${(await ingestProgress(system.admin)).lag})`);
    const checked = await settle({ clickhouse: system.clickhouse, explain }, ledger, failures, context);
    return { rebalances, eventsProduced: checked.eventsProduced, lost: checked.lost, duplicated: checked.duplicated, rollupMismatches: checked.rollupMismatches, failures: checked.failures };
  } finally {
    await watch.stop();
    await Promise.allSettled(others.map((part) => part.stop()));
    await system.stop();
  }
}

/** The environment the chaos system gives its ingest, for the other members of the same group. */
function ingestEnv(system: System): Record<string, string> {
  return {
    KAFKA_BROKERS: system.broker.brokers,
    CLICKHOUSE_URL: system.store.url,
    LOG_LEVEL: 'warn',
    WARROOM_ROLES: 'ingest',
    PORT: '0',
    INGEST_GROUP_ID,
  };
}
