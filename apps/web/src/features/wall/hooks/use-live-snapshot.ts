import type { LiveSnapshot, SnapshotQuery } from '@warroom/contracts';
import { useEffect, useState } from 'react';
import { LiveSocket, liveSocketUrl, type LiveSocketState } from '../../../lib/live-socket';
import { RingBuffer } from './ring-buffer';

/** How many hit-rate points the trend keeps: a fixed ring, so memory stays flat over a whole night. */
const TREND_POINTS = 240;
/** One trend point per this many ms of watermark (240 × 5 s = the last 20 minutes). */
const TREND_SAMPLE_MS = 5_000;
/** The time the trend ring spans when full: the trend chart's x-axis window. */
export const TREND_SPAN_MS = TREND_POINTS * TREND_SAMPLE_MS;

export interface TrendPoint {
  /** Epoch ms of the watermark. */
  at: number;
  hitRate: number | null;
}

/**
 * The api sends a snapshot only when figures change and heartbeats in between, so the trend samples
 * both: a new point every TREND_SAMPLE_MS of watermark, the newest point updated in between.
 */
function sampleTrend(ring: RingBuffer<TrendPoint>, at: number, hitRate: number | null): boolean {
  const last = ring.last();
  if (last === undefined || at - last.at >= TREND_SAMPLE_MS) {
    ring.push({ at, hitRate });
    return true;
  }
  if (at < last.at || last.hitRate === hitRate) return false;
  ring.replaceLast({ at: last.at, hitRate });
  return true;
}

export interface LiveView {
  snapshot: LiveSnapshot | null;
  /** The watermark of the newest frame (snapshot or heartbeat): what freshness is measured from. */
  asOf: Date | null;
  /** A bounded copy (≤ TREND_POINTS) of the trend ring, oldest first. */
  trend: TrendPoint[];
  socket: LiveSocketState;
}

export function useLiveSnapshot(token: string, query: SnapshotQuery): LiveView {
  const [view, setView] = useState<LiveView>({
    snapshot: null,
    asOf: null,
    trend: [],
    socket: { connected: false, disconnectedSince: null, badFrames: 0 },
  });

  useEffect(() => {
    const ring = new RingBuffer<TrendPoint>(TREND_POINTS);
    let hitRate: number | null = null;
    let lastSnapshotSeen = false;
    const socket = new LiveSocket(
      liveSocketUrl(token),
      query,
      (frame) => {
        if (frame.event === 'snapshot') {
          hitRate = frame.data.hitRate;
          lastSnapshotSeen = true;
          const asOf = new Date(frame.data.asOf);
          sampleTrend(ring, asOf.getTime(), hitRate);
          const trend = ring.toArray();
          setView((previous) => ({ ...previous, snapshot: frame.data, asOf, trend }));
        } else if (frame.event === 'heartbeat') {
          const asOf = new Date(frame.data.asOf);
          // Heartbeats carry no figures: they extend the trend with the last known hit rate.
          const changed = lastSnapshotSeen && sampleTrend(ring, asOf.getTime(), hitRate);
          const trend = changed ? ring.toArray() : null;
          setView((previous) => ({ ...previous, asOf, trend: trend ?? previous.trend }));
        }
      },
      (state) => setView((previous) => ({ ...previous, socket: state })),
    );
    socket.open();
    return () => socket.close();
  }, [token, query.shop, query.window, query.source]);

  return view;
}

/** Re-renders every `periodMs` so that freshness keeps counting when no frame arrives. */
export function useNow(periodMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(timer);
  }, [periodMs]);
  return now;
}

/** 1 vh in CSS pixels, kept current on resize: ECharts takes pixel font sizes, the wall thinks in vh. */
export function useViewportUnit(): number {
  const [vh, setVh] = useState(() => window.innerHeight / 100);
  useEffect(() => {
    const onResize = () => setVh(window.innerHeight / 100);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return vh;
}
