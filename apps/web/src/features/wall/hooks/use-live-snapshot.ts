import type { LiveSnapshot, SnapshotQuery } from '@warroom/contracts';
import { useEffect, useState } from 'react';
import { LiveSocket, liveSocketUrl, type LiveSocketState } from '../../../lib/live-socket';

/** How many hit-rate points the trend keeps: a fixed ring, so memory stays flat over a whole night. */
const TREND_POINTS = 240;

export interface TrendPoint {
  at: string;
  hitRate: number | null;
}

export interface LiveView {
  snapshot: LiveSnapshot | null;
  /** The watermark of the newest frame (snapshot or heartbeat): what freshness is measured from. */
  asOf: Date | null;
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
    const socket = new LiveSocket(
      liveSocketUrl(token),
      query,
      (frame) => {
        setView((previous) => {
          if (frame.event === 'snapshot') {
            const point = { at: frame.data.asOf, hitRate: frame.data.hitRate };
            const trend = [...previous.trend, point].slice(-TREND_POINTS);
            return { ...previous, snapshot: frame.data, asOf: new Date(frame.data.asOf), trend };
          }
          if (frame.event === 'heartbeat') return { ...previous, asOf: new Date(frame.data.asOf) };
          return previous;
        });
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
