/** What every scenario reports, and the one summary line `test:chaos` prints last. Pure. */

export interface ScenarioResult {
  name: string;
  /** Messages the harness produced to chat.events plus questions the bot answered (each one event it produced). */
  eventsProduced: number;
  /** Produced valid event ids (and ids of answered questions) not in chat_events. */
  lost: number;
  /** Event ids stored more than once. */
  duplicated: number;
  /** Buckets of question_rollup_1s that differ from a recomputation over chat_events. */
  rollupMismatches: number;
  /** Scenario 6 only: the longest the low watermark stood still while events kept arriving. */
  badDataStallMs: number | null;
  /** Every expectation the scenario saw broken, in words; empty when it passed. */
  failures: string[];
  durationMs: number;
}

export interface ChaosSummary {
  scenarios: number;
  eventsProduced: number;
  lost: number;
  duplicated: number;
  rollupMismatches: number;
  failedScenarios: string[];
  maxBadDataStallMs: number | null;
}

export function summarise(results: readonly ScenarioResult[]): ChaosSummary {
  const stalls = results.map((result) => result.badDataStallMs).filter((stall): stall is number => stall !== null);
  const sum = (pick: (result: ScenarioResult) => number): number => results.reduce((total, result) => total + pick(result), 0);
  return {
    scenarios: results.length,
    eventsProduced: sum((result) => result.eventsProduced),
    lost: sum((result) => result.lost),
    duplicated: sum((result) => result.duplicated),
    rollupMismatches: sum((result) => result.rollupMismatches),
    failedScenarios: results.filter((result) => result.failures.length > 0).map((result) => result.name),
    maxBadDataStallMs: stalls.length === 0 ? null : Math.max(...stalls),
  };
}

/**
 * The expectations every scenario shares: nothing lost, nothing stored twice, rollups equal to the raw
 * table. Returns the broken ones in words.
 */
export function ledgerFailures(counts: { lost: number; duplicated: number; rollupMismatches: number }): string[] {
  const failures: string[] = [];
  if (counts.lost > 0) failures.push(`${counts.lost} produced valid events are not stored`);
  if (counts.duplicated > 0) failures.push(`${counts.duplicated} event ids are stored more than once`);
  if (counts.rollupMismatches > 0) failures.push(`${counts.rollupMismatches} rollup buckets differ from the raw table`);
  return failures;
}
