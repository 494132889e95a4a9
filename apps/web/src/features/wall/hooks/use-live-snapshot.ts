import type { LiveSnapshot, SnapshotQuery, SystemStatus } from '@warroom/contracts';
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
  questionsPerMinute: number;
}

/** The figures a trend point keeps of a snapshot. */
type TrendFigures = Pick<TrendPoint, 'hitRate' | 'questionsPerMinute'>;

/**
 * The api sends a snapshot only when figures change and heartbeats in between, so the trend samples
 * both: a new point every TREND_SAMPLE_MS of watermark, the newest point updated in between. Returns
 * whether a point was added: the trend charts are redrawn then, not at every snapshot (redrawing three
 * charts per snapshot made the wall's longest tasks; a point a few seconds late on a 20-minute line is not).
 */
function sampleTrend(ring: RingBuffer<TrendPoint>, at: number, figures: TrendFigures): boolean {
  const last = ring.last();
  if (last === undefined || at - last.at >= TREND_SAMPLE_MS) {
    ring.push({ at, ...figures });
    return true;
  }
  if (at >= last.at) ring.replaceLast({ at: last.at, ...figures });
  return false;
}

export interface LiveView {
  snapshot: LiveSnapshot | null;
  /** The watermark of the newest frame (snapshot or heartbeat): what freshness is measured from. */
  asOf: Date | null;
  /** A bounded copy (≤ TREND_POINTS) of the trend ring, oldest first. */
  trend: TrendPoint[];
  socket: LiveSocketState;
  /** The parts' health as the api last pushed it; null before the first `system_status` frame. */
  status: SystemStatus | null;
}

export function useLiveSnapshot(token: string, query: SnapshotQuery): LiveView {
  const [view, setView] = useState<LiveView>({
    snapshot: null,
    asOf: null,
    trend: [],
    socket: { connected: false, disconnectedSince: null, badFrames: 0 },
    status: null,
  });

  useEffect(() => {
    const ring = new RingBuffer<TrendPoint>(TREND_POINTS);
    let figures: TrendFigures | null = null;
    const socket = new LiveSocket(
      liveSocketUrl(),
      token,
      query,
      (frame) => {
        if (frame.event === 'snapshot') {
          figures = { hitRate: frame.data.hitRate, questionsPerMinute: frame.data.questionsPerMinute };
          const asOf = new Date(frame.data.asOf);
          const trend = sampleTrend(ring, asOf.getTime(), figures) ? ring.toArray() : null;
          setView((previous) => ({ ...previous, snapshot: frame.data, asOf, trend: trend ?? previous.trend }));
        } else if (frame.event === 'heartbeat') {
          const asOf = new Date(frame.data.asOf);
          // Heartbeats carry no figures: they extend the trend with the last known ones.
          const changed = figures !== null && sampleTrend(ring, asOf.getTime(), figures);
          const trend = changed ? ring.toArray() : null;
          setView((previous) => ({ ...previous, asOf, trend: trend ?? previous.trend }));
        } else if (frame.event === 'system_status') {
          setView((previous) => ({ ...previous, status: frame.data }));
        }
      },
      (state) => setView((previous) => ({ ...previous, socket: state })),
    );
    socket.open();
    return () => socket.close();
  }, [token, query.shop, query.window, query.source]);

  return view;
}

export interface ViewportUnits {
  vh: number;
  vw: number;
}

function viewportUnits(): ViewportUnits {
  return { vh: window.innerHeight / 100, vw: window.innerWidth / 100 };
}

/** 1 vh and 1 vw in CSS pixels, kept current on resize: ECharts takes pixel sizes, the wall thinks in vh/vw. */
export function useViewportUnits(): ViewportUnits {
  const [units, setUnits] = useState(viewportUnits);
  useEffect(() => {
    const onResize = () => setUnits(viewportUnits());
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return units;
}
