import { describe, expect, it } from 'vitest';
import { MatcherAdapter } from './matcher-adapter';

describe('MatcherAdapter (libs/matcher behind the port)', () => {
  it('returns scores within 0–1 and applies a configured threshold', () => {
    const matcher = new MatcherAdapter({ threshold: 0.99, cacheSize: 10 });
    matcher.addAnswer('warranty', ['保修几年', '质保多久']);
    matcher.addAnswer('invoice', ['能开发票吗', '怎么开发票']);
    const result = matcher.match('保修几年', 2);
    expect(result.candidates.map((candidate) => candidate.answerId)).toContain('warranty');
    for (const candidate of result.candidates) {
      expect(candidate.score).toBeGreaterThanOrEqual(0);
      expect(candidate.score).toBeLessThanOrEqual(1);
    }
    expect(result.matched).toBe(result.confidence >= 0.99);
  });

  it('caches by normalised text, and forgets the cache when the answers change', () => {
    const matcher = new MatcherAdapter({ threshold: null, cacheSize: 10 });
    matcher.addAnswer('warranty', ['保修几年']);
    const first = matcher.match('保修几年？', 1);
    expect(matcher.match('保修几年', 1)).toBe(first);
    matcher.addExamples('warranty', ['质保多久']);
    expect(matcher.match('保修几年', 1)).not.toBe(first);
  });

  it('forgets replaced examples and retired answers at once', () => {
    const matcher = new MatcherAdapter({ threshold: null, cacheSize: 10 });
    matcher.addAnswer('warranty', ['保修几年', '质保多久']);
    matcher.addAnswer('invoice', ['能开发票吗', '怎么开发票']);
    matcher.prepare();
    const warrantyScore = (text: string) => matcher.match(text, 2).candidates.find((candidate) => candidate.answerId === 'warranty')?.score ?? 0;
    const before = warrantyScore('质保多久呢');
    matcher.replaceExamples('warranty', ['延保怎么买', '保修几年']);
    expect(warrantyScore('质保多久呢')).toBeLessThan(before);
    expect(matcher.match('发票怎么开', 2).candidates[0]?.answerId).toBe('invoice');
    matcher.removeAnswer('invoice');
    expect(matcher.match('发票怎么开', 2).candidates.map((candidate) => candidate.answerId)).toEqual(['warranty']);
  });
});
