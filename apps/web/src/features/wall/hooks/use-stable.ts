import { useRef } from 'react';

/**
 * The same reference as long as the value's JSON is the same: snapshots arrive every tick as new objects,
 * and memoizing chart options on a stable reference means ECharts' setOption runs only when figures change.
 */
export function useStable<T>(value: T): T {
  const ref = useRef<{ key: string; value: T } | null>(null);
  const key = JSON.stringify(value);
  if (ref.current === null || ref.current.key !== key) ref.current = { key, value };
  return ref.current.value;
}
