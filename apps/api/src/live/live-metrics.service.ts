import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  WINDOW_MINUTES,
  type LiveSnapshot,
  type ServerEventMap,
  type SnapshotQuery,
} from '@warroom/contracts';
import { TOPICS } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KafkaRepository } from '../repositories/kafka.repository';
import { MetricsRepository } from '../repositories/metrics.repository';
import { Watermark } from './watermark';

/** Sends one typed frame to one viewer; a wrong payload for an event name fails to compile. */
export interface LiveSubscriber {
  send<E extends keyof ServerEventMap>(event: E, data: ServerEventMap[E]): void;
}

/** A request the caller can fix (4xx), as opposed to a failure of ours. */
export class InvalidMetricsRequest extends Error {}
/** No watermark yet: ingest has not been seen caught up, so no figure would be honest. */
export class WatermarkUnknown extends Error {}

const HEARTBEAT_EVERY_MS = 1_000;

interface Subscription {
  query: SnapshotQuery;
  subscribers: Set<LiveSubscriber>;
  last: LiveSnapshot | null;
  lastSentAt: number;
}

/**
 * Live metrics: one tick computes the watermark once and each subscribed (shop, window, source) once,
 * however many viewers watch it, then pushes a snapshot to every viewer when the figures changed or a
 * heartbeat carrying the new watermark when they did not.
 */
@Injectable()
export class LiveMetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveMetricsService.name);
  private readonly watermark = new Watermark();
  private readonly subscriptions = new Map<string, Subscription>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsRepository,
    private readonly kafka: KafkaRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** The snapshot for one query at the current watermark: what REST returns and what viewers receive. */
  async snapshot(query: SnapshotQuery): Promise<LiveSnapshot> {
    const asOf = this.watermark.asOf();
    if (!asOf) throw new WatermarkUnknown('ingest has not caught up with the broker yet; no figure is known');
    return this.compute(query, asOf);
  }

  /** Registers a viewer; it gets a snapshot at once (when one is known), then every change. */
  async subscribe(subscriber: LiveSubscriber, query: SnapshotQuery): Promise<() => void> {
    const key = `${query.shop}|${query.window}|${query.source}`;
    let subscription = this.subscriptions.get(key);
    if (!subscription) {
      subscription = { query, subscribers: new Set(), last: null, lastSentAt: 0 };
      this.subscriptions.set(key, subscription);
    }
    subscription.subscribers.add(subscriber);
    const first = subscription.last ?? (this.watermark.asOf() ? await this.snapshot(query) : null);
    if (first) subscriber.send('snapshot', first);
    const owned = subscription;
    return () => {
      owned.subscribers.delete(subscriber);
      if (owned.subscribers.size === 0) this.subscriptions.delete(key);
    };
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch((error: unknown) => this.logger.warn(`Live tick failed: ${(error as Error).message}`))
        .finally(() => this.schedule(this.config.live.tickMs));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const observedAt = Date.now();
    const progress = await this.kafka.partitionProgress(TOPICS.chatEvents.name, this.config.ingest.groupId);
    this.watermark.observe(progress, observedAt);
    const asOf = this.watermark.asOf();
    if (!asOf) return;
    await Promise.all(
      [...this.subscriptions.values()].map(async (subscription) => {
        const snapshot = await this.compute(subscription.query, asOf);
        const now = Date.now();
        if (!subscription.last || changed(subscription.last, snapshot)) {
          subscription.last = snapshot;
          subscription.lastSentAt = now;
          for (const subscriber of subscription.subscribers) subscriber.send('snapshot', snapshot);
        } else if (now - subscription.lastSentAt >= HEARTBEAT_EVERY_MS) {
          subscription.last = snapshot;
          subscription.lastSentAt = now;
          const heartbeat = { asOf: snapshot.asOf, serverTime: new Date(now).toISOString() };
          for (const subscriber of subscription.subscribers) subscriber.send('heartbeat', heartbeat);
        }
      }),
    );
  }

  private async compute(query: SnapshotQuery, asOf: Date): Promise<LiveSnapshot> {
    const from = this.windowStart(query, asOf);
    const counts = await this.metrics.questionCounts({ shop: query.shop, source: query.source, from, to: asOf });
    const minutes = Math.max((asOf.getTime() - from.getTime()) / 60_000, 1 / 60);
    return {
      asOf: asOf.toISOString(),
      shop: query.shop,
      window: query.window,
      source: query.source,
      questions: counts.questions,
      botModeQuestions: counts.botModeQuestions,
      answered: counts.answered,
      hitRate: counts.botModeQuestions === 0 ? null : counts.answered / counts.botModeQuestions,
      questionsPerMinute: counts.questions / minutes,
    };
  }

  private windowStart(query: SnapshotQuery, asOf: Date): Date {
    if (query.window === 'campaign') {
      const start = this.config.live.campaignStartedAt;
      if (!start) throw new InvalidMetricsRequest('window "campaign" needs CAMPAIGN_STARTED_AT to be configured');
      return start;
    }
    return new Date(asOf.getTime() - WINDOW_MINUTES[query.window] * 60_000);
  }
}

/** Figures differ (the watermark alone moving is a heartbeat, not a new snapshot). */
function changed(previous: LiveSnapshot, next: LiveSnapshot): boolean {
  return (
    previous.questions !== next.questions ||
    previous.botModeQuestions !== next.botModeQuestions ||
    previous.answered !== next.answered
  );
}
