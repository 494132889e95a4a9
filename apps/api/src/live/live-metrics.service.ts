import { InvalidInput, Unavailable } from '@warroom/nest-common';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  NEWEST_UNMATCHED_LIMIT,
  TOP_QUESTIONS_LIMIT,
  type AgentsNow,
  type ConversionFigures,
  type LiveSnapshot,
  type SnapshotQuery,
  type SystemStatus,
} from '@warroom/contracts';
import { CampaignsService } from '../campaigns/campaigns.service';
import { Clock } from '../common/clock';
import { FixedRateLoops } from '../common/fixed-rate-loops';
import { TimingStats } from '../common/timing-stats';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { GapsService } from '../gaps/gaps.service';
import { encodeFrame, type EncodedFrame } from '../push/frames';
import { PushHub } from '../push/push-hub';
import type { PushRooms, PushViewer, Room } from '../push/push-rooms';
import { MetricsRepository, type MetricsWindowRange } from '../repositories/metrics.repository';
import { StaffingService } from '../staffing/staffing.service';
import { SystemStatusService } from '../status/system-status.service';
import { OBSERVE_EVERY_MS, WatermarkObserver } from '../watermark/watermark-observer';
import {
  conversionFigures,
  emotionFigures,
  figuresKey,
  questionFigures,
  topQuestionFigures,
  unmatchedFigures,
  windowBounds,
  type WindowBounds,
} from './live-figures';


/** Unchanged figures are confirmed by a heartbeat (carrying the new watermark) this often. */
const HEARTBEAT_EVERY_MS = 1_000;
/**
 * A tick starts at the first watermark observation (OBSERVE_EVERY_MS) that finds new data stored (a
 * committed offset moved) once METRICS_TICK_MS has passed since the previous tick; without new data, a tick
 * still runs every second (the window slides, heartbeats go out).
 */
const IDLE_TICK_MS = 1_000;
/**
 * Conversion scans raw events (sessions), far dearer than the rollups, and moves slowly (orders come up to
 * 24 h later): a live view refreshes it in the background, at most every 5 s and never more often than
 * 40 times its last duration, so it takes at most about 2.5 % of the store's time per subscription.
 */
const CONVERSION_MIN_REFRESH_MS = 5_000;
const CONVERSION_COST_FACTOR = 40;
/**
 * Agents needed now sums up 15 minutes (and an hour of handling times), so it moves slowly: refreshed by the
 * same rule, at most every 15 s.
 */
const AGENTS_NOW_MIN_REFRESH_MS = 15_000;
const STATS_EVERY_MS = 10_000;

/**
 * A figure that scans raw events (sessions): conversion, agents needed now. Each is refreshed in the
 * background on its own, by the rule above, so a dearer one never slows the other down.
 */
interface RefreshState<T> {
  figures: T | null;
  /** Bumped each time `figures` is replaced, so that a snapshot computed before knows it is out of date. */
  generation: number;
  startedAt: number;
  durationMs: number;
  running: Promise<T> | null;
}

/** A refresh is due when there are no figures yet, or by the rule above (not while one runs). */
function refreshDue(state: RefreshState<unknown>, minRefreshMs: number, now: number): boolean {
  if (state.running) return false;
  return state.figures === null || now - state.startedAt >= Math.max(minRefreshMs, CONVERSION_COST_FACTOR * state.durationMs);
}

function refreshesOf(subscription: Subscription): number {
  return subscription.conversion.generation + subscription.agentsNow.generation;
}

/** What a room of the metrics view keeps: its newest snapshot and how it was computed. */
interface Subscription {
  /** Newest snapshot computed, and its frame once encoded (what a new viewer gets first). */
  last: LiveSnapshot | null;
  lastFrame: EncodedFrame | null;
  /** figuresKey of the newest snapshot sent: a change sends a snapshot, no change a heartbeat. */
  sentKey: string | null;
  /** The watermark's data version and the window's end the newest snapshot was computed at. */
  computedVersion: number;
  computedTo: number;
  /** The refreshed figures' generations (summed) the newest snapshot was computed with. */
  computedRefreshes: number;
  lastSentAt: number;
  conversion: RefreshState<ConversionFigures>;
  agentsNow: RefreshState<AgentsNow>;
  /** The last tick failed for this subscription; its viewers were told once. */
  failing: boolean;
}

type FastFigures = Omit<
  LiveSnapshot,
  'asOf' | 'shop' | 'window' | 'source' | 'windowStart' | 'windowEnd' | 'conversion' | 'agentsNow' | 'campaign'
>;

type MetricsRoom = Room<SnapshotQuery, Subscription>;

/**
 * Live metrics: one tick computes each subscribed (shop, window, source) once, however many viewers watch
 * it, at the current watermark, then pushes a snapshot to every viewer when the figures changed, or a
 * heartbeat carrying the new watermark when they did not. The viewers are the push hub's metrics rooms;
 * the watermark is `WatermarkObserver`'s. REST computes the same snapshot on demand.
 */
@Injectable()
export class LiveMetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveMetricsService.name);
  private readonly rooms: PushRooms<SnapshotQuery, Subscription>;
  /** A subscription's first snapshot while it is being computed: the viewers who arrive meanwhile share it. */
  private readonly firstSnapshots = new WeakMap<Subscription, Promise<void>>();
  private readonly loops = new FixedRateLoops((error) => this.logger.warn(`Live loop failed: ${error.message}`));
  private ticking = false;
  private lastTickAt = 0;
  private lastTickVersion = -1;
  private stopStatusPushes: (() => void) | null = null;
  private readonly stats = {
    asOfAge: new TimingStats(),
    compute: new TimingStats(),
    fanOut: new TimingStats(),
    conversion: new TimingStats(),
    agentsNow: new TimingStats(),
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsRepository,
    private readonly campaigns: CampaignsService,
    private readonly gaps: GapsService,
    private readonly staffing: StaffingService,
    private readonly status: SystemStatusService,
    private readonly watermark: WatermarkObserver,
    private readonly clock: Clock,
    hub: PushHub,
  ) {
    this.rooms = hub.serve('metrics', {
      key: (query) => `${query.shop}|${query.window}|${query.source}`,
      open: newSubscription,
      subscribe: (viewer, query) => this.subscribe(viewer, query),
    });
  }

  onApplicationBootstrap(): void {
    this.stopStatusPushes = this.status.onChange((status) => this.pushStatus(status));
    // Its own loop, beside the observer's, so that a broker that stops answering delays observations, not heartbeats.
    this.loops.start(OBSERVE_EVERY_MS, () => Promise.resolve(this.maybeTick()));
    this.loops.start(STATS_EVERY_MS, () => Promise.resolve(this.logStats()));
  }

  onApplicationShutdown(): void {
    this.loops.stop();
    this.stopStatusPushes?.();
  }

  /** The snapshot for one query at the current watermark, every figure fresh: what REST returns. */
  async snapshot(query: SnapshotQuery): Promise<LiveSnapshot> {
    const asOf = this.watermark.asOf();
    // No watermark yet: ingest has not been seen caught up, so no figure would be honest.
    if (!asOf) throw new Unavailable('ingest has not caught up with the broker yet; no figure is known');
    const bounds = this.bounds(query, asOf);
    const range = this.range(query, bounds);
    const [figures, conversion, agentsNow] = await Promise.all([
      this.fastFigures(range, bounds),
      this.conversionOf(range, asOf),
      this.agentsNowOf(range, asOf),
    ]);
    return this.assemble(query, asOf, bounds, figures, { conversion, agentsNow });
  }

  /**
   * Registers a viewer: it gets the newest snapshot at once (computed now if the subscription is new),
   * then every change, and heartbeats while nothing changes.
   */
  async subscribe(viewer: PushViewer, query: SnapshotQuery): Promise<() => void> {
    // Refuse a window that cannot be computed before registering anything.
    this.bounds(query, new Date(this.clock.now()));
    const { room, leave } = this.rooms.join(query, viewer);
    const subscription = room.state;
    // First, and whatever happens to the snapshot: a wall that cannot get figures must still learn why.
    viewer.send(encodeFrame('system_status', this.status.current()));
    try {
      if (!subscription.last) {
        const asOf = this.watermark.asOf();
        if (asOf) await this.firstSnapshotOf(room, asOf);
      }
      if (subscription.last) viewer.send(this.frameOf(subscription));
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  /**
   * Computes a new subscription's first snapshot once, however many viewers subscribe before it is ready: a
   * wall of 1,000 kiosks connecting at once must cost one computation, not a thousand queued in the store.
   */
  private firstSnapshotOf(room: MetricsRoom, asOf: Date): Promise<void> {
    const subscription = room.state;
    let pending = this.firstSnapshots.get(subscription);
    if (!pending) {
      pending = this.compute(room, asOf)
        .then((snapshot) => this.remember(subscription, snapshot))
        .finally(() => this.firstSnapshots.delete(subscription));
      this.firstSnapshots.set(subscription, pending);
    }
    return pending;
  }

  /** Starts a tick when one is due (see OBSERVE_EVERY_MS); never two at once. */
  private maybeTick(): void {
    if (this.ticking || this.loops.isStopped) return;
    const now = this.clock.now();
    const elapsed = now - this.lastTickAt;
    const newData = this.watermark.dataVersion !== this.lastTickVersion;
    if (elapsed < this.config.live.tickMs || (!newData && elapsed < IDLE_TICK_MS)) return;
    this.ticking = true;
    this.lastTickAt = now;
    this.lastTickVersion = this.watermark.dataVersion;
    void this.tick()
      .catch((error: unknown) => this.logger.warn(`Live tick failed: ${(error as Error).message}`))
      .finally(() => {
        this.ticking = false;
      });
  }

  private async tick(): Promise<void> {
    const asOf = this.watermark.asOf();
    if (!asOf) return;
    const started = this.clock.now();
    this.stats.asOfAge.add(started - asOf.getTime());
    await Promise.all(
      [...this.rooms.all()].map(async (room) => {
        const subscription = room.state;
        try {
          if (this.unchanged(room, asOf)) {
            // Nothing stored since, same window: the figures stand; only the watermark moves on.
            this.publish(room, { ...subscription.last!, asOf: asOf.toISOString() }, this.clock.now());
            return;
          }
          const snapshot = await this.compute(room, asOf);
          this.stats.compute.add(this.clock.now() - started);
          const fanOutStarted = this.clock.now();
          this.publish(room, snapshot, fanOutStarted);
          this.stats.fanOut.add(this.clock.now() - fanOutStarted);
          subscription.failing = false;
        } catch (error) {
          if (!subscription.failing) {
            const message = `live metrics unavailable: ${(error as Error).message}`;
            this.logger.warn(`${describe(room.query)}: ${message}`);
            this.rooms.send(room, encodeFrame('error', { message }));
          }
          subscription.failing = true;
        }
      }),
    );
  }

  /**
   * True when the newest snapshot still stands: nothing stored since, the same window, no refreshed figure
   * arrived since, and none is due (a due refresh starts in `compute`). Without the last two, conversion and
   * agents needed now would stay as they were whenever the data stopped changing.
   */
  private unchanged(room: MetricsRoom, asOf: Date): boolean {
    const subscription = room.state;
    const now = this.clock.now();
    return (
      subscription.last !== null &&
      subscription.computedVersion === this.watermark.dataVersion &&
      subscription.computedTo === this.bounds(room.query, asOf).to.getTime() &&
      subscription.computedRefreshes === refreshesOf(subscription) &&
      !refreshDue(subscription.conversion, CONVERSION_MIN_REFRESH_MS, now) &&
      !refreshDue(subscription.agentsNow, AGENTS_NOW_MIN_REFRESH_MS, now)
    );
  }

  /** The snapshot of a subscription at `asOf`; conversion comes from its background refresh. */
  private async compute(room: MetricsRoom, asOf: Date): Promise<LiveSnapshot> {
    const { query, state: subscription } = room;
    const version = this.watermark.dataVersion;
    const bounds = this.bounds(query, asOf);
    const range = this.range(query, bounds);
    const conversionRefresh = this.refresh(query, subscription.conversion, 'conversion', CONVERSION_MIN_REFRESH_MS, this.stats.conversion, () =>
      this.conversionOf(range, asOf),
    );
    const agentsRefresh = this.refresh(query, subscription.agentsNow, 'agents needed now', AGENTS_NOW_MIN_REFRESH_MS, this.stats.agentsNow, () =>
      this.agentsNowOf(range, asOf),
    );
    const figures = await this.fastFigures(range, bounds);
    // Only the very first snapshot of a subscription waits for its conversion and agents needed now.
    const conversion = subscription.conversion.figures ?? (await conversionRefresh);
    const agentsNow = subscription.agentsNow.figures ?? (await agentsRefresh);
    if (!conversion || !agentsNow) throw new Error('conversion or agents needed now is not known yet');
    subscription.computedVersion = version;
    subscription.computedTo = bounds.to.getTime();
    subscription.computedRefreshes = refreshesOf(subscription);
    return this.assemble(query, asOf, bounds, figures, { conversion, agentsNow });
  }

  private async fastFigures(range: MetricsWindowRange, bounds: WindowBounds): Promise<FastFigures> {
    const [rollup, unmatched] = await Promise.all([
      this.metrics.questionRollup(range, TOP_QUESTIONS_LIMIT),
      this.metrics.newestUnmatched(range, NEWEST_UNMATCHED_LIMIT),
    ]);
    const questions = questionFigures(rollup.outcomes, bounds);
    return {
      ...questions,
      topQuestions: topQuestionFigures(rollup.answers, questions.questions),
      newestUnmatched: unmatchedFigures(unmatched),
      emotions: emotionFigures(rollup.emotions, questions.questions),
      timeToPatch: this.gaps.timeToPatch(range.source, range.shop),
    };
  }

  private async conversionOf(range: MetricsWindowRange, asOf: Date): Promise<ConversionFigures> {
    return conversionFigures(await this.metrics.conversion(range), asOf);
  }

  /** Agents needed now over the 15 minutes ending with the window (whatever its length). */
  private agentsNowOf(range: MetricsWindowRange, asOf: Date): Promise<AgentsNow> {
    return this.staffing.agentsNow({ shop: range.shop, source: range.source }, range.to, asOf);
  }

  /** Starts a background refresh of one raw-event figure when one is due; resolves to it (null when none started). */
  private refresh<T>(
    query: SnapshotQuery,
    state: RefreshState<T>,
    name: string,
    minRefreshMs: number,
    stats: TimingStats,
    load: () => Promise<T>,
  ): Promise<T | null> {
    if (state.running) return state.running;
    const now = this.clock.now();
    if (!refreshDue(state, minRefreshMs, now)) return Promise.resolve(null);
    state.startedAt = now;
    const running = load().then((figures) => {
      state.durationMs = this.clock.now() - now;
      stats.add(state.durationMs);
      state.figures = figures;
      state.generation += 1;
      return figures;
    });
    state.running = running;
    void running
      .catch((error: unknown) => this.logger.warn(`${describe(query)}: ${name} failed: ${(error as Error).message}`))
      .finally(() => {
        if (state.running === running) state.running = null;
      });
    return running;
  }

  private publish(room: MetricsRoom, snapshot: LiveSnapshot, now: number): void {
    const subscription = room.state;
    const key = figuresKey(snapshot);
    if (key !== subscription.sentKey) {
      this.remember(subscription, snapshot, key);
      const frame = this.frameOf(subscription);
      subscription.lastSentAt = now;
      this.rooms.send(room, frame);
      return;
    }
    subscription.last = snapshot;
    subscription.lastFrame = null;
    if (now - subscription.lastSentAt < HEARTBEAT_EVERY_MS) return;
    subscription.lastSentAt = now;
    this.rooms.send(room, encodeFrame('heartbeat', { asOf: snapshot.asOf, serverTime: new Date(now).toISOString() }));
  }

  /** A changed system status goes to every viewer once, even one subscribed to several views. */
  private pushStatus(status: SystemStatus): void {
    this.rooms.sendToEveryViewer(() => encodeFrame('system_status', status));
  }

  private remember(subscription: Subscription, snapshot: LiveSnapshot, key = figuresKey(snapshot)): void {
    subscription.last = snapshot;
    subscription.lastFrame = null;
    subscription.sentKey = key;
  }

  private frameOf(subscription: Subscription): EncodedFrame {
    if (!subscription.last) throw new Error('no snapshot to send yet');
    subscription.lastFrame ??= encodeFrame('snapshot', subscription.last);
    return subscription.lastFrame;
  }

  /**
   * The window at `asOf`. "Since the campaign started" starts with the campaign of the query's source (and
   * shop) running at asOf, or else at CAMPAIGN_STARTED_AT.
   */
  private bounds(query: SnapshotQuery, asOf: Date): WindowBounds {
    if (query.window !== 'campaign') return windowBounds(query.window, asOf, null);
    const start = this.campaigns.runningStart(query, asOf) ?? this.config.live.campaignStartedAt;
    if (!start) {
      throw new InvalidInput(
        `window "campaign" needs a running ${query.source} campaign (PUT /api/campaigns/:id) or CAMPAIGN_STARTED_AT`,
      );
    }
    return windowBounds(query.window, asOf, start);
  }

  private assemble(
    query: SnapshotQuery,
    asOf: Date,
    bounds: WindowBounds,
    figures: FastFigures,
    slow: { conversion: ConversionFigures; agentsNow: AgentsNow },
  ): LiveSnapshot {
    return {
      asOf: asOf.toISOString(),
      shop: query.shop,
      window: query.window,
      source: query.source,
      windowStart: bounds.from.toISOString(),
      windowEnd: bounds.to.toISOString(),
      ...figures,
      conversion: slow.conversion,
      agentsNow: slow.agentsNow,
      campaign: this.campaigns.snapshotCampaign(query, asOf, {
        start: bounds.from,
        end: bounds.to,
        sinceCampaignStart: query.window === 'campaign',
      }),
    };
  }

  private range(query: SnapshotQuery, bounds: WindowBounds): MetricsWindowRange {
    return { shop: query.shop, source: query.source, from: bounds.from, to: bounds.to };
  }

  private logStats(): void {
    const { asOfAge, compute, fanOut, conversion, agentsNow } = this.stats;
    const parts = [
      `asOfAge=${asOfAge.drain()}`,
      `compute=${compute.drain()}`,
      `fanOut=${fanOut.drain()}`,
      `observe=${this.watermark.drainObserveTimes()}`,
      `conversion=${conversion.drain()}`,
      `agentsNow=${agentsNow.drain()}`,
    ];
    const viewers = this.rooms.viewerCount();
    this.logger.log(`live: subscriptions=${this.rooms.size} viewers=${viewers} lagging=${this.watermark.lagging().length} ${parts.join(' ')}`);
  }
}

function newSubscription(): Subscription {
  return {
    last: null,
    lastFrame: null,
    sentKey: null,
    computedVersion: -1,
    computedTo: 0,
    computedRefreshes: -1,
    lastSentAt: 0,
    conversion: { figures: null, generation: 0, startedAt: 0, durationMs: 0, running: null },
    agentsNow: { figures: null, generation: 0, startedAt: 0, durationMs: 0, running: null },
    failing: false,
  };
}

function describe(query: SnapshotQuery): string {
  return `${query.source}/${query.shop}/${query.window}`;
}
