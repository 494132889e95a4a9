import { useEffect, useState } from 'react';

/** The time now (epoch ms), re-rendering every `everyMs`: running clocks, waits and freshness keep counting without new data. */
export function useNow(everyMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}
