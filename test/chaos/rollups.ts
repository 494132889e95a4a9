/**
 * The rollup check, pure: question_rollup_1s as stored (summed over its key, as every reader sums it)
 * against the same buckets recomputed from the raw table. A bucket that exists on one side only, or
 * whose measures differ, is one mismatch.
 */

/** One bucket of question_rollup_1s: its key and its measures. */
export interface RollupBucket {
  key: string;
  questions: number;
  answered: number;
  botQuestions: number;
  botAnswered: number;
  intensitySum: number;
}

export interface RollupMismatch {
  key: string;
  stored: RollupBucket | null;
  recomputed: RollupBucket | null;
}

/**
 * Intensities are Float32 in the raw table and summed as Float64 on both sides, in whatever order the
 * store adds them: sums of the same values may differ in their last bits, never by this much.
 */
const INTENSITY_TOLERANCE = 1e-6;

export function compareRollups(stored: readonly RollupBucket[], recomputed: readonly RollupBucket[]): RollupMismatch[] {
  const expected = new Map(recomputed.map((bucket) => [bucket.key, bucket]));
  const mismatches: RollupMismatch[] = [];
  for (const bucket of stored) {
    const twin = expected.get(bucket.key);
    expected.delete(bucket.key);
    if (!twin || !sameMeasures(bucket, twin)) mismatches.push({ key: bucket.key, stored: bucket, recomputed: twin ?? null });
  }
  for (const missing of expected.values()) mismatches.push({ key: missing.key, stored: null, recomputed: missing });
  return mismatches;
}

function sameMeasures(a: RollupBucket, b: RollupBucket): boolean {
  return (
    a.questions === b.questions &&
    a.answered === b.answered &&
    a.botQuestions === b.botQuestions &&
    a.botAnswered === b.botAnswered &&
    Math.abs(a.intensitySum - b.intensitySum) <= INTENSITY_TOLERANCE * Math.max(1, Math.abs(b.intensitySum))
  );
}
