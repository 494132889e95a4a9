import type { StaffingReport } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { windowWithData } from './reports-page';

type Range = StaffingReport['current'];

function range(conversationsPerInterval: number[]): Range {
  const start = Date.parse('2026-11-11T00:00:00.000Z');
  const quarter = 15 * 60_000;
  return {
    intervals: conversationsPerInterval.map((conversations, i) => ({
      intervalStart: new Date(start + i * quarter).toISOString(),
      intervalEnd: new Date(start + (i + 1) * quarter).toISOString(),
      conversations,
    })),
    totals: { conversations: conversationsPerInterval.reduce((sum, n) => sum + n, 0) },
  } as unknown as Range;
}

describe('windowWithData', () => {
  it('spans the first to the last interval holding conversations, with their count', () => {
    expect(windowWithData(range([0, 0, 3, 0, 5, 0]))).toEqual({ from: '2026-11-11T00:30:00.000Z', to: '2026-11-11T01:15:00.000Z', conversations: 8 });
  });

  it('is null when no interval holds any', () => {
    expect(windowWithData(range([0, 0, 0]))).toBeNull();
  });
});
