import { describe, expect, it } from 'vitest';
import { longestStallMs, maxFreshnessMs, type WatermarkSample } from './stall';

const sample = (receivedAtMs: number, asOfMs: number): WatermarkSample => ({ receivedAtMs, asOfMs });

describe('longestStallMs', () => {
  it('is the longest gap between advances of asOf inside the window', () => {
    const samples = [sample(1_000, 900), sample(1_250, 1_100), sample(1_500, 1_100), sample(3_900, 1_100), sample(4_000, 3_800), sample(4_250, 4_100)];
    expect(longestStallMs(samples, 1_000, 4_300)).toBe(2_750);
  });

  it('counts a watermark that never moves again until the end of the window', () => {
    expect(longestStallMs([sample(1_000, 900), sample(2_000, 900)], 1_000, 9_000)).toBe(8_000);
  });

  it('counts a wall that hears nothing as a stall of the whole window', () => {
    expect(longestStallMs([], 1_000, 5_000)).toBe(4_000);
  });

  it('does not count an asOf that went backwards (a restarted api) as an advance', () => {
    expect(longestStallMs([sample(1_000, 900), sample(1_200, 500), sample(3_000, 950)], 1_000, 3_000)).toBe(2_000);
  });
});

describe('maxFreshnessMs', () => {
  it('grows with the time since the newest asOf, up to the end of the window', () => {
    expect(maxFreshnessMs([sample(1_000, 800), sample(1_250, 1_000)], 1_000, 11_000)).toBe(10_000);
  });

  it('is small while asOf keeps up', () => {
    expect(maxFreshnessMs([sample(1_000, 800), sample(1_250, 1_000), sample(1_500, 1_300)], 1_000, 1_500)).toBe(250);
  });
});
