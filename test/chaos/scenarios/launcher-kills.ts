/**
 * Scenario 5, second half: under `npm start`'s launcher, kill -9 of ingest, then of the bot: each comes
 * back by itself (a new process of that part appears) while the launcher keeps running, and the events
 * produced meanwhile are all stored once.
 */
import { createClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { drained, eventually, ingestProgress, sleep } from '../checks';
import { startLauncher, type LauncherPart, type RunningLauncher } from '../launcher';
import { KafkaLoad, ProducedLedger } from '../load';
import { between, ingestAtWork, settle, type ScenarioContext } from '../scenario';
import type { ScenarioResult } from '../report';
import { DATABASE } from '../system';

const EVENTS_PER_SECOND = 100;
const BACK_WITHIN_MS = 60_000;

export async function launcherKills(context: ScenarioContext): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const launcher = await startLauncher({ log: context.log, appLogs: context.appLogs, readyTimeoutMs: 240_000 });
  const kafka = createKafka({ brokers: launcher.brokers, clientId: 'chaos-launcher' });
  const producer = createProducer(kafka, { idempotent: true });
  const admin = kafka.admin();
  const clickhouse = createClickHouseClient({ url: launcher.storeUrl, database: DATABASE, password: launcher.storePassword() });
  try {
    await Promise.all([producer.connect(), admin.connect()]);
    const failures: string[] = [];
    const ledger = new ProducedLedger();
    const load = new KafkaLoad((messages) => sendBatch(producer, TOPICS.chatEvents.name, messages).then(() => undefined), ledger, {
      seed: between(context.rng, 1, 1e9),
      runId: context.runId,
    });
    load.start(EVENTS_PER_SECOND);
    await ingestAtWork(admin, failures);
    for (const part of ['ingest', 'bot'] as const) {
      await sleep(between(context.rng, 2_000, 5_000));
      failures.push(...(await killAndWaitForReturn(launcher, part, context)));
    }
    await sleep(2_000);
    await load.stop();
    failures.push(...load.sendErrors.map((error) => `produce failed: ${error}`));
    const exit = launcher.exitedWith();
    if (exit !== null) failures.push(`the launcher itself exited (${exit}) after its parts were killed`);
    else if (!(await drained(admin, 90_000))) failures.push(`ingest under the launcher did not drain within 90 s (lag ${(await ingestProgress(admin)).lag})`);
    // The checks read the launcher's store (the simulator's traffic is in it too: duplicates and rollups cover it).
    return await settle({ clickhouse, explain: () => `--- npm start, last lines ---\n${launcher.lastLines()}` }, ledger, failures, context);
  } finally {
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), clickhouse.close()]);
    await launcher.stop();
  }
}

async function killAndWaitForReturn(launcher: RunningLauncher, part: LauncherPart, context: ScenarioContext): Promise<string[]> {
  const victim = launcher.pidOf(part);
  if (victim === null) return [`no ${part} process found under the launcher`];
  context.log(`kill -9 ${part} (pid ${victim}) under the launcher`);
  process.kill(victim, 'SIGKILL');
  const killedAt = Date.now();
  // Back means a new process of the part that answers its health check, not merely one that was spawned.
  const back = await eventually(async () => {
    const now = launcher.pidOf(part);
    const health = now === null || now === victim ? null : launcher.healthUrlOf(part, now);
    if (health === null) return false;
    return (await fetch(health, { signal: AbortSignal.timeout(2_000) })).ok;
  }, BACK_WITHIN_MS, 200);
  if (!back) return [`${part} was not back (a new process answering its health check) within ${BACK_WITHIN_MS / 1000} s of its kill -9 (launcher: ${launcher.exitedWith() ?? 'running'})`];
  context.log(`${part} back and healthy as pid ${launcher.pidOf(part) ?? '?'} ${Date.now() - killedAt} ms after its kill -9`);
  return [];
}
