import type { EventSource, Gap, ServerFrame } from '@warroom/contracts';
import { useEffect, useState } from 'react';
import { LiveSocket, liveSocketUrl } from '../../../lib/live-socket';

/** How long a gap that opened while the wall watched flashes. */
export const NEW_GAP_FLASH_MS = 8_000;

export interface LiveGaps {
  /** The active gaps (open, claimed, published), cost descending. */
  gaps: Gap[];
  /** When each gap that opened after the first list arrived (epoch ms), while it still flashes. */
  arrivedAt: ReadonlyMap<string, number>;
}

/**
 * The active gaps of a source over `/live` (`subscribe_gaps`: the list once, then each change), on their own
 * socket so that a gap push never delays a snapshot. Memory stays flat: the map holds active gaps only
 * (verified, dismissed, merged and expired ones are dropped) and the api sends at most 100.
 */
export function useLiveGaps(token: string, source: EventSource): LiveGaps {
  const [state, setState] = useState<LiveGaps>({ gaps: [], arrivedAt: new Map() });

  useEffect(() => {
    const active = new Map<string, Gap>();
    const arrivedAt = new Map<string, number>();
    let listed = false;
    const publish = (): void => {
      const now = Date.now();
      for (const [gapId, at] of arrivedAt) if (now - at >= NEW_GAP_FLASH_MS || !active.has(gapId)) arrivedAt.delete(gapId);
      setState({ gaps: [...active.values()].sort((a, b) => b.cost - a.cost), arrivedAt: new Map(arrivedAt) });
    };
    const onFrame = (frame: ServerFrame): void => {
      switch (frame.event) {
        case 'gaps':
          // A fresh list (also after every reconnect): what is not in it is no longer active.
          active.clear();
          for (const gap of frame.data.gaps) active.set(gap.gapId, gap);
          listed = true;
          return publish();
        case 'gap': {
          const gap = frame.data;
          if (gap.status === 'verified' || gap.status === 'dismissed') active.delete(gap.gapId);
          else {
            if (listed && !active.has(gap.gapId) && gap.mergedIds.length === 0 && gap.volume.total <= 1) arrivedAt.set(gap.gapId, Date.now());
            active.set(gap.gapId, gap);
          }
          return publish();
        }
        case 'gap_merged':
        case 'gap_expired':
          active.delete(frame.data.gapId);
          return publish();
        default:
          return;
      }
    };
    const socket = new LiveSocket(liveSocketUrl(), token, { event: 'subscribe_gaps', data: { shop: 'all', source } }, onFrame, () => undefined);
    socket.open();
    // Flashes end by themselves, without waiting for the next frame.
    const timer = setInterval(() => {
      if (arrivedAt.size > 0) publish();
    }, 1_000);
    return () => {
      clearInterval(timer);
      socket.close();
    };
  }, [token, source]);

  return state;
}
