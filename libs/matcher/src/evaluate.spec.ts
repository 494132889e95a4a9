import { describe, expect, it } from 'vitest';
import { adjustedRandIndex, auroc, operatingPoint, purity, splitKnowledgeBase } from './evaluate';
import { mulberry32 } from './random';

describe('splitKnowledgeBase', () => {
  const rows = [
    { id: 5, text: 'a', intent: 'x' },
    { id: 1, text: 'b', intent: 'y' },
    { id: 3, text: 'c', intent: 'x' },
    { id: 2, text: 'd', intent: 'x' },
    { id: 4, text: 'e', intent: 'y' },
  ];

  it('puts the first ceil(n/2) shuffled ids of each intent in the KB, intents in order of appearance', () => {
    const split = splitKnowledgeBase(rows, () => 0.999999); // identity shuffle: ids stay ascending
    expect([...split.kb.keys()]).toEqual(['x', 'y']);
    expect(split.kb.get('x')).toEqual([2, 3]);
    expect(split.queries.get('x')).toEqual([5]);
    expect(split.kb.get('y')).toEqual([1]);
    expect(split.queries.get('y')).toEqual([4]);
  });

  it('uses one stream for the whole file', () => {
    const a = splitKnowledgeBase(rows, mulberry32(42));
    const b = splitKnowledgeBase(rows, mulberry32(42));
    expect(a).toEqual(b);
  });
});

describe('auroc', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one, 0.5 for all ties', () => {
    expect(auroc([0.9, 0.8, 0.2, 0.1], [true, true, false, false])).toBe(1);
    expect(auroc([0.1, 0.2, 0.8, 0.9], [true, true, false, false])).toBe(0);
    expect(auroc([0.5, 0.5, 0.5, 0.5], [true, false, true, false])).toBe(0.5);
  });

  it('matches the textbook example', () => {
    // scikit-learn's roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.75
    expect(auroc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBeCloseTo(0.75, 12);
  });

  it('is NaN with a single class', () => {
    expect(auroc([0.1, 0.2], [true, true])).toBeNaN();
  });
});

describe('adjustedRandIndex and purity', () => {
  it('is 1 for the same partition under other labels', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b', 'c'], [7, 7, 3, 3, 9])).toBe(1);
  });

  it('matches known values', () => {
    // scikit-learn: adjusted_rand_score([0, 0, 1, 1], [0, 0, 1, 2]) = 0.571428...
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 0, 1, 2])).toBeCloseTo(4 / 7, 12);
    // adjusted_rand_score([0, 0, 1, 1], [0, 1, 0, 1]) = -0.5
    expect(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1])).toBeCloseTo(-0.5, 12);
  });

  it('purity counts the majority label of every cluster', () => {
    expect(purity(['x', 'x', 'y', 'y'], [0, 0, 0, 1])).toBe(0.75);
    expect(purity(['x', 'y', 'z'], [0, 1, 2])).toBe(1);
  });
});

describe('operatingPoint', () => {
  it('takes the lowest threshold whose answered queries reach the target precision', () => {
    const items = [
      { confidence: 0.9, known: true, correct: true },
      { confidence: 0.8, known: true, correct: true },
      { confidence: 0.7, known: false, correct: false },
      { confidence: 0.6, known: true, correct: true },
      { confidence: 0.5, known: true, correct: true },
      { confidence: 0.4, known: false, correct: false },
      { confidence: 0.3, known: true, correct: false },
    ];
    // At 0.5: 4 of 5 answered are right (0.8); at 0.6: 3 of 4 (0.75); at 0.8: 2 of 2.
    const op = operatingPoint(items, 0.8);
    expect(op.threshold).toBe(0.5);
    expect(op.coverage).toBeCloseTo(4 / 5, 12);
    expect(op.flagged).toBeCloseTo(1 / 2, 12);
    expect(operatingPoint(items, 0.9).threshold).toBe(0.8);
    expect(operatingPoint([{ confidence: 0.5, known: false, correct: false }], 0.9).threshold).toBe(Infinity);
  });
});
