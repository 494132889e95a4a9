import { serverFrameSchema, type AgentsNow, type LiveViewWants, type SnapshotQuery, type SystemStatus } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CampaignsService } from '../campaigns/campaigns.service';
import type { AppConfig } from '../config/app-config';
import type { GapsService } from '../gaps/gaps.service';
import type { KbService } from '../kb/kb.service';
import { PushHub } from '../push/push-hub';
import type { ViewerSocket } from '../push/socket-viewer';
import type { LiveFramesRepository, LiveViewFrame } from '../repositories/live-frames.repository';
import type { OutreachService } from '../outreach/outreach.service';
import type { MetricsRepository, MetricsWindowRange, QuestionRollup } from '../repositories/metrics.repository';
import type { StaffingService } from '../staffing/staffing.service';
import type { SystemStatusService } from '../status/system-status.service';
import type { WatermarkObserver } from '../watermark/watermark-observer';
import { FRAME_SILENCE_MS, LiveMetricsService, viewKey } from './live-metrics.service';
import { FakeClock, RecordingViewer } from '../testing/fakes';
import { WANTS_LEASE_MS } from './remote-wants';
import { TopQuestionLabels } from './top-question-labels';

// The service's own rules (one computation per view per tick, fan-out, heartbeats, status, slow viewers)
// with its store, broker and neighbours replaced by plain objects and its clock set by the spec; the real
// pipeline is live-metrics.test.ts's and live-sockets.test.ts's.

const T0 = Date.parse('2026-11-11T10:00:00.000Z');
const SHOP_A: SnapshotQuery = { shop: 'shop-a', window: '5m', source: 'live' };
const SHOP_B: SnapshotQuery = { shop: 'shop-b', window: '5m', source: 'live' };
const TICK_MS = 250;

/** A socket whose client never reads: every send stays in flight. */
class StuckSocket implements ViewerSocket {
  readonly OPEN = 1 as const;
  readyState: ViewerSocket['readyState'] = 1;
  bufferedAmount = 0;
  sent = 0;
  closedWith: number | null = null;
  send: ViewerSocket['send'] = () => {
    this.sent += 1;
  };
  close: ViewerSocket['close'] = (code?: number) => {
    this.closedWith = code ?? 0;
  };
  terminate: ViewerSocket['terminate'] = () => undefined;
}

function rollupOf(questions: number): QuestionRollup {
  return {
    outcomes: [
      { mode: 'bot', stage: 'pre_sale', outcome: 'answered', handoffReason: '', questions, botModeQuestions: questions, botAnswered: questions, questionsHandedOff: 0, unmatchedQueries: 0 },
    ],
    emotions: [],
    answers: [],
  };
}

/**
 * The Kafka side of the live views, in memory: `live.leader` echoes every presence back at once, in order,
 * stamped with the spec's clock; the spec plays the other processes (an older one that leads while `elder`).
 */
class FakeLiveFrames {
  readonly processId = 'this-process';
  readonly startedAt = new Date(T0).toISOString();
  onPresence: ((wants: LiveViewWants, timestampMs: number) => void) | null = null;
  onFrame: ((key: string, frame: LiveViewFrame, text: string) => void) | null = null;
  readonly published: { key: string; frame: LiveViewFrame }[] = [];
  readonly wants: LiveViewWants[] = [];

  constructor(
    private readonly now: () => number,
    public elder: boolean,
  ) {}

  followPresence(onPresence: (wants: LiveViewWants, timestampMs: number) => void): Promise<void> {
    this.onPresence = onPresence;
    return Promise.resolve();
  }
  followFrames(onFrame: (key: string, frame: LiveViewFrame, text: string) => void): Promise<void> {
    this.onFrame = onFrame;
    return Promise.resolve();
  }
  publishFrame(key: string, text: string): Promise<void> {
    this.published.push({ key, frame: serverFrameSchema.parse(JSON.parse(text)) as LiveViewFrame });
    return Promise.resolve();
  }
  publishPresence(wants: LiveViewWants): Promise<void> {
    this.wants.push(wants);
    if (this.elder) this.presence({ process: 'elder', startedAt: new Date(T0 - 86_400_000).toISOString(), sentAt: new Date(this.now()).toISOString(), views: [] });
    this.presence(wants);
    return Promise.resolve();
  }
  /** A presence on the log, as another process (or this one) appended it. */
  presence(wants: LiveViewWants): void {
    this.onPresence?.(wants, this.now());
  }
  /** A frame of the leader, as another process published it. */
  leaderSends(query: SnapshotQuery, frame: LiveViewFrame): void {
    this.onFrame?.(viewKey(query), frame, JSON.stringify(frame));
  }
}

function agentsNow(asOf: Date): AgentsNow {
  const iso = asOf.toISOString();
  return { asOf: iso, windowStart: iso, windowEnd: iso, conversations: 0, handoffs: 0, abandons: 0, ahtSec: null, ahtBasis: 'none', withBot: null, withoutBot: null, savedByBot: null, onShift: null };
}

describe('LiveMetricsService', () => {
  let clock: FakeClock;
  let watermark: { asOf: Date | null; dataVersion: number };
  /** Questions the store holds per shop; the rollup reads them. */
  let stored: Map<string, number>;
  let rollupReads: string[];
  let statusListener: ((status: SystemStatus) => void) | null;
  let hub: PushHub;
  let service: LiveMetricsService;
  let frames: FakeLiveFrames;
  let start: (leader: boolean) => Promise<void>;

  beforeEach(async () => {
    vi.useFakeTimers({ now: T0 });
    clock = new FakeClock(T0);
    watermark = { asOf: new Date(T0 - 1_000), dataVersion: 1 };
    stored = new Map([
      ['shop-a', 10],
      ['shop-b', 20],
    ]);
    rollupReads = [];
    statusListener = null;
    const metrics = {
      questionRollup: (range: MetricsWindowRange) => {
        rollupReads.push(range.shop);
        return Promise.resolve(rollupOf(stored.get(range.shop) ?? 0));
      },
      newestUnmatched: () => Promise.resolve([]),
      mostAskedWordings: () => Promise.resolve([]),
      conversion: () => Promise.resolve({ botSessions: 0, botConverted: 0, agentSessions: 0, agentConverted: 0 }),
    } as unknown as MetricsRepository;
    const campaigns = { runningStart: () => null, snapshotCampaign: () => null } as unknown as CampaignsService;
    const gaps = { timeToPatch: () => ({ verified: 0, medianMs: null, p90Ms: null }) } as unknown as GapsService;
    const staffing = { agentsNow: (_scope: unknown, _windowEnd: Date, asOf: Date) => Promise.resolve(agentsNow(asOf)) } as unknown as StaffingService;
    const noTouches = { touches: 0, sessions: 0, converted: 0, rate: null, orders: 0, amountCents: 0 };
    const outreach = {
      live: (_range: unknown, asOf: Date) => Promise.resolve({ asOf: asOf.toISOString(), bot: noTouches, agent: noTouches, followUpsOpen: 0 }),
    } as unknown as OutreachService;
    const status = {
      current: (): SystemStatus => ({ parts: [], missingEvents: null }),
      onChange: (listener: (status: SystemStatus) => void) => {
        statusListener = listener;
        return () => undefined;
      },
    } as unknown as SystemStatusService;
    const observer = {
      asOf: () => watermark.asOf,
      get dataVersion() {
        return watermark.dataVersion;
      },
      lagging: () => [],
      drainObserveTimes: () => '-',
    } as unknown as WatermarkObserver;
    const config = { live: { tickMs: TICK_MS, campaignStartedAt: null } } as unknown as AppConfig;
    start = async (leader) => {
      frames = new FakeLiveFrames(() => clock.time, !leader);
      hub = new PushHub();
      const kb = { effectiveVersion: () => null } as unknown as KbService;
      service = new LiveMetricsService(
        config,
        metrics,
        campaigns,
        gaps,
        staffing,
        outreach,
        status,
        observer,
        clock,
        hub,
        frames as unknown as LiveFramesRepository,
        new TopQuestionLabels(metrics, kb, clock),
      );
      await service.onApplicationBootstrap();
    };
    await start(true);
  });

  afterEach(() => {
    service.onApplicationShutdown();
    vi.useRealTimers();
  });

  /** Time passes for the clock and the loops alike. */
  async function pass(ms: number): Promise<void> {
    clock.time += ms;
    await vi.advanceTimersByTimeAsync(ms);
  }

  /** New rows stored and committed: the watermark moves on and its data version grows. */
  function ingest(shop: string, questions: number): void {
    stored.set(shop, (stored.get(shop) ?? 0) + questions);
    watermark.dataVersion += 1;
    watermark.asOf = new Date(clock.time);
  }

  it('gives a new viewer the status and then the snapshot, computed once for viewers of the same view', async () => {
    const first = new RecordingViewer();
    const second = new RecordingViewer();
    await Promise.all([hub.subscribe('metrics', first, SHOP_A), hub.subscribe('metrics', second, SHOP_A)]);
    expect(first.events()).toEqual(['system_status', 'snapshot']);
    expect(second.events()).toEqual(['system_status', 'snapshot']);
    expect(first.snapshots()[0]!.questions).toBe(10);
    expect(rollupReads).toEqual(['shop-a']);
  });

  it('computes each subscribed view once per tick and pushes its snapshot to every viewer of it, and only to them', async () => {
    const a1 = new RecordingViewer();
    const a2 = new RecordingViewer();
    const b = new RecordingViewer();
    await hub.subscribe('metrics', a1, SHOP_A);
    await hub.subscribe('metrics', a2, SHOP_A);
    await hub.subscribe('metrics', b, SHOP_B);
    rollupReads = [];

    ingest('shop-a', 5);
    await pass(TICK_MS);

    expect(rollupReads.sort()).toEqual(['shop-a', 'shop-b']);
    expect(a1.snapshots().map((snapshot) => snapshot.questions)).toEqual([10, 15]);
    // One frame, encoded once, for every viewer of the view.
    expect(a2.raw.at(-1)).toBe(a1.raw.at(-1));
    expect(b.snapshots().map((snapshot) => [snapshot.shop, snapshot.questions])).toEqual([['shop-b', 20]]);
  });

  it('confirms unchanged figures with a heartbeat carrying the new watermark, once a second, without reading the store', async () => {
    const viewer = new RecordingViewer();
    await hub.subscribe('metrics', viewer, SHOP_A);
    rollupReads = [];
    // Nothing new stored, and the watermark moves within the same second: the same window, the same figures.
    watermark.asOf = new Date(T0 - 500);
    await pass(1_000);
    await pass(1_000);
    expect(viewer.events()).toEqual(['system_status', 'snapshot', 'heartbeat', 'heartbeat']);
    const heartbeat = viewer.frames.at(-1);
    expect(heartbeat?.event === 'heartbeat' && heartbeat.data.asOf).toBe(new Date(T0 - 500).toISOString());
    expect(rollupReads).toEqual([]);
  });

  it('stops computing a view once its last viewer leaves', async () => {
    const viewer = new RecordingViewer();
    const leave = await hub.subscribe('metrics', viewer, SHOP_A);
    leave();
    rollupReads = [];
    ingest('shop-a', 1);
    await pass(TICK_MS);
    expect(rollupReads).toEqual([]);
    expect(viewer.events()).toEqual(['system_status', 'snapshot']);
  });

  it('sends a changed system status to every viewer once', async () => {
    const a = new RecordingViewer();
    const b = new RecordingViewer();
    await hub.subscribe('metrics', a, SHOP_A);
    await hub.subscribe('metrics', b, SHOP_B);
    statusListener?.({ parts: [{ part: 'store', state: 'down', since: new Date(T0).toISOString(), problem: 'frozen' }], missingEvents: null });
    expect(a.events()).toEqual(['system_status', 'snapshot', 'system_status']);
    expect(b.events()).toEqual(['system_status', 'snapshot', 'system_status']);
  });

  it('drops a viewer that stopped reading, and keeps serving the others', async () => {
    const stuck = new StuckSocket();
    const reader = new RecordingViewer();
    await hub.subscribe('metrics', hub.viewerOn(stuck), SHOP_A);
    await hub.subscribe('metrics', reader, SHOP_A);
    for (let second = 1; second <= 3; second += 1) {
      ingest('shop-a', 1);
      await pass(1_000);
    }
    expect(stuck.closedWith).toBe(1013);
    const sentBeforeDrop = stuck.sent;
    ingest('shop-a', 1);
    await pass(1_000);
    expect(stuck.sent).toBe(sentBeforeDrop);
    expect(reader.snapshots().map((snapshot) => snapshot.questions)).toEqual([10, 11, 12, 13, 14]);
  });

  it('refuses a "campaign" window when no campaign runs, before registering the viewer', async () => {
    const viewer = new RecordingViewer();
    await expect(hub.subscribe('metrics', viewer, { ...SHOP_A, window: 'campaign' })).rejects.toThrow(/needs a running live campaign/);
    expect(viewer.frames).toEqual([]);
  });

  describe('with other api processes', () => {
    const wantsOf = (process: string, views: SnapshotQuery[]): LiveViewWants => ({
      process,
      startedAt: new Date(T0 + 1).toISOString(),
      sentAt: new Date(clock.time).toISOString(),
      views,
    });
    const publishedKeys = (): string[] => [...new Set(frames.published.map((published) => published.key))].sort();

    it('computes each view wanted anywhere once per tick, and publishes only those another process wants', async () => {
      const local = new RecordingViewer();
      await hub.subscribe('metrics', local, SHOP_A);
      rollupReads = [];
      frames.presence(wantsOf('p2', [SHOP_A, SHOP_B]));
      frames.presence(wantsOf('p3', [SHOP_B]));
      await pass(0);
      // A view nobody wanted before gets its first snapshot at once, not at the next tick.
      expect(rollupReads).toEqual(['shop-b']);
      expect(frames.published.map((published) => [published.key, published.frame.event])).toEqual([['shop-b|5m|live', 'snapshot']]);

      const before = service.counts();
      rollupReads = [];
      ingest('shop-a', 5);
      await pass(TICK_MS);
      expect(rollupReads.sort()).toEqual(['shop-a', 'shop-b']);
      expect(publishedKeys()).toEqual(['shop-a|5m|live', 'shop-b|5m|live']);
      // This process's viewer got the same frame, directly.
      const published = frames.published.filter((frame) => frame.key === 'shop-a|5m|live').at(-1)!.frame;
      expect(local.frames.at(-1)).toEqual(published);
      const after = service.counts();
      expect(after).toMatchObject({ leader: true, views: 2 });
      expect([after.ticks - before.ticks, after.viewComputations - before.viewComputations]).toEqual([1, 2]);

      // p2 left shop-a and p3 stopped renewing: shop-b goes at once for p2, for p3 when its lease runs out.
      frames.presence(wantsOf('p2', []));
      frames.published.length = 0;
      ingest('shop-a', 1);
      // shop-b's figures stand: its heartbeat goes out within a second.
      await pass(1_000);
      expect(publishedKeys()).toEqual(['shop-b|5m|live']);
      await pass(6_000);
      frames.published.length = 0;
      rollupReads = [];
      ingest('shop-a', 1);
      await pass(TICK_MS);
      expect(rollupReads).toEqual(['shop-a']);
      expect(frames.published).toEqual([]);
      expect(service.counts().views).toBe(1);
    });

    it('on a follower, fans the leader frames out, never computes, and tells the leader what its viewers watch', async () => {
      service.onApplicationShutdown();
      await start(false);
      const snapshot = await service.snapshot(SHOP_A);
      rollupReads = [];
      const first = new RecordingViewer();
      await hub.subscribe('metrics', first, SHOP_A);
      expect(first.events()).toEqual(['system_status']);
      expect(frames.wants.at(-1)?.views).toEqual([SHOP_A]);

      frames.leaderSends(SHOP_A, { event: 'snapshot', data: snapshot });
      const later = new Date(Date.parse(snapshot.asOf) + 2_000).toISOString();
      frames.leaderSends(SHOP_A, { event: 'heartbeat', data: { asOf: later, serverTime: later } });
      // An older frame (from a leader that has just lost its place) is dropped.
      frames.leaderSends(SHOP_A, { event: 'heartbeat', data: { asOf: snapshot.asOf, serverTime: later } });
      frames.leaderSends(SHOP_B, { event: 'snapshot', data: { ...snapshot, shop: 'shop-b' } });
      expect(first.events()).toEqual(['system_status', 'snapshot', 'heartbeat']);

      // A viewer arriving now gets the newest figures with the newest asOf at once.
      const second = new RecordingViewer();
      await hub.subscribe('metrics', second, SHOP_A);
      expect(second.snapshots().map((figures) => figures.asOf)).toEqual([later]);

      await pass(3_000);
      expect(rollupReads).toEqual([]);
      expect(service.counts()).toEqual({ leader: false, ticks: 0, viewComputations: 0, views: 0 });
      expect(frames.wants.at(-1)?.views).toEqual([SHOP_A]);
    });

    it('on a follower, tells the viewers once when the leader has gone silent, and computes once it leads', async () => {
      service.onApplicationShutdown();
      await start(false);
      const viewer = new RecordingViewer();
      await hub.subscribe('metrics', viewer, SHOP_A);
      await pass(FRAME_SILENCE_MS + 2_000);
      expect(viewer.events()).toEqual(['system_status', 'error']);
      expect(viewer.frames.at(-1)).toMatchObject({ event: 'error', data: { message: expect.stringMatching(/no live frames for \d+ s/) as unknown } });

      // The older process stops appearing: this one leads once its lease has run out.
      frames.elder = false;
      ingest('shop-a', 2);
      await pass(WANTS_LEASE_MS + 1_000);
      expect(viewer.snapshots().map((figures) => figures.questions)).toEqual([12]);
      expect(service.counts()).toMatchObject({ leader: true, views: 1 });
    });
  });
});
