import { describe, expect, it } from 'vitest';
import { Watermark } from './watermark';

const progress = (partition: number, high: bigint, committed: bigint) => ({ partition, highWatermark: high, committed });

describe('Watermark', () => {
  it('is unknown until every partition has been caught up once', () => {
    const watermark = new Watermark();
    watermark.observe([progress(0, 10n, 10n), progress(1, 5n, 3n)], 1_000);
    expect(watermark.asOf()).toBeNull();
    watermark.observe([progress(0, 10n, 10n), progress(1, 7n, 5n)], 2_000);
    // Partition 1 has reached the high watermark seen at 1 000, not the one seen at 2 000.
    expect(watermark.asOf()?.getTime()).toBe(1_000);
  });

  it('advances under steady traffic, when the committed offset reaches an earlier high watermark', () => {
    const watermark = new Watermark();
    watermark.observe([progress(0, 100n, 90n)], 1_000);
    watermark.observe([progress(0, 110n, 100n)], 1_250);
    expect(watermark.asOf()?.getTime()).toBe(1_000);
    watermark.observe([progress(0, 120n, 115n)], 1_500);
    expect(watermark.asOf()?.getTime()).toBe(1_250);
    expect(watermark.lagging()).toEqual([0]);
  });

  it('treats an empty partition as caught up and holds back at the slowest partition', () => {
    const watermark = new Watermark();
    watermark.observe([progress(0, 0n, -1n), progress(1, 4n, 4n)], 1_000);
    expect(watermark.asOf()?.getTime()).toBe(1_000);
    watermark.observe([progress(0, 3n, 1n), progress(1, 9n, 9n)], 2_000);
    expect(watermark.asOf()?.getTime()).toBe(1_000);
    watermark.observe([progress(0, 3n, 3n), progress(1, 9n, 9n)], 3_000);
    expect(watermark.asOf()?.getTime()).toBe(3_000);
    expect(watermark.lagging()).toEqual([]);
  });

  it('moves its data version only when a committed offset moves', () => {
    const watermark = new Watermark();
    watermark.observe([progress(0, 10n, 10n), progress(1, 5n, 5n)], 1_000);
    const first = watermark.dataVersion;
    watermark.observe([progress(0, 12n, 10n), progress(1, 5n, 5n)], 1_100);
    expect(watermark.dataVersion).toBe(first);
    watermark.observe([progress(0, 12n, 12n), progress(1, 5n, 5n)], 1_200);
    expect(watermark.dataVersion).toBeGreaterThan(first);
  });
});
