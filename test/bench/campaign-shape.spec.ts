import { describe, expect, it } from 'vitest';
import { cumulative, percentile, rowsPerMinute, shareBounds } from './campaign-shape';
import { moduleOf, summarizeProfile } from './cpu-profile';

describe('rowsPerMinute', () => {
  it('gives every minute its share of the rows, whole numbers adding up to exactly the rows asked', () => {
    const counts = rowsPerMinute([1, 2, 1, 0, 3], 1_000_001);
    expect(counts.reduce((sum, count) => sum + count, 0)).toBe(1_000_001);
    expect(counts[3]).toBe(0);
    expect(counts[1]! / counts[0]!).toBeCloseTo(2, 4);
    expect(counts[4]! / counts[2]!).toBeCloseTo(3, 4);
  });

  it('refuses weights that cannot share anything', () => {
    expect(() => rowsPerMinute([0, 0], 10)).toThrow(/positive sum/);
    expect(() => rowsPerMinute([1, -1, 2], 10)).toThrow(/non-negative/);
    expect(() => rowsPerMinute([1], 1.5)).toThrow(/whole number/);
  });
});

describe('cumulative and shareBounds', () => {
  it('runs totals', () => {
    expect(cumulative([3, 0, 2])).toEqual([3, 3, 5]);
  });

  it('turns shares into upper bounds whose last one catches every uniform number', () => {
    const bounds = shareBounds([0.5, 0.3, 0.2]);
    expect(bounds[0]).toBeCloseTo(0.5);
    expect(bounds[1]).toBeCloseTo(0.8);
    expect(bounds[2]).toBeGreaterThan(1);
    // Shares that do not add up to 1 are normalised.
    expect(shareBounds([2, 2])[0]).toBeCloseTo(0.5);
  });
});

describe('percentile', () => {
  it('is the nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 100)).toBe(100);
    expect(percentile([7], 99)).toBe(7);
  });

  it('refuses no samples and percentiles outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(/no samples/);
    expect(() => percentile([1], 0)).toThrow(/percentile/);
  });
});

describe('summarizeProfile', () => {
  const profile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 } },
      { id: 2, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } },
      { id: 3, callFrame: { functionName: 'parse', url: 'file:///repo/node_modules/zod/index.js', lineNumber: 9 } },
      { id: 4, callFrame: { functionName: 'handleBatch', url: 'file:///repo/apps/api/src/ingest/ingest.service.ts', lineNumber: 99 } },
    ],
    startTime: 1_000,
    samples: [3, 4, 2, 3, 3, 4],
    timeDeltas: [100, 100, 100, 100, 100, 100],
  };

  it('adds self time by function and by module inside the window, idle left out', () => {
    const summary = summarizeProfile(profile, { fromUs: 1_150, toUs: 2_000 }, '/repo');
    // Samples at 1,200 (handleBatch), 1,300 (idle), 1,400 and 1,500 (parse), 1,600 (handleBatch).
    expect(summary.sampledMs).toBe(0.4);
    expect(summary.modules).toEqual([
      { name: 'apps/api/src/ingest/ingest.service.ts', ms: 0.2, share: 0.5 },
      { name: 'zod', ms: 0.2, share: 0.5 },
    ]);
    expect(summary.functions.map((entry) => entry.name)).toEqual(['handleBatch apps/api/src/ingest/ingest.service.ts:100', 'parse zod:10']);
  });

  it('names modules by package, by path in the repository, or as native code', () => {
    expect(moduleOf('file:///repo/node_modules/@clickhouse/client/dist/x.js', '/repo')).toBe('@clickhouse/client');
    expect(moduleOf('node:internal/streams/readable', '/repo')).toBe('node:internal/streams/readable');
    expect(moduleOf('', '/repo')).toBe('(native/V8)');
  });
});
