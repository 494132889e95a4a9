import { describe, expect, it } from 'vitest';
import { simSummarySchema } from './sim';

describe('simSummarySchema', () => {
  it('is exactly the five counts', () => {
    expect(simSummarySchema.safeParse({ questions: 3, answered: 2, unmatched: 1, handoffs: 0, peakPerSec: 2 }).success).toBe(true);
    expect(simSummarySchema.safeParse({ questions: 3, answered: 2, unmatched: 1, handoffs: 0, peakPerSec: 2, orders: 1 }).success).toBe(false);
  });
});
