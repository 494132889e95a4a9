/**
 * Pure pieces of bench:query: how many rows each minute of a campaign gets on a traffic curve, cumulative
 * shares for picking a category from a uniform number, and percentiles of timings.
 */

/**
 * Rows per minute proportional to `weights` (one per minute), whole numbers that add up to exactly `rows`:
 * each minute gets the rounded running total minus what the minutes before it got, so rounding never drifts.
 */
export function rowsPerMinute(weights: readonly number[], rows: number): number[] {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`rows must be a whole number >= 0, got ${rows}`);
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (weights.length === 0 || !(total > 0) || weights.some((weight) => weight < 0)) {
    throw new Error('weights must be non-negative with a positive sum');
  }
  const counts: number[] = [];
  let running = 0;
  let given = 0;
  for (const weight of weights) {
    running += weight;
    const target = Math.round((running / total) * rows);
    counts.push(target - given);
    given = target;
  }
  return counts;
}

/** Running totals: element i is the sum of counts[0..i]. */
export function cumulative(counts: readonly number[]): number[] {
  const totals: number[] = [];
  let sum = 0;
  for (const count of counts) {
    sum += count;
    totals.push(sum);
  }
  return totals;
}

/**
 * Upper bounds of each category's share of [0, 1), for `arrayFirstIndex(bound -> bound > r, bounds)` with r
 * uniform in [0, 1): the last bound is above 1 so that rounding can never leave r without a category.
 */
export function shareBounds(shares: readonly number[]): number[] {
  const total = shares.reduce((sum, share) => sum + share, 0);
  if (shares.length === 0 || !(total > 0) || shares.some((share) => share < 0)) {
    throw new Error('shares must be non-negative with a positive sum');
  }
  const bounds = cumulative(shares).map((sum) => sum / total);
  bounds[bounds.length - 1] = 2;
  return bounds;
}

/** The nearest-rank percentile `p` (0–100] of `samples`. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('no samples');
  if (!(p > 0 && p <= 100)) throw new Error(`percentile must be in (0, 100], got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}
