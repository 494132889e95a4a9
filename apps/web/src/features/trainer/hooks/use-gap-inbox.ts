import { useQuery } from '@tanstack/react-query';
import type { EventSource, Gap, ServerFrame } from '@warroom/contracts';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorText } from '../../../lib/api-client';
import { LiveSocket, liveSocketUrl, type LiveSocketState } from '../../../lib/live-socket';
import { gapsQueryOptions } from '../api/get-gaps';

/** How long a gap that arrived while the inbox was open stays highlighted. */
const NEW_HIGHLIGHT_MS = 15_000;

export interface GapInbox {
  /** Every gap known, by id (active ones, and any this tab saw change state since). */
  gaps: ReadonlyMap<string, Gap>;
  /** Ids of gaps that appeared after the first list, until their highlight fades. */
  fresh: ReadonlySet<string>;
  /** `push`: gap frames over the WebSocket; `poll`: `GET /api/gaps` on a timer (no push yet). */
  mode: 'push' | 'poll';
  connection: LiveSocketState;
  problem: string | null;
  /** A gap the api returned (after claim, release…): shown at once, without waiting for its push. */
  upsert: (gap: Gap) => void;
  /** Merged gaps: where a gap id went. */
  mergedInto: ReadonlyMap<string, string>;
}

/**
 * The live gap inbox: `subscribe_gaps` on `/live` (the whole list once, then each change), with a REST poll
 * for as long as no gap frame has arrived (an api without the push, or a socket that is away).
 */
export function useGapInbox(token: string, source: EventSource): GapInbox {
  const [gaps, setGaps] = useState<ReadonlyMap<string, Gap>>(new Map());
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [mergedInto, setMergedInto] = useState<ReadonlyMap<string, string>>(new Map());
  const [mode, setMode] = useState<'push' | 'poll'>('poll');
  const [connection, setConnection] = useState<LiveSocketState>({ connected: false, disconnectedSince: null, badFrames: 0 });
  const [pushProblem, setPushProblem] = useState<string | null>(null);
  const listed = useRef(false);
  const pushing = useRef(false);

  const markFresh = useCallback((ids: string[]) => {
    if (ids.length === 0) return;
    setFresh((previous) => new Set([...previous, ...ids]));
    setTimeout(() => setFresh((previous) => new Set([...previous].filter((id) => !ids.includes(id)))), NEW_HIGHLIGHT_MS);
  }, []);

  /** A full list: replaces the active gaps, keeps the closed ones this tab watches. */
  const replaceAll = useCallback(
    (list: Gap[]) => {
      setGaps((previous) => {
        const next = new Map<string, Gap>();
        for (const gap of previous.values()) if (gap.status === 'verified' || gap.status === 'dismissed') next.set(gap.gapId, gap);
        const arrived = list.filter((gap) => !previous.has(gap.gapId)).map((gap) => gap.gapId);
        for (const gap of list) next.set(gap.gapId, gap);
        if (listed.current) markFresh(arrived);
        listed.current = true;
        return next;
      });
    },
    [markFresh],
  );

  const upsert = useCallback(
    (gap: Gap) => {
      setGaps((previous) => {
        if (!previous.has(gap.gapId) && listed.current) markFresh([gap.gapId]);
        const next = new Map(previous);
        next.set(gap.gapId, gap);
        return next;
      });
    },
    [markFresh],
  );

  const onFrame = useCallback(
    (frame: ServerFrame) => {
      switch (frame.event) {
        case 'gaps':
          pushing.current = true;
          setMode('push');
          replaceAll(frame.data.gaps);
          return;
        case 'gap':
          upsert(frame.data);
          return;
        case 'gap_merged':
        case 'gap_expired': {
          const { gapId } = frame.data;
          if (frame.event === 'gap_merged') setMergedInto((previous) => new Map(previous).set(gapId, frame.data.into));
          setGaps((previous) => {
            const next = new Map(previous);
            next.delete(gapId);
            return next;
          });
          return;
        }
        case 'error':
          setPushProblem(frame.data.message);
          return;
        default:
          return;
      }
    },
    [replaceAll, upsert],
  );

  useEffect(() => {
    const socket = new LiveSocket(liveSocketUrl(), token, { event: 'subscribe_gaps', data: { shop: 'all', source } }, onFrame, (state) => {
      setConnection(state);
      // Away: fall back to polling until the next `gaps` frame.
      if (!state.connected && pushing.current) {
        pushing.current = false;
        setMode('poll');
      }
    });
    socket.open();
    return () => socket.close();
  }, [token, source, onFrame]);

  // The REST list while the push is away; a push that came up meanwhile wins over a read in flight.
  const fallback = useQuery({ ...gapsQueryOptions(token, source), enabled: mode !== 'push' });
  useEffect(() => {
    if (fallback.data && !pushing.current) replaceAll(fallback.data);
  }, [fallback.data, replaceAll]);
  const problem = (mode !== 'push' && fallback.error ? errorText(fallback.error) : null) ?? pushProblem;

  return { gaps, fresh, mode, connection, problem, upsert, mergedInto };
}
