import { describe, expect, it } from 'vitest';
import { findOffsetHoles } from './offset-holes';

describe('findOffsetHoles', () => {
  it('finds nothing in contiguous offsets, nor in offsets already handled', () => {
    expect(findOffsetHoles(10n, ['10', '11', '12'])).toEqual([]);
    expect(findOffsetHoles(12n, ['10', '11', '12', '13'])).toEqual([]);
    expect(findOffsetHoles(0n, [])).toEqual([]);
  });

  it('finds the jump from the expected offset and the jumps inside the batch', () => {
    expect(findOffsetHoles(0n, ['5', '6'])).toEqual([{ first: 0n, last: 4n }]);
    expect(findOffsetHoles(10n, ['8', '9', '10', '14', '15', '20'])).toEqual([
      { first: 11n, last: 13n },
      { first: 16n, last: 19n },
    ]);
  });
});
