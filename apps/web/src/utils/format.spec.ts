import { describe, expect, it } from 'vitest';
import { DASH, formatDuration, formatPercent, formatStopwatch } from './format';

describe('formatPercent', () => {
  it('shows a share with one decimal by default, or as many as asked', () => {
    expect(formatPercent(0.5556)).toBe('55.6%');
    expect(formatPercent(0.5556, 0)).toBe('56%');
    expect(formatPercent(1)).toBe('100.0%');
  });

  it('shows a dash when there is no figure yet', () => {
    expect(formatPercent(null)).toBe(DASH);
  });
});

describe('formatDuration', () => {
  it('names the largest unit first and pads the smaller ones', () => {
    expect(formatDuration(3_723_000, 'en')).toBe('1 h 02 min 03 s');
    expect(formatDuration(3_723_000, 'zh')).toBe('1 小时 02 分 03 秒');
    expect(formatDuration(125_000, 'en')).toBe('2 min 05 s');
    expect(formatDuration(42_400, 'zh')).toBe('42 秒');
  });

  it('rounds to whole seconds and never goes below zero (a clock a little ahead of the server)', () => {
    expect(formatDuration(1_600, 'en')).toBe('2 s');
    expect(formatDuration(-5_000, 'en')).toBe('0 s');
  });
});

describe('formatStopwatch', () => {
  it('reads like a stopwatch: minutes unpadded under an hour, padded past it', () => {
    expect(formatStopwatch(42_000)).toBe('0:42');
    expect(formatStopwatch(724_000)).toBe('12:04');
    expect(formatStopwatch(3_909_000)).toBe('1:05:09');
  });

  it('counts whole elapsed seconds (a running clock never shows a second early) and never goes below zero', () => {
    expect(formatStopwatch(59_999)).toBe('0:59');
    expect(formatStopwatch(-1)).toBe('0:00');
  });
});
