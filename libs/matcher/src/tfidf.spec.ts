import { describe, expect, it } from 'vitest';
import { TfIdfIndex } from './tfidf';

/** IDF of a feature in `containing` of `documents` documents (the index's smoothed formula). */
const idf = (documents: number, containing: number): number => Math.log((1 + documents) / (1 + containing)) + 1;

describe('TfIdfIndex', () => {
  it('counts documents, not passages: a feature repeated within one document is as rare as once', () => {
    const index = TfIdfIndex.of([['发票', '发票抬头', '开发票'], ['退款']]);
    const weights = index.weigh('发票退款', false);
    expect(weights.get('c发')).toBeCloseTo(idf(2, 1), 12);
    expect(weights.get('c退')).toBeCloseTo(idf(2, 1), 12);
    expect(weights.get('c发票')).toBeCloseTo(idf(2, 1), 12);
    expect(weights.has('c票退')).toBe(false);
  });

  it('weighs unseen features highest when asked to, and keeps their mass in a query vector’s norm', () => {
    const index = TfIdfIndex.of([['发票'], ['退款'], ['快递']]);
    const unseen = index.weigh('发票鼠', true).get('c鼠') as number;
    expect(unseen).toBeCloseTo(Math.log(1 + 3) + 1, 12);
    expect(unseen).toBeGreaterThan(index.weigh('发票', true).get('c发') as number);

    const known = index.vectorize('发票');
    const mostlyNew = index.vectorize('发票鼠鼠鼠');
    const norm = (values: ArrayLike<number>): number => Math.hypot(...Array.from(values));
    expect(norm(known.values)).toBeCloseTo(1, 12);
    expect(mostlyNew.ids).toEqual(known.ids);
    expect(norm(mostlyNew.values)).toBeLessThan(0.5);
  });

  it('keeps document frequencies exact through updates, and the IDF under its snapshot until refreshed', () => {
    const index = new TfIdfIndex();
    const a = index.addDocument();
    const b = index.addDocument();
    const invoice = index.intern('发票');
    index.addToDocument(a, invoice.ids);
    index.addToDocument(a, index.intern('开发票').ids);
    index.addToDocument(b, index.intern('退款').ids);
    expect(index.isStale(0.1)).toBe(true);
    index.refresh();
    expect(index.isStale(0.1)).toBe(false);
    expect(index.weigh('发', false).get('c发')).toBeCloseTo(idf(2, 1), 12);

    // One passage of `a` goes: 开 leaves the document, 发 stays (the other passage has it).
    expect(index.removeFromDocument(a, index.intern('开发票').ids).map((id) => index.isKnown(id))).toEqual([false, false]);
    expect(index.weigh('开', false).size).toBe(0);
    expect(index.weigh('发', false).get('c发')).toBeCloseTo(idf(2, 1), 12);

    // A third document: the frequency moves at once, the document count only when refreshed.
    const c = index.addDocument();
    index.addToDocument(c, invoice.ids);
    expect(index.weigh('发', false).get('c发')).toBeCloseTo(idf(2, 2), 12);
    expect(index.isStale(0.1)).toBe(true);
    index.refresh();
    expect(index.weigh('发', false).get('c发')).toBeCloseTo(idf(3, 2), 12);

    index.removeDocument(a);
    expect(index.documents).toBe(2);
    expect(index.weigh('发', false).get('c发')).toBeCloseTo(idf(3, 1), 12);
    expect(() => index.addToDocument(a, invoice.ids)).toThrow(/removed/);
  });

  it('interns nothing for a text that normalises to nothing, and gives it a norm of 1', () => {
    const index = new TfIdfIndex();
    const empty = index.intern('？！ 😀');
    expect(empty.ids).toHaveLength(0);
    expect(index.vocabularySize).toBe(0);
    expect(index.norm(empty)).toBe(1);
    expect(index.vectorize('？！').ids).toEqual([]);
  });

  it('scales known features only, after their TF-IDF weight', () => {
    const index = TfIdfIndex.of([['发票'], ['退款']]);
    const plain = index.weigh('发票鼠', true);
    const scaled = index.weigh('发票鼠', true, () => 2);
    expect(scaled.get('c发')).toBe((plain.get('c发') as number) * 2);
    expect(scaled.get('c鼠')).toBe(plain.get('c鼠'));
  });
});
