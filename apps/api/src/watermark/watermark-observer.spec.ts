import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { KafkaRepository, PartitionProgress } from '../repositories/kafka.repository';
import type { SystemStatusService } from '../status/system-status.service';
import { OBSERVE_EVERY_MS, WatermarkObserver } from './watermark-observer';
import { FakeClock } from '../testing/fakes';

const T0 = Date.parse('2026-11-11T10:00:00.000Z');

describe('WatermarkObserver', () => {
  let clock: FakeClock;
  /** What the broker answers: one partition's high watermark and the ingest group's committed offset. */
  let broker: { high: bigint; committed: bigint } | Error;
  let brokerSeen: (Error | null)[];
  let observer: WatermarkObserver;

  beforeEach(() => {
    vi.useFakeTimers({ now: T0 });
    clock = new FakeClock(T0);
    broker = { high: 10n, committed: 10n };
    brokerSeen = [];
    const kafka = {
      partitionProgress: (): Promise<PartitionProgress[]> =>
        broker instanceof Error ? Promise.reject(broker) : Promise.resolve([{ partition: 0, highWatermark: broker.high, committed: broker.committed }]),
    } as unknown as KafkaRepository;
    const status = { observedBroker: (error: Error | null) => brokerSeen.push(error) } as unknown as SystemStatusService;
    const config = { ingest: { groupId: 'warroom-ingest' } } as unknown as AppConfig;
    observer = new WatermarkObserver(config, kafka, status, clock);
  });

  afterEach(() => {
    observer.onApplicationShutdown();
    vi.useRealTimers();
  });

  async function observeFor(ms: number): Promise<void> {
    for (let passed = 0; passed < ms; passed += OBSERVE_EVERY_MS) {
      clock.time += OBSERVE_EVERY_MS;
      await vi.advanceTimersByTimeAsync(OBSERVE_EVERY_MS);
    }
  }

  it('observes the watermark in one loop and tells the system status the broker answered', async () => {
    observer.onApplicationBootstrap();
    await observeFor(OBSERVE_EVERY_MS);
    // Two observations, each caught up: the watermark is the later one.
    expect(observer.asOf()?.getTime()).toBe(T0 + OBSERVE_EVERY_MS);
    expect(brokerSeen).toEqual([null, null]);
  });

  it('proves a watermark from an observation made after the question, not an older one', async () => {
    observer.onApplicationBootstrap();
    await observeFor(OBSERVE_EVERY_MS);
    // New events reach the broker; ingest stores and commits them a little later.
    broker = { high: 20n, committed: 10n };
    const asked = clock.time;
    const proven = observer.provenFromNow(3_000);
    await observeFor(200);
    broker = { high: 20n, committed: 20n };
    await observeFor(OBSERVE_EVERY_MS);
    expect((await proven)?.getTime()).toBeGreaterThanOrEqual(asked);
  });

  it('answers null at once when the broker cannot be observed, and after the wait when ingest never catches up', async () => {
    broker = { high: 20n, committed: 10n };
    observer.onApplicationBootstrap();
    const lagging = observer.provenFromNow(1_000);
    await observeFor(1_050);
    expect(await lagging).toBeNull();

    broker = new Error('broker gone');
    const down = observer.provenFromNow(3_000);
    await observeFor(OBSERVE_EVERY_MS);
    expect(await down).toBeNull();
    expect(brokerSeen.at(-1)?.message).toBe('broker gone');
  });
});
