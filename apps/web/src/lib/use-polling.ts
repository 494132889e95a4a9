import { useEffect, useRef } from 'react';
import { errorText } from './api-client';

/**
 * Reads at once, then every `everyMs` while `enabled`: `onData` gets each result, `onProblem` the error
 * text of a failed read (null again after a good one). A read in flight is aborted when the inputs change
 * or the component leaves. Callbacks are read from a ref, so a new function each render restarts nothing.
 */
export function usePolling<T>(
  read: (signal: AbortSignal) => Promise<T>,
  options: { everyMs: number; enabled: boolean; onData: (data: T) => void; onProblem: (problem: string | null) => void },
  deps: readonly unknown[],
): void {
  const latest = useRef({ read, ...options });
  latest.current = { read, ...options };
  const { everyMs, enabled } = options;
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    const poll = (): Promise<void> =>
      latest.current.read(controller.signal).then(
        (data) => {
          latest.current.onProblem(null);
          latest.current.onData(data);
        },
        (error: unknown) => {
          if (!controller.signal.aborted) latest.current.onProblem(errorText(error));
        },
      );
    void poll();
    const timer = setInterval(() => void poll(), everyMs);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
    // The caller names what the read depends on; the callbacks come from the ref.
  }, [everyMs, enabled, ...deps]);
}
