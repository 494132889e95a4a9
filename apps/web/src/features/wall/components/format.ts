/** ▲ / ▼ with the relative change, or ● new when there was nothing before. */
export function formatTrend(trend: number | null): { arrow: string; text: string; direction: 'up' | 'down' | 'flat' | 'new' } {
  if (trend === null) return { arrow: '●', text: 'new', direction: 'new' };
  if (Math.abs(trend) < 0.005) return { arrow: '■', text: '0%', direction: 'flat' };
  const pct = `${Math.round(Math.abs(trend) * 100)}%`;
  return trend > 0 ? { arrow: '▲', text: pct, direction: 'up' } : { arrow: '▼', text: pct, direction: 'down' };
}

/**
 * One formatter for every clock on the wall: `toLocaleTimeString` builds a new one per call, which was the
 * wall's largest cost (a dozen clocks re-rendered every half second).
 */
const CLOCK = new Intl.DateTimeFormat('zh-CN', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

export function formatClock(iso: string | Date): string {
  return CLOCK.format(typeof iso === 'string' ? new Date(iso) : iso);
}

export const COLORS = {
  panel: '#111826',
  border: '#243044',
  muted: '#9aa7b8',
  text: '#e6edf3',
  blue: '#58a6ff',
  green: '#3fb950',
  amber: '#d29922',
  red: '#f85149',
  orange: '#ff8c42',
} as const;
