/**
 * Seeded randomness: every random choice of the library (SGD order, calibration folds) draws from these,
 * so a build is reproducible, and the evaluation protocol names the same generator for its split.
 */

/** A pseudo-random generator returning floats in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a tiny, well-known 32-bit PRNG. The protocol names it so a split is reproducible in any
 * language; the arithmetic below is the reference implementation (Math.imul keeps 32-bit products).
 */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle from the end (`j = floor(rng() * (i + 1))`), in place; returns the array. */
export function shuffleInPlace<T>(items: T[], rng: Rng): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const a = items[i] as T;
    items[i] = items[j] as T;
    items[j] = a;
  }
  return items;
}
