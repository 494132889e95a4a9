import { describe, expect, it } from 'vitest';
import { PushThrottle } from './push-throttle';

describe('PushThrottle', () => {
  it('pushes a growing gap at most twice a second, and the last growth is never lost', () => {
    const throttle = new PushThrottle(500);
    const pushedAt: number[] = [];
    for (let now = 0; now < 2_000; now += 10) {
      if (throttle.grew('g', now)) pushedAt.push(now);
      for (const _gapId of throttle.due(now)) pushedAt.push(now);
    }
    expect(pushedAt).toEqual([0, 500, 1000, 1500]);
    // A growth at 1990 is still pending; it goes out once its interval has passed.
    expect(throttle.due(1_999)).toEqual([]);
    expect(throttle.due(2_000)).toEqual(['g']);
    expect(throttle.due(2_600)).toEqual([]);
  });

  it('counts other pushes, and keeps gaps apart', () => {
    const throttle = new PushThrottle(500);
    throttle.pushed('a', 0);
    expect(throttle.grew('a', 100)).toBe(false);
    expect(throttle.grew('b', 100)).toBe(true);
    throttle.pushed('a', 200);
    expect(throttle.due(700)).toEqual([]);
    throttle.forget('b');
    expect(throttle.grew('b', 150)).toBe(true);
  });
});
