/**
 * How long the low watermark stood still, pure: from the asOf values a wall received, the longest
 * interval between two advances of asOf (or from the last advance to the end of the window), counted
 * over a window in which events kept arriving.
 */

export interface WatermarkSample {
  /** When the wall received the frame (ms since the epoch). */
  receivedAtMs: number;
  /** The frame's asOf (ms since the epoch). */
  asOfMs: number;
}

/**
 * The longest stand-still of asOf within [fromMs, toMs]. A stand-still starts when asOf last moved (or at
 * fromMs) and lasts until the next frame that moves it (or toMs). No frame at all in the window is a
 * stand-still of the whole window: a wall that hears nothing sees nothing move.
 */
export function longestStallMs(samples: readonly WatermarkSample[], fromMs: number, toMs: number): number {
  let lastAdvanceAt = fromMs;
  let lastAsOf = Number.NEGATIVE_INFINITY;
  let longest = 0;
  for (const sample of samples) {
    if (sample.receivedAtMs < fromMs) {
      lastAsOf = Math.max(lastAsOf, sample.asOfMs);
      continue;
    }
    if (sample.receivedAtMs > toMs) break;
    if (sample.asOfMs > lastAsOf) {
      longest = Math.max(longest, sample.receivedAtMs - lastAdvanceAt);
      lastAdvanceAt = sample.receivedAtMs;
      lastAsOf = sample.asOfMs;
    }
  }
  return Math.max(longest, toMs - lastAdvanceAt);
}

/** The largest freshness (receive time − asOf) a wall saw within [fromMs, toMs], or at toMs since its last frame. */
export function maxFreshnessMs(samples: readonly WatermarkSample[], fromMs: number, toMs: number): number {
  let newestAsOf: number | null = null;
  let largest = 0;
  for (const sample of samples) {
    if (sample.receivedAtMs > toMs) break;
    newestAsOf = newestAsOf === null ? sample.asOfMs : Math.max(newestAsOf, sample.asOfMs);
    if (sample.receivedAtMs >= fromMs) largest = Math.max(largest, sample.receivedAtMs - newestAsOf);
  }
  return newestAsOf === null ? toMs - fromMs : Math.max(largest, toMs - newestAsOf);
}
