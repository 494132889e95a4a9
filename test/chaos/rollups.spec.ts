import { describe, expect, it } from 'vitest';
import { compareRollups, type RollupBucket } from './rollups';

const bucket = (key: string, questions: number, intensitySum = 0.5): RollupBucket => ({
  key,
  questions,
  answered: questions,
  botQuestions: questions,
  botAnswered: questions,
  intensitySum,
});

describe('compareRollups', () => {
  it('finds nothing when both sides agree, whatever their order', () => {
    expect(compareRollups([bucket('a', 1), bucket('b', 2)], [bucket('b', 2), bucket('a', 1)])).toEqual([]);
  });

  it('counts a bucket counted twice, one missing from the rollup and one the raw table does not have', () => {
    const mismatches = compareRollups([bucket('a', 2), bucket('extra', 1)], [bucket('a', 1), bucket('missing', 3)]);
    expect(mismatches.map((mismatch) => mismatch.key).sort()).toEqual(['a', 'extra', 'missing']);
    expect(mismatches.find((mismatch) => mismatch.key === 'missing')?.stored).toBeNull();
    expect(mismatches.find((mismatch) => mismatch.key === 'extra')?.recomputed).toBeNull();
  });

  it('tolerates float rounding in intensity sums, not a lost intensity', () => {
    expect(compareRollups([bucket('a', 3, 0.1 + 0.2 + 0.3)], [bucket('a', 3, 0.6)])).toEqual([]);
    expect(compareRollups([bucket('a', 3, 0.6)], [bucket('a', 3, 0.9)])).toHaveLength(1);
  });
});
