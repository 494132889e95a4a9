import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { TOPICS } from '@warroom/kafka';
import { Clock } from '../common/clock';
import { FixedRateLoops } from '../common/fixed-rate-loops';
import { TimingStats } from '../common/timing-stats';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KafkaRepository } from '../repositories/kafka.repository';
import { SystemStatusService } from '../status/system-status.service';
import { Watermark } from './watermark';

/**
 * The watermark is observed this often: the live tick starts at the first observation that finds new data
 * stored, so snapshots follow ingest's commits closely instead of waiting for a fixed grid.
 */
export const OBSERVE_EVERY_MS = 50;

/** Told the watermark after an observation, or null when the broker could not be observed. */
type Waiter = (asOf: Date | null) => void;

/**
 * The api's one observer of the low watermark `asOf` (see `Watermark`): one loop asks the broker for the
 * high watermarks and the ingest group's committed offsets, and everyone reads the result here (the live
 * tick, the staffing reports). Each observation also tells the system status whether the broker answered.
 */
@Injectable()
export class WatermarkObserver implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WatermarkObserver.name);
  private readonly watermark = new Watermark();
  private readonly loops = new FixedRateLoops((error) => this.logger.warn(`Watermark loop failed: ${error.message}`));
  private readonly observeTimes = new TimingStats();
  private readonly waiters = new Set<Waiter>();
  private failing = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly kafka: KafkaRepository,
    private readonly status: SystemStatusService,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.loops.start(OBSERVE_EVERY_MS, () => this.observe());
  }

  onApplicationShutdown(): void {
    this.loops.stop();
    this.tellWaiters(null);
  }

  /** The watermark, or null until every partition has been seen caught up at least once. */
  asOf(): Date | null {
    return this.watermark.asOf();
  }

  /** Grows whenever a committed offset moved (see `Watermark.dataVersion`). */
  get dataVersion(): number {
    return this.watermark.dataVersion;
  }

  /** Partitions whose committed offset is behind their latest observed high watermark. */
  lagging(): number[] {
    return this.watermark.lagging();
  }

  /** How long the observations took since the previous call (for the live stats line). */
  drainObserveTimes(): string {
    return this.observeTimes.drain();
  }

  /**
   * The watermark once it is proven at an observation made now or later (everything that reached the broker
   * before this call is stored), waiting at most `timeoutMs`; null when it is not proven by then, or when the
   * broker cannot be observed.
   */
  provenFromNow(timeoutMs: number): Promise<Date | null> {
    const since = this.clock.now();
    const proven = (asOf: Date | null): asOf is Date => asOf !== null && asOf.getTime() >= since;
    const now = this.watermark.asOf();
    if (proven(now)) return Promise.resolve(now);
    if (this.loops.isStopped) return Promise.resolve(null);
    return new Promise((resolve) => {
      const done = (asOf: Date | null): void => {
        this.waiters.delete(waiter);
        clearTimeout(timer);
        resolve(asOf);
      };
      const waiter: Waiter = (asOf) => {
        if (asOf === null) done(null);
        else if (proven(asOf)) done(asOf);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      timer.unref();
      this.waiters.add(waiter);
    });
  }

  private async observe(): Promise<void> {
    const observedAt = this.clock.now();
    try {
      const progress = await this.kafka.partitionProgress(TOPICS.chatEvents.name, this.config.ingest.groupId);
      this.watermark.observe(progress, observedAt);
      this.observeTimes.add(this.clock.now() - observedAt);
      this.status.observedBroker(null);
      if (this.failing) this.logger.log('Watermark observation recovered');
      this.failing = false;
      const asOf = this.watermark.asOf();
      if (asOf) this.tellWaiters(asOf);
    } catch (error) {
      // The watermark stands still, so every screen turns stale: that is the signal; log the cause once.
      if (!this.failing) this.logger.warn(`Cannot observe the watermark: ${(error as Error).message}`);
      this.failing = true;
      this.status.observedBroker(error as Error);
      this.tellWaiters(null);
    }
  }

  private tellWaiters(asOf: Date | null): void {
    for (const waiter of [...this.waiters]) waiter(asOf);
  }
}
