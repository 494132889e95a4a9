import { describe, expect, it } from 'vitest';
import { DEFAULT_RESTART_POLICY, NO_RESTARTS, nextRestart, type RestartHistory } from './restart-policy';

/** The waits of a part that dies `times` times in a row, each after running `upMs`. */
function waits(times: number, upMs: number): number[] {
  let history: RestartHistory = NO_RESTARTS;
  const delays: number[] = [];
  for (let i = 0; i < times; i += 1) {
    const decision = nextRestart(history, upMs);
    delays.push(decision.delayMs);
    history = decision.history;
  }
  return delays;
}

describe('nextRestart', () => {
  it('waits 1 s after a first death, doubling while the part keeps dying, up to 30 s', () => {
    expect(waits(8, 500)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts from 1 s again once the part stayed up a minute', () => {
    const afterFourCrashes = nextRestart(nextRestart(nextRestart(nextRestart(NO_RESTARTS, 10).history, 10).history, 10).history, 10);
    expect(afterFourCrashes.delayMs).toBe(8_000);
    const afterALongRun = nextRestart(afterFourCrashes.history, DEFAULT_RESTART_POLICY.stableAfterMs);
    expect(afterALongRun).toEqual({ delayMs: 1_000, history: { crashesInARow: 1 } });
  });

  it('keeps doubling when the part ran for just under the stable time', () => {
    const once = nextRestart(NO_RESTARTS, 100);
    expect(nextRestart(once.history, DEFAULT_RESTART_POLICY.stableAfterMs - 1).delayMs).toBe(2_000);
  });

  it('never overflows however long a part keeps dying', () => {
    expect(nextRestart({ crashesInARow: 5_000 }, 0).delayMs).toBe(30_000);
  });

  it('follows the policy it is given', () => {
    const policy = { initialDelayMs: 100, maxDelayMs: 250, stableAfterMs: 1_000 };
    const first = nextRestart(NO_RESTARTS, 0, policy);
    const second = nextRestart(first.history, 0, policy);
    const third = nextRestart(second.history, 0, policy);
    expect([first.delayMs, second.delayMs, third.delayMs]).toEqual([100, 200, 250]);
  });
});
