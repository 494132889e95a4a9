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
  type LiveOutreach,
  type LiveSnapshot,
  type LiveViewCounters,
  type LiveViewWants,
  type SnapshotQuery,
  type SystemStatus,
} from '@warroom/contracts';
import { CampaignsService } from '../campaigns/campaigns.service';
import { Clock } from '../common/clock';
import { FixedRateLoops } from '../common/fixed-rate-loops';
import { TimingStats } from '../common/timing-stats';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { GapsService } from '../gaps/gaps.service';
import { OutreachService } from '../outreach/outreach.service';
import { encodeFrame, type EncodedFrame } from '../push/frames';
import { PushHub } from '../push/push-hub';
import type { PushRooms, PushViewer, Room } from '../push/push-rooms';
import { LiveFramesRepository, type LiveViewFrame } from '../repositories/live-frames.repository';
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
import { LeaderLease } from './leader-lease';
import { RemoteWants, WANTS_EVERY_MS } from './remote-wants';
import { TopQuestionLabels } from './top-question-labels';

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
/** What outreach earns scans raw events too (touches and their orders) and moves as slowly as conversion. */
const OUTREACH_MIN_REFRESH_MS = 5_000;
const STATS_EVERY_MS = 10_000;
/**
 * A follower's view that has heard no frame from the leader for this long (several heartbeats missed: the
 * leader died and the next one is not elected yet, or the broker is away) tells its viewers so, once.
 */
export const FRAME_SILENCE_MS = 5_000;
/** How long a starting process waits to read its own presence back (and so know whether it leads) before serving anyway. */
const OWN_PRESENCE_TIMEOUT_MS = 15_000;

/**
 * A figure that scans raw events (sessions): conversion, agents needed now, outreach. Each is refreshed in the
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

function refreshesOf(view: ViewComputation): number {
  return view.conversion.generation + view.agentsNow.generation + view.outreach.generation;
}

/** What the leader keeps per view it computes (wanted by its own viewers or another process's). */
interface ViewComputation {
  readonly key: string;
  readonly query: SnapshotQuery;
  /** Newest snapshot computed. */
  last: LiveSnapshot | null;
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
  outreach: RefreshState<LiveOutreach>;
  /** The last tick failed for this view; its viewers were told once. */
  failing: boolean;
}

/** What a room (this process's viewers of one view) keeps: the newest frame it was sent, whoever computed it. */
interface ViewRoom {
  /** Newest snapshot delivered (its asOf moved on by heartbeats), and its frame once encoded: what a new viewer gets first. */
  last: LiveSnapshot | null;
  lastFrame: EncodedFrame | null;
  /** asOf of the newest frame delivered: an older one (from a leader that has just lost its place) is dropped. */
  lastAsOf: number;
  lastFrameAt: number;
  /** Its viewers were told that no frame came for FRAME_SILENCE_MS. */
  silenceTold: boolean;
}

type FastFigures = Omit<
  LiveSnapshot,
  'asOf' | 'shop' | 'window' | 'source' | 'windowStart' | 'windowEnd' | 'conversion' | 'agentsNow' | 'outreach' | 'campaign'
>;

type MetricsRoom = Room<SnapshotQuery, ViewRoom>;

/** Viewers of queries with the same key share a room, and a view is computed once per key for the deployment. */
export function viewKey(query: SnapshotQuery): string {
  return `${query.shop}|${query.window}|${query.source}`;
}

/**
 * Live metrics, one computation per view per tick for the whole deployment. One api process, the leader
 * (the member of the group on `live.leader` that holds its one partition, see LiveFramesRepository),
 * computes each view wanted anywhere once per tick at the current watermark, and pushes a snapshot when the
 * figures changed, or a heartbeat carrying the new watermark when they did not: straight to its own viewers
 * (the push hub's metrics rooms), and on `live.frames` for the views other processes' viewers watch. The
 * others (followers) publish the views their viewers watch every WANTS_EVERY_MS and fan the leader's frames
 * out to their viewers. REST computes the same snapshot on demand, in whichever process it lands.
 */
@Injectable()
export class LiveMetricsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(LiveMetricsService.name);
  private readonly rooms: PushRooms<SnapshotQuery, ViewRoom>;
  /** The views this process computes while it leads, by key. */
  private readonly views = new Map<string, ViewComputation>();
  private readonly remoteWants = new RemoteWants(viewKey);
  private readonly lease = new LeaderLease();
  /** Resolved once this process has read its own presence back: from then on the lease's verdict is current. */
  private ownPresenceSeen = false;
  private markOwnPresenceSeen: () => void = () => undefined;
  /** A view's first snapshot while it is being computed: the viewers who arrive meanwhile share it. */
  private readonly firstSnapshots = new WeakMap<ViewComputation, Promise<void>>();
  private readonly loops = new FixedRateLoops((error) => this.logger.warn(`Live loop failed: ${error.message}`));
  private leading = false;
  private ticking = false;
  private lastTickAt = 0;
  private lastTickVersion = -1;
  private publishFailing = false;
  private readonly counters = { ticks: 0, viewComputations: 0 };
  private stopStatusPushes: (() => void) | null = null;
  private readonly stats = {
    asOfAge: new TimingStats(),
    compute: new TimingStats(),
    fanOut: new TimingStats(),
    conversion: new TimingStats(),
    agentsNow: new TimingStats(),
    outreach: new TimingStats(),
  };

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsRepository,
    private readonly campaigns: CampaignsService,
    private readonly gaps: GapsService,
    private readonly staffing: StaffingService,
    private readonly outreach: OutreachService,
    private readonly status: SystemStatusService,
    private readonly watermark: WatermarkObserver,
    private readonly clock: Clock,
    hub: PushHub,
    private readonly frames: LiveFramesRepository,
    private readonly topLabels: TopQuestionLabels,
  ) {
    this.rooms = hub.serve('metrics', {
      key: viewKey,
      open: () => newRoom(this.clock.now()),
      subscribe: (viewer, query) => this.subscribe(viewer, query),
    });
  }

  /** Resolves once this process knows whether it leads and follows the frames: its first viewers are served either way. */
  async onApplicationBootstrap(): Promise<void> {
    this.stopStatusPushes = this.status.onChange((status) => this.pushStatus(status));
    const ownPresence = new Promise<void>((resolve) => (this.markOwnPresenceSeen = resolve));
    await Promise.all([
      this.frames.followFrames((key, frame, text) => this.onLeaderFrame(key, frame, text)),
      this.frames.followPresence((wants, timestampMs) => this.onPresence(wants, timestampMs)),
    ]);
    // Its own loop, beside the observer's, so that a broker that stops answering delays observations, not heartbeats.
    this.loops.start(OBSERVE_EVERY_MS, () => Promise.resolve(this.maybeTick()));
    this.loops.start(WANTS_EVERY_MS, () => this.presenceRound());
    this.loops.start(STATS_EVERY_MS, () => Promise.resolve(this.logStats()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), OWN_PRESENCE_TIMEOUT_MS)));
    const late = await Promise.race([ownPresence.then(() => false), timedOut]);
    clearTimeout(timer);
    if (late) this.logger.warn('This process has not read its own presence on live.leader back yet: it serves as a follower until it does');
  }

  onApplicationShutdown(): void {
    this.loops.stop();
    this.stopStatusPushes?.();
  }

  /** Milliseconds spent computing views and fanning their frames out, since the start (for `/metrics`). */
  stageTotals(): { compute: { count: number; sum: number }; fanOut: { count: number; sum: number } } {
    return { compute: this.stats.compute.totals(), fanOut: this.stats.fanOut.totals() };
  }

  counts(): LiveViewCounters {
    return { leader: this.leading, ticks: this.counters.ticks, viewComputations: this.counters.viewComputations, views: this.views.size };
  }

  /** The snapshot for one query at the current watermark, every figure fresh: what REST returns. */
  async snapshot(query: SnapshotQuery): Promise<LiveSnapshot> {
    const asOf = this.watermark.asOf();
    // No watermark yet: ingest has not been seen caught up, so no figure would be honest.
    if (!asOf) throw new Unavailable('ingest has not caught up with the broker yet; no figure is known');
    const bounds = this.bounds(query, asOf);
    const range = this.range(query, bounds);
    const [figures, conversion, agentsNow, outreach] = await Promise.all([
      this.fastFigures(range, bounds),
      this.conversionOf(range, asOf),
      this.agentsNowOf(range, asOf),
      this.outreach.live(range, asOf),
    ]);
    return this.assemble(query, asOf, bounds, figures, { conversion, agentsNow, outreach });
  }

  /**
   * Registers a viewer: it gets the newest snapshot at once (on the leader, computed now if the view is new;
   * on a follower, as soon as the leader sends it), then every change, and heartbeats while nothing changes.
   */
  async subscribe(viewer: PushViewer, query: SnapshotQuery): Promise<() => void> {
    // Refuse a window that cannot be computed before registering anything.
    this.bounds(query, new Date(this.clock.now()));
    const { room, leave } = this.rooms.join(query, viewer);
    // First, and whatever happens to the snapshot: a wall that cannot get figures must still learn why.
    viewer.send(encodeFrame('system_status', this.status.current()));
    try {
      if (room.state.last) {
        viewer.send(this.frameOf(room.state));
      } else if (this.leading) {
        await this.firstSnapshotOf(this.viewOf(room.query));
      } else {
        // The leader hears of the view now rather than at the next round, and computes its first snapshot at once.
        await this.publishPresence();
      }
    } catch (error) {
      leave();
      throw error;
    }
    return leave;
  }

  /**
   * The view's first snapshot, computed once however many viewers subscribe before it is ready (a wall of 1,000
   * kiosks connecting at once must cost one computation, not a thousand queued in the store), and sent to
   * everyone who watches it; a view already computed sends its newest snapshot to a room that has none yet.
   */
  private firstSnapshotOf(view: ViewComputation): Promise<void> {
    if (view.last) {
      const room = this.rooms.byKey(view.key);
      if (room && !room.state.last) this.deliver(room, { event: 'snapshot', data: view.last }, encodeFrame('snapshot', view.last));
      return Promise.resolve();
    }
    let pending = this.firstSnapshots.get(view);
    if (!pending) {
      const asOf = this.watermark.asOf();
      if (!asOf) return Promise.resolve();
      this.counters.viewComputations += 1;
      pending = this.compute(view, asOf)
        .then((snapshot) => this.publish(view, snapshot, this.clock.now()))
        .finally(() => this.firstSnapshots.delete(view));
      this.firstSnapshots.set(view, pending);
    }
    return pending;
  }

  /** The computation of a wanted view, opened when first wanted. */
  private viewOf(query: SnapshotQuery): ViewComputation {
    const key = viewKey(query);
    let view = this.views.get(key);
    if (!view) {
      view = newView(key, query);
      this.views.set(key, view);
    }
    return view;
  }

  private setLeading(leader: boolean): void {
    if (leader === this.leading) return;
    this.leading = leader;
    this.logger.log(leader ? 'This api process now computes the live views of the deployment' : 'Another api process computes the live views now');
    if (leader) return;
    this.views.clear();
    const now = this.clock.now();
    for (const room of this.rooms.all()) room.state.lastFrameAt = now;
  }

  /**
   * A process's presence, in log order: the lease says who leads (acted on once this process has read its own
   * presence back, that is, caught up), and the leader computes at once a view no process wanted before.
   */
  private onPresence(wants: LiveViewWants, timestampMs: number): void {
    const leader = this.lease.observe({ process: wants.process, startedAtMs: Date.parse(wants.startedAt), timestampMs });
    if (wants.process === this.frames.processId) {
      this.ownPresenceSeen = true;
      this.markOwnPresenceSeen();
    } else {
      const fresh = new Set(this.remoteWants.update(wants, this.clock.now()));
      if (this.leading) this.startFirstSnapshots(wants.views.filter((query) => fresh.has(viewKey(query))));
    }
    if (this.ownPresenceSeen) this.setLeading(leader === this.frames.processId);
  }

  private startFirstSnapshots(queries: SnapshotQuery[]): void {
    for (const query of queries) {
      void this.firstSnapshotOf(this.viewOf(query)).catch((error: unknown) =>
        this.logger.warn(`${describe(query)}: first snapshot failed: ${(error as Error).message}`),
      );
    }
  }

  /** A frame of another process (the leader): its viewers of that view get it as it came, an older one is dropped. */
  private onLeaderFrame(key: string, frame: LiveViewFrame, text: string): void {
    if (this.leading) return;
    const room = this.rooms.byKey(key);
    if (room) this.deliver(room, frame, text as EncodedFrame);
  }

  /** Every WANTS_EVERY_MS: renews this process's presence and views, and on a follower says so where the leader has gone silent. */
  private async presenceRound(): Promise<void> {
    const now = this.clock.now();
    for (const room of this.leading ? [] : this.rooms.all()) {
      if (room.state.silenceTold || now - room.state.lastFrameAt < FRAME_SILENCE_MS) continue;
      room.state.silenceTold = true;
      const message = `no live frames for ${Math.round((now - room.state.lastFrameAt) / 1_000)} s: the api process that computes the views is away`;
      this.logger.warn(`${describe(room.query)}: ${message}`);
      this.rooms.send(room, encodeFrame('error', { message }));
    }
    await this.publishPresence();
  }

  private publishPresence(): Promise<void> {
    const views = [...this.rooms.all()].map((room) => room.query);
    return this.frames.publishPresence({
      process: this.frames.processId,
      startedAt: this.frames.startedAt,
      sentAt: new Date(this.clock.now()).toISOString(),
      views,
    });
  }

  /** Starts a tick when one is due (see OBSERVE_EVERY_MS); never two at once, and only on the leader. */
  private maybeTick(): void {
    if (!this.leading || this.ticking || this.loops.isStopped) return;
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
    const views = this.wantedViews(started);
    this.counters.ticks += 1;
    this.counters.viewComputations += views.length;
    await Promise.all(
      views.map(async (view) => {
        try {
          if (this.unchanged(view, asOf)) {
            // Nothing stored since, same window: the figures stand; only the watermark moves on.
            this.publish(view, { ...view.last!, asOf: asOf.toISOString() }, this.clock.now());
            return;
          }
          const snapshot = await this.compute(view, asOf);
          this.stats.compute.add(this.clock.now() - started);
          const fanOutStarted = this.clock.now();
          this.publish(view, snapshot, fanOutStarted);
          this.stats.fanOut.add(this.clock.now() - fanOutStarted);
          view.failing = false;
        } catch (error) {
          if (!view.failing) {
            const message = `live metrics unavailable: ${(error as Error).message}`;
            this.logger.warn(`${describe(view.query)}: ${message}`);
            this.emit(view, { event: 'error', data: { message } }, encodeFrame('error', { message }));
          }
          view.failing = true;
        }
      }),
    );
  }

  /** The views wanted now, by this process's viewers or another's: new ones open, those nobody watches close. */
  private wantedViews(now: number): ViewComputation[] {
    const wanted = this.remoteWants.wanted(now);
    for (const room of this.rooms.all()) wanted.set(viewKey(room.query), room.query);
    for (const key of this.views.keys()) if (!wanted.has(key)) this.views.delete(key);
    return [...wanted.values()].map((query) => this.viewOf(query));
  }

  /**
   * True when the newest snapshot still stands: nothing stored since, the same window, no refreshed figure
   * arrived since, and none is due (a due refresh starts in `compute`). Without the last two, conversion and
   * agents needed now would stay as they were whenever the data stopped changing.
   */
  private unchanged(view: ViewComputation, asOf: Date): boolean {
    const now = this.clock.now();
    return (
      view.last !== null &&
      view.computedVersion === this.watermark.dataVersion &&
      view.computedTo === this.bounds(view.query, asOf).to.getTime() &&
      view.computedRefreshes === refreshesOf(view) &&
      !refreshDue(view.conversion, CONVERSION_MIN_REFRESH_MS, now) &&
      !refreshDue(view.agentsNow, AGENTS_NOW_MIN_REFRESH_MS, now) &&
      !refreshDue(view.outreach, OUTREACH_MIN_REFRESH_MS, now)
    );
  }

  /** The snapshot of a view at `asOf`; conversion comes from its background refresh. */
  private async compute(view: ViewComputation, asOf: Date): Promise<LiveSnapshot> {
    const { query } = view;
    const version = this.watermark.dataVersion;
    const bounds = this.bounds(query, asOf);
    const range = this.range(query, bounds);
    const conversionRefresh = this.refresh(query, view.conversion, 'conversion', CONVERSION_MIN_REFRESH_MS, this.stats.conversion, () =>
      this.conversionOf(range, asOf),
    );
    const agentsRefresh = this.refresh(query, view.agentsNow, 'agents needed now', AGENTS_NOW_MIN_REFRESH_MS, this.stats.agentsNow, () =>
      this.agentsNowOf(range, asOf),
    );
    const outreachRefresh = this.refresh(query, view.outreach, 'outreach', OUTREACH_MIN_REFRESH_MS, this.stats.outreach, () =>
      this.outreach.live(range, asOf),
    );
    const figures = await this.fastFigures(range, bounds);
    // Only the very first snapshot of a view waits for its conversion, agents needed now and outreach.
    const conversion = view.conversion.figures ?? (await conversionRefresh);
    const agentsNow = view.agentsNow.figures ?? (await agentsRefresh);
    const outreach = view.outreach.figures ?? (await outreachRefresh);
    if (!conversion || !agentsNow || !outreach) throw new Error('conversion, agents needed now or outreach is not known yet');
    view.computedVersion = version;
    view.computedTo = bounds.to.getTime();
    view.computedRefreshes = refreshesOf(view);
    return this.assemble(query, asOf, bounds, figures, { conversion, agentsNow, outreach });
  }

  private async fastFigures(range: MetricsWindowRange, bounds: WindowBounds): Promise<FastFigures> {
    const [rollup, unmatched] = await Promise.all([
      this.metrics.questionRollup(range, TOP_QUESTIONS_LIMIT),
      this.metrics.newestUnmatched(range, NEWEST_UNMATCHED_LIMIT),
    ]);
    const questions = questionFigures(rollup.outcomes, bounds);
    const labels = await this.topLabels.of(
      range,
      rollup.answers.map((answer) => answer.answerId),
    );
    return {
      ...questions,
      topQuestions: topQuestionFigures(rollup.answers, questions.questions, labels),
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

  /** Sends a view's new figures as a snapshot when they changed, else a heartbeat at most every HEARTBEAT_EVERY_MS. */
  private publish(view: ViewComputation, snapshot: LiveSnapshot, now: number): void {
    const key = figuresKey(snapshot);
    view.last = snapshot;
    if (key !== view.sentKey) {
      view.sentKey = key;
      view.lastSentAt = now;
      this.emit(view, { event: 'snapshot', data: snapshot }, encodeFrame('snapshot', snapshot));
      return;
    }
    if (now - view.lastSentAt < HEARTBEAT_EVERY_MS) return;
    view.lastSentAt = now;
    const heartbeat = { asOf: snapshot.asOf, serverTime: new Date(now).toISOString() };
    this.emit(view, { event: 'heartbeat', data: heartbeat }, encodeFrame('heartbeat', heartbeat));
  }

  /** A frame of a view the leader computed: to its own viewers directly, on `live.frames` if another process wants the view. */
  private emit(view: ViewComputation, frame: LiveViewFrame, encoded: EncodedFrame): void {
    const room = this.rooms.byKey(view.key);
    if (room) this.deliver(room, frame, encoded);
    if (!this.remoteWants.wanted(this.clock.now()).has(view.key)) return;
    this.frames.publishFrame(view.key, encoded).then(
      () => {
        if (this.publishFailing) this.logger.log('Live frames are published again');
        this.publishFailing = false;
      },
      (error: unknown) => {
        // The next tick publishes again; the followers' viewers are told by their silence check if it lasts.
        if (!this.publishFailing) this.logger.warn(`Could not publish live frames: ${(error as Error).message}`);
        this.publishFailing = true;
      },
    );
  }

  /** Sends a frame to the viewers of a room and keeps what a new viewer of it gets first. */
  private deliver(room: MetricsRoom, frame: LiveViewFrame, encoded: EncodedFrame): void {
    const state = room.state;
    if (frame.event !== 'error') {
      const asOf = Date.parse(frame.data.asOf);
      if (asOf < state.lastAsOf) return;
      state.lastAsOf = asOf;
      if (frame.event === 'snapshot') {
        state.last = frame.data;
        state.lastFrame = encoded;
      } else if (state.last) {
        state.last = { ...state.last, asOf: frame.data.asOf };
        state.lastFrame = null;
      }
    }
    state.lastFrameAt = this.clock.now();
    state.silenceTold = false;
    this.rooms.send(room, encoded);
  }

  /** A changed system status goes to every viewer once, even one subscribed to several views. */
  private pushStatus(status: SystemStatus): void {
    this.rooms.sendToEveryViewer(() => encodeFrame('system_status', status));
  }

  private frameOf(room: ViewRoom): EncodedFrame {
    if (!room.last) throw new Error('no snapshot to send yet');
    room.lastFrame ??= encodeFrame('snapshot', room.last);
    return room.lastFrame;
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
    slow: { conversion: ConversionFigures; agentsNow: AgentsNow; outreach: LiveOutreach },
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
      outreach: slow.outreach,
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
    const { asOfAge, compute, fanOut, conversion, agentsNow, outreach } = this.stats;
    const parts = [
      `asOfAge=${asOfAge.drain()}`,
      `compute=${compute.drain()}`,
      `fanOut=${fanOut.drain()}`,
      `observe=${this.watermark.drainObserveTimes()}`,
      `conversion=${conversion.drain()}`,
      `agentsNow=${agentsNow.drain()}`,
      `outreach=${outreach.drain()}`,
    ];
    const viewers = this.rooms.viewerCount();
    const role = this.leading ? `leader computing=${this.views.size}` : 'follower';
    this.logger.log(`live: ${role} rooms=${this.rooms.size} viewers=${viewers} lagging=${this.watermark.lagging().length} ${parts.join(' ')}`);
  }
}

function newView(key: string, query: SnapshotQuery): ViewComputation {
  return {
    key,
    query,
    last: null,
    sentKey: null,
    computedVersion: -1,
    computedTo: 0,
    computedRefreshes: -1,
    lastSentAt: 0,
    conversion: { figures: null, generation: 0, startedAt: 0, durationMs: 0, running: null },
    agentsNow: { figures: null, generation: 0, startedAt: 0, durationMs: 0, running: null },
    outreach: { figures: null, generation: 0, startedAt: 0, durationMs: 0, running: null },
    failing: false,
  };
}

function newRoom(now: number): ViewRoom {
  return { last: null, lastFrame: null, lastAsOf: 0, lastFrameAt: now, silenceTold: false };
}

function describe(query: SnapshotQuery): string {
  return `${query.source}/${query.shop}/${query.window}`;
}
