import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';

/** How often the event loop's delay is reported (and its histogram started afresh). */
export const EVENT_LOOP_REPORT_MS = 5_000;
const NS_PER_MS = 1e6;

/**
 * Logs how long the event loop kept callbacks waiting, every 5 s: `event-loop: p50=…ms p99=…ms max=…ms`.
 * One event loop serves every viewer's frames, every REST answer and ingest's rounds, so a stall anywhere
 * (a synchronous hash, a huge JSON, a clustering storm) shows here first; bench:login reads these lines.
 */
@Injectable()
export class EventLoopMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('EventLoop');
  private histogram: IntervalHistogram | null = null;
  private timer: NodeJS.Timeout | null = null;

  onModuleInit(): void {
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    this.histogram = histogram;
    this.timer = setInterval(() => {
      const ms = (ns: number): string => (ns / NS_PER_MS).toFixed(1);
      this.logger.log(`event-loop: p50=${ms(histogram.percentile(50))}ms p99=${ms(histogram.percentile(99))}ms max=${ms(histogram.max)}ms`);
      histogram.reset();
    }, EVENT_LOOP_REPORT_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    this.histogram?.disable();
  }
}
