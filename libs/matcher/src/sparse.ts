/** A sparse vector by feature id: parallel arrays of ids and values (the matcher's and classifier's). */
export interface SparseVector {
  ids: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Sparse vectors (feature → weight), as the matcher's representation produces them. */
export type SparseMap = Map<string, number>;

/** `v` scaled to unit length (the zero vector stays zero). */
export function unitVector(v: SparseMap): SparseMap {
  let s = 0;
  for (const w of v.values()) s += w * w;
  const n = Math.sqrt(s) || 1;
  const out: SparseMap = new Map();
  for (const [k, w] of v) out.set(k, w / n);
  return out;
}

/** Dot product, iterating the smaller vector. */
export function sparseDot(a: SparseMap, b: SparseMap): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [k, w] of small) {
    const x = large.get(k);
    if (x !== undefined) s += w * x;
  }
  return s;
}
