import { describe, expect, it } from 'vitest';
import { mulberry32, shuffleInPlace } from './random';

describe('mulberry32', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(Array.from({ length: 1000 }, () => b())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  it('produces the reference stream (the evaluation split depends on it)', () => {
    const r = mulberry32(42);
    expect(r()).toBeCloseTo(0.6011037519201636, 15);
    expect(r()).toBeCloseTo(0.44829055899754167, 15);
    expect(r()).toBeCloseTo(0.8524657934904099, 15);
  });
});

describe('shuffleInPlace (Fisher-Yates from the end)', () => {
  it('swaps i with floor(rng() * (i + 1)) for i from the end', () => {
    // rng() = 0 always picks j = 0: [a b c d] -> [d b c a] -> [c b d a] -> [b c d a].
    expect(shuffleInPlace(['a', 'b', 'c', 'd'], () => 0)).toEqual(['b', 'c', 'd', 'a']);
    // rng() close to 1 always picks j = i: nothing moves.
    expect(shuffleInPlace([1, 2, 3, 4], () => 0.999999)).toEqual([1, 2, 3, 4]);
  });

  it('returns a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = shuffleInPlace([...items], mulberry32(7));
    expect([...shuffled].sort((x, y) => x - y)).toEqual(items);
    expect(shuffled).not.toEqual(items);
  });
});
