import { describe, expect, it } from 'vitest';
import { SparseSoftmax } from './classifier';
import type { SparseVector } from './sparse';
import { mulberry32 } from './random';

const vec = (pairs: [number, number][]): SparseVector => ({ ids: pairs.map(([id]) => id), values: pairs.map(([, v]) => v) });

function trained(): SparseSoftmax {
  // Features 0-2 belong to class 0, 3-5 to class 1, feature 6 to both; class 2 only has feature 7.
  const model = new SparseSoftmax({ epochs: 30, learningRate: 0.5, decay: 0.1, dropout: 0, maxSteps: 1e6 });
  for (let c = 0; c < 4; c++) model.addClass();
  const data = [
    { x: vec([[0, 1], [1, 1], [6, 1]]), label: 0 },
    { x: vec([[1, 1], [2, 1]]), label: 0 },
    { x: vec([[3, 1], [4, 1], [6, 1]]), label: 1 },
    { x: vec([[4, 1], [5, 1]]), label: 1 },
    { x: vec([[7, 1]]), label: 2 },
  ];
  for (const d of data) model.extendSupport(d.label, d.x);
  model.train(data, 30, mulberry32(1), 10);
  return model;
}

describe('SparseSoftmax', () => {
  it('computes the exact softmax over every class from the touched ones (untouched classes share `rest`)', () => {
    const model = trained();
    const post = model.posterior(vec([[0, 1], [6, 1]]), 10);
    const touched = Array.from(post.classes.slice(0, post.count));
    expect(touched.sort()).toEqual([0, 1]);
    const total = Array.from(post.probs.slice(0, post.count)).reduce((a, b) => a + b, 0) + post.rest * (4 - post.count);
    expect(total).toBeCloseTo(1, 12);
    const p0 = post.probs[touched.indexOf(0)] as number;
    expect(p0).toBeGreaterThan(0.5);
    // A query that touches nothing is uniform over the live classes.
    const none = model.posterior(vec([[99, 1]]), 10);
    expect(none.count).toBe(0);
    expect(none.rest).toBeCloseTo(1 / 4, 12);
  });

  it('skips features supported by more classes than the cap', () => {
    const model = trained();
    // Feature 6 is supported by classes 0 and 1: with a cap of 1 it counts for neither.
    const post = model.posterior(vec([[6, 1]]), 1);
    expect(post.count).toBe(0);
    expect(model.posterior(vec([[6, 1]]), 2).count).toBe(2);
  });

  it('drops a removed class from the softmax and resets a class to zero weights', () => {
    const model = trained();
    model.removeClass(1);
    const post = model.posterior(vec([[3, 1], [4, 1]]), 10);
    expect(post.count).toBe(0);
    expect(post.rest).toBeCloseTo(1 / 3, 12);
    model.resetClass(0);
    const reset = model.posterior(vec([[0, 1], [1, 1]]), 10);
    expect(reset.count).toBe(1);
    expect(reset.probs[0]).toBeCloseTo(1 / 3, 12);
    expect(model.neighbours(vec([[0, 1], [7, 1]]), 10)).toEqual(new Set([0, 2]));
  });

  it('bounds the SGD steps of one training (maxSteps)', () => {
    let steps = 0;
    const model = new SparseSoftmax({ epochs: 50, learningRate: 0.5, decay: 0.1, dropout: 0, maxSteps: 100 });
    model.addClass();
    const x = vec([[0, 1]]);
    model.extendSupport(0, x);
    const rng = mulberry32(1);
    model.train(
      Array.from({ length: 20 }, () => ({ x, label: 0 })),
      50,
      () => {
        steps++;
        return rng();
      },
      10,
    );
    // 20 examples, at most 100 steps: 5 passes, each shuffling 20 items (19 draws).
    expect(steps).toBe(5 * 19);
  });
});
