/**
 * When `npm start` restarts a part that died (pure, so the rule is tested without processes): at once is
 * too soon for a part that dies at start (a bad store, a port still taken), forever-growing waits are too
 * slow for one that crashed once on a long night. So the wait doubles from `initialDelayMs` up to
 * `maxDelayMs` while the part keeps dying, and starts again from `initialDelayMs` once it stayed up for
 * `stableAfterMs`.
 */

export interface RestartPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** A part that ran this long before dying counts as having recovered: its next wait is the first again. */
  stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/** What the supervisor remembers of a part between its deaths. */
export interface RestartHistory {
  /** Deaths in a row, each after a run shorter than `stableAfterMs`. */
  crashesInARow: number;
}

export const NO_RESTARTS: RestartHistory = { crashesInARow: 0 };

export interface RestartDecision {
  delayMs: number;
  history: RestartHistory;
}

/** The wait before restarting a part that just died after running `upMs`, and the history after it. */
export function nextRestart(history: RestartHistory, upMs: number, policy: RestartPolicy = DEFAULT_RESTART_POLICY): RestartDecision {
  const crashesBefore = upMs >= policy.stableAfterMs ? 0 : history.crashesInARow;
  // The exponent is capped so that the doubling cannot overflow to Infinity on a part that dies for days.
  const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(crashesBefore, 30));
  return { delayMs, history: { crashesInARow: crashesBefore + 1 } };
}
