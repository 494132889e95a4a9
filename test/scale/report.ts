/**
 * What `test:scale` measures and the one line it prints last, pure: the report's fields, the failures they
 * amount to, and the arithmetic behind three of them (views computed per tick deployment-wide, gap claim
 * conflicts, handoffs lost), so that each can be shown to fail in a spec.
 */

/**
 * The last line of stdout. A number that could not be measured (its phase crashed, an endpoint is missing)
 * is null, and a null is a failure: nothing is reported as fine that was not seen to be fine.
 */
export interface ScaleReport {
  ingestProcesses: number;
  /** Changes of the ingest group's membership seen while one process was killed and restarted. */
  rebalances: number | null;
  eventsProduced: number | null;
  lost: number | null;
  duplicated: number | null;
  rollupMismatches: number | null;
  apiProcesses: number;
  clients: number;
  droppedClients: number | null;
  viewComputationsPerTick: number | null;
  gapClaimConflicts: number | null;
  botProcesses: number;
  handoffsLost: number | null;
}

/** What the runner knows besides the report itself, to judge it. */
export interface ScaleExpectations {
  /** Distinct views the viewers subscribed to: what one computation per view per tick comes to. */
  distinctViews: number;
  /** Kills of an ingest process: each must show up as a rebalance at least. */
  kills: number;
}

/** Every expectation the report breaks, in words; empty when the run passed. */
export function reportFailures(report: ScaleReport, expected: ScaleExpectations): string[] {
  const failures: string[] = [];
  const zeroes: (keyof ScaleReport)[] = ['lost', 'duplicated', 'rollupMismatches', 'droppedClients', 'gapClaimConflicts', 'handoffsLost'];
  for (const field of zeroes) {
    const value = report[field];
    if (value === null) failures.push(`${field} was not measured`);
    else if (value !== 0) failures.push(`${field} is ${value}, not 0`);
  }
  if (report.viewComputationsPerTick === null) failures.push('viewComputationsPerTick was not measured');
  else if (Math.abs(report.viewComputationsPerTick - expected.distinctViews) > VIEWS_PER_TICK_TOLERANCE) {
    failures.push(`viewComputationsPerTick is ${report.viewComputationsPerTick}, not the ${expected.distinctViews} distinct views`);
  }
  if (report.rebalances === null) failures.push('rebalances were not measured');
  else if (report.rebalances < expected.kills) failures.push(`${expected.kills} kills of an ingest process caused only ${report.rebalances} rebalances`);
  if (report.eventsProduced === null) failures.push('eventsProduced was not measured');
  else if (report.eventsProduced === 0) failures.push('no events were produced: the ingest checks proved nothing');
  return failures;
}

/**
 * The window's edges rarely fall on tick boundaries: a view whose tick straddles the first sample is counted
 * in one process's ticks and not yet in its computations. Far below a whole view.
 */
const VIEWS_PER_TICK_TOLERANCE = 0.05;

/** One api process's `GET /health/live-views`: cumulative counters since it started. */
export interface LiveViewsSample {
  ticks: number;
  viewComputations: number;
}

/**
 * Deployment-wide views computed per tick over a window: Δ(sum of every process's computations) /
 * Δ(sum of every process's ticks), the processes paired by position. Null when no process ticked in the
 * window (nothing measured) or a counter went backwards (a process restarted: the deltas mean nothing).
 */
export function viewComputationsPerTick(before: readonly LiveViewsSample[], after: readonly LiveViewsSample[]): number | null {
  if (before.length !== after.length || before.length === 0) return null;
  let ticks = 0;
  let computations = 0;
  for (const [index, end] of after.entries()) {
    const start = before[index]!;
    if (end.ticks < start.ticks || end.viewComputations < start.viewComputations) return null;
    ticks += end.ticks - start.ticks;
    computations += end.viewComputations - start.viewComputations;
  }
  if (ticks === 0) return null;
  return Math.round((computations / ticks) * 1000) / 1000;
}

/** Two trainers on two api processes claiming one gap at the same moment, and what every process said afterwards. */
export interface ClaimRace {
  gapId: string;
  /** HTTP status each trainer got. */
  statuses: readonly number[];
  /** The owner's login each api process shows once the claims settled (null: unclaimed, or the gap missing there). */
  ownersSeen: readonly (string | null)[];
  /** The login of the trainer whose claim got the 2xx, when exactly one did. */
  winner: string | null;
}

/**
 * A race is a conflict when both claims succeeded, or neither did, or the processes do not all show the
 * winner as the owner afterwards. The number of races that were conflicts.
 */
export function countClaimConflicts(races: readonly ClaimRace[]): number {
  return races.filter((race) => claimConflict(race) !== null).length;
}

/** What went wrong in one race, in words, or null when it was decided once. */
export function claimConflict(race: ClaimRace): string | null {
  const won = race.statuses.filter((status) => status >= 200 && status < 300).length;
  if (won > 1) return `gap ${race.gapId}: ${won} claims succeeded (${race.statuses.join(', ')})`;
  if (won === 0) return `gap ${race.gapId}: no claim succeeded (${race.statuses.join(', ')})`;
  if (race.ownersSeen.some((owner) => owner !== race.winner)) {
    return `gap ${race.gapId}: ${race.winner ?? '?'} won, the processes show ${race.ownersSeen.map((owner) => owner ?? 'nobody').join(', ')}`;
  }
  return null;
}

/** What the runner saw of the handed-off customers. */
export interface HandoffLedger {
  /** Sessions the bot said it handed off. */
  handedOff: ReadonlySet<string>;
  /** Sessions some agent's queue listed as waiting, at least once. */
  shownToAgents: ReadonlySet<string>;
  /** Sessions an agent's accept succeeded for. */
  accepted: ReadonlySet<string>;
  /** Sessions whose abandon succeeded. */
  abandoned: ReadonlySet<string>;
}

/** Handed-off sessions that no agent's queue ever showed, or that ended neither accepted nor abandoned. */
export function lostHandoffs(ledger: HandoffLedger): string[] {
  return [...ledger.handedOff].filter(
    (session) => !ledger.shownToAgents.has(session) || !(ledger.accepted.has(session) || ledger.abandoned.has(session)),
  );
}
