/**
 * Phase 1: three ingest processes in one consumer group while events flow; one of them, picked at random,
 * is killed (kill -9) and restarted five times, each time once the group has settled again with all three
 * holding partitions (as their Kafka clients log their assignments). Then lost, duplicated and rollup
 * mismatches are counted in the store, as test:chaos does.
 */
import { drained, eventually, ingestProgress, sleep } from '../chaos/checks';
import { KafkaLoad, ProducedLedger } from '../chaos/load';
import { between, ingestAtWork, settle, type ScenarioContext } from '../chaos/scenario';
import { TOPICS } from '@warroom/kafka';
import { INGEST_GROUP_ID, RestartablePart, startSystem, type System } from '../chaos/system';
import { AssignmentLedger, assignmentIn } from './assignments';

export const INGEST_PROCESSES = 3;
export const INGEST_KILLS = 5;
/** Events a second while the processes die and rebalance (the CI form's fewer keep its drain short). */
const EVENTS_PER_SECOND = { full: 300, ci: 150 } as const;
/** The level at which ingest's Kafka client logs each assignment it gets (kafkajs reads KAFKAJS_LOG_LEVEL over its configured level). */
const ASSIGNMENTS_LOG_LEVEL = 'info';
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
  const ledger = new AssignmentLedger(TOPICS.chatEvents.partitions);
  const watchAssignments =
    (name: string) =>
    (line: string): void => {
      const partitions = assignmentIn(line, INGEST_GROUP_ID, TOPICS.chatEvents.name);
      if (partitions === null) return;
      ledger.assigned(name, partitions);
      context.log(`${name} assigned ${partitions.length} partitions; ${ledger.complete() ? `every partition held once (${ledger.rebalances} rebalances)` : 'not every partition held once yet'}`);
    };
  const system = await startSystem({
    api: false,
    bot: false,
    appLogs: context.appLogs,
    log: context.log,
    ingestEnv: { KAFKAJS_LOG_LEVEL: ASSIGNMENTS_LOG_LEVEL },
    onIngestLine: watchAssignments('ingest'),
  });
  const others = Array.from({ length: INGEST_PROCESSES - 1 }, (_, n) => {
    const name = `ingest-${n + 2}`;
    return new RestartablePart(name, 'apps/api/src/main.ts', ingestEnv(system), context.appLogs, watchAssignments(name));
  });
  const ingests = [system.ingest, ...others];
  const explain = (): string => [system.explain(), ...others.map((part) => `--- ${part.name}, last lines ---\n${part.lastLines()}`)].join('\n');
  /** Settled: every partition held once, by all three processes. */
  const settled = (): boolean => ledger.complete() && ledger.holders().length === INGEST_PROCESSES;
  let livenessRestarts = 0;
  /**
   * The orchestrator's liveness probe (infra/k8s/base/ingest.yaml): a process whose consumer gave up
   * answers 503 on /health/ingest and is restarted. Said on stderr with its reason, never hidden.
   */
  const reviveFailed = async (): Promise<void> => {
    for (const part of ingests) {
      const response = await fetch(`${part.url}/health/ingest`, { signal: AbortSignal.timeout(5_000) });
      await response.body?.cancel();
      if (response.status !== 503) continue;
      const reason = part.lastLines().split('\n').filter((line) => /crash/i.test(line)).pop() ?? 'no crash line kept';
      context.log(`liveness: ${part.name} answers 503 (its consumer gave up: ${reason.slice(0, 300)}); restarting it`);
      livenessRestarts += 1;
      await part.crash();
      ledger.gone(part.name);
      await part.start();
    }
  };
  /** Waits until the group settled (reviving failed processes meanwhile) and `also` holds. */
  const settles = (also: () => boolean): Promise<boolean> =>
    eventually(
      async () => {
        await reviveFailed();
        return settled() && also();
      },
      SETTLE_TIMEOUT_MS,
      500,
    );
  try {
    await Promise.all(others.map((part) => part.start()));
    const failures: string[] = [];
    const produced = new ProducedLedger();
    const load = new KafkaLoad((messages) => system.produce(messages), produced, { seed: between(context.rng, 1, 1e9), runId: context.runId });
    load.start(EVENTS_PER_SECOND[context.set]);
    context.log(`${INGEST_PROCESSES} ingest processes up; waiting for each to hold partitions`);
    if (!(await settles(() => true))) {
      failures.push(`the ${INGEST_PROCESSES} ingest processes did not all hold partitions within ${SETTLE_TIMEOUT_MS} ms (${ledger.describe() || 'none announced'})`);
    }
    const rebalancesBefore = ledger.rebalances;
    for (let kill = 1; kill <= INGEST_KILLS; kill += 1) {
      await ingestAtWork(system.admin, failures);
      await sleep(between(context.rng, 0, 3_000));
      const victim = ingests[Math.floor(context.rng() * ingests.length)]!;
      const rebalancesAtKill = ledger.rebalances;
      context.log(`kill -9 ${victim.name} (${kill}/${INGEST_KILLS}), lag ${(await ingestProgress(system.admin)).lag}`);
      await victim.crash();
      ledger.gone(victim.name);
      await victim.start();
      context.log(`${victim.name} is back; waiting for the group to settle`);
      // Settled again, by all three, after the group reassigned the partitions at least once.
      const rebalanced = await settles(() => ledger.rebalances > rebalancesAtKill);
      if (!rebalanced) failures.push(`kill ${kill}: the group did not settle with ${INGEST_PROCESSES} processes holding partitions within ${SETTLE_TIMEOUT_MS} ms (${ledger.describe()})`);
    }
    await sleep(2_000);
    await load.stop();
    failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
    const rebalances = ledger.rebalances - rebalancesBefore;
    context.log(`load stopped after ${rebalances} rebalances (${livenessRestarts} restarts by the liveness probe); waiting for ingest to drain`);
    if (!(await drained(system.admin, 120_000))) failures.push(`ingest did not drain within 120 s (lag ${(await ingestProgress(system.admin)).lag})`);
    const checked = await settle({ clickhouse: system.clickhouse, explain }, produced, failures, context);
    return { rebalances, eventsProduced: checked.eventsProduced, lost: checked.lost, duplicated: checked.duplicated, rollupMismatches: checked.rollupMismatches, failures: checked.failures };
  } finally {
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
    KAFKAJS_LOG_LEVEL: ASSIGNMENTS_LOG_LEVEL,
    WARROOM_ROLES: 'ingest',
    PORT: '0',
    INGEST_GROUP_ID,
  };
}
