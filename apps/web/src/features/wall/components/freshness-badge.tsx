import { useNow } from '../../../hooks/use-now';
import type { Messages } from './messages';

export type FreshnessLevel = 'fresh' | 'lagging' | 'stale';

/** Green under 3 s, amber under 10 s, red beyond (the wall must never be stale without saying so). */
export function freshnessLevel(ageMs: number | null): FreshnessLevel {
  if (ageMs === null || ageMs >= 10_000) return 'stale';
  return ageMs < 3_000 ? 'fresh' : 'lagging';
}

const COLORS: Record<FreshnessLevel, string> = { fresh: '#2ea043', lagging: '#d29922', stale: '#f85149' };

/** Freshness = now − asOf, counted on the wall's clock so that it keeps growing when no frame arrives. */
export function FreshnessBadge({ asOf, t }: { asOf: Date | null; t: Messages }) {
  const now = useNow(500);
  const ageMs = asOf ? now - asOf.getTime() : null;
  const level = freshnessLevel(ageMs);
  const label = ageMs === null ? '—' : `${(Math.max(0, ageMs) / 1000).toFixed(1)} s`;
  return (
    <div data-testid="freshness" data-level={level} style={{ display: 'flex', alignItems: 'center', gap: '0.5em' }}>
      <span style={{ width: '0.8em', height: '0.8em', borderRadius: '50%', background: COLORS[level] }} />
      <span>
        {t.fresh} {label}
      </span>
    </div>
  );
}
