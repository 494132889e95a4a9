/** What a scenario is given and what it hands back, and the checks every scenario ends with. */
import type { ClickHouseClient } from '@warroom/clickhouse';
import type { Admin } from 'kafkajs';
import { checkLedger, countRollupMismatches, eventually, ingestProgress } from './checks';
import type { ProducedLedger } from './load';
import { ledgerFailures, type ScenarioResult } from './report';

/** `ci`: the same scenarios with shorter pauses and fewer kills, within CI's 8 minutes. `full`: the numbers. */
export type ChaosSet = 'ci' | 'full';

export interface ScenarioContext {
  set: ChaosSet;
  /** Seeds every random choice of the run (kill moments, hostile messages), so a failure can be replayed. */
  rng: () => number;
  runId: string;
  appLogs: boolean;
  /** Progress on stderr: the phase, prefixed with the scenario and the time since it started. */
  log: (phase: string) => void;
}

export interface Scenario {
  name: string;
  run(context: ScenarioContext): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>>;
}

/**
 * The end of every scenario: lost and duplicated event ids and rollup mismatches, read from the store,
 * added to the failures the scenario saw itself.
 */
export async function settle(
  system: { clickhouse: ClickHouseClient; explain?: () => string },
  ledger: ProducedLedger,
  failures: string[],
  context: ScenarioContext,
  badDataStallMs: number | null = null,
): Promise<Omit<ScenarioResult, 'name' | 'durationMs'>> {
  const counts = await checkLedger(system.clickhouse, ledger);
  const rollups = await countRollupMismatches(system.clickhouse);
  context.log(
    `checked: ${ledger.eventsProduced} produced, ${ledger.validIds.size} valid ids, lost ${counts.lost}, duplicated ${counts.duplicated}, ` +
      `rollup mismatches ${rollups.mismatches}`,
  );
  if (counts.lostSample.length > 0) context.log(`lost, e.g. ${counts.lostSample.join(', ')}`);
  if (rollups.sample.length > 0) context.log(`rollup mismatches, e.g. ${rollups.sample.join('; ')}`);
  const allFailures = [...failures, ...ledgerFailures({ lost: counts.lost, duplicated: counts.duplicated, rollupMismatches: rollups.mismatches })];
  if (allFailures.length > 0 && system.explain) context.log(`what the parts said last:\n${system.explain()}`);
  return {
    eventsProduced: ledger.eventsProduced,
    lost: counts.lost,
    duplicated: counts.duplicated,
    rollupMismatches: rollups.mismatches,
    badDataStallMs,
    failures: allFailures,
  };
}

/** A whole number of ms in [fromMs, toMs), from the run's seeded random numbers. */
export function between(rng: () => number, fromMs: number, toMs: number): number {
  return Math.floor(fromMs + rng() * (toMs - fromMs));
}

/** One scenario's halves as one result: counts added, failures kept in order. */
export function combine(...parts: Omit<ScenarioResult, 'name' | 'durationMs'>[]): Omit<ScenarioResult, 'name' | 'durationMs'> {
  const stalls = parts.map((part) => part.badDataStallMs).filter((stall): stall is number => stall !== null);
  return {
    eventsProduced: parts.reduce((sum, part) => sum + part.eventsProduced, 0),
    lost: parts.reduce((sum, part) => sum + part.lost, 0),
    duplicated: parts.reduce((sum, part) => sum + part.duplicated, 0),
    rollupMismatches: parts.reduce((sum, part) => sum + part.rollupMismatches, 0),
    badDataStallMs: stalls.length === 0 ? null : Math.max(...stalls),
    failures: parts.flatMap((part) => part.failures),
  };
}

/** Waits until ingest stores again (its committed offsets move), so a fault hits a pipeline at work, not one still joining its group. */
export async function ingestAtWork(admin: Admin, failures: string[]): Promise<void> {
  const before = (await ingestProgress(admin)).committed;
  if (!(await eventually(async () => (await ingestProgress(admin)).committed > before, 60_000, 200))) {
    failures.push('ingest stored nothing for 60 s under load before the fault');
  }
}
