/** Formatters every screen shares (features never import each other, so shared ones live here). */

export type Lang = 'zh' | 'en';

/** What a figure shows when there is none yet. */
export const DASH = '—';

/** A share as a percentage, e.g. 0.556 → `55.6%` (or `56%` with no decimals); a dash for none. */
export function formatPercent(value: number | null, digits = 1): string {
  return value === null ? DASH : `${(value * 100).toFixed(digits)}%`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A duration in words: `1 h 02 min 03 s` / `1 小时 02 分 03 秒` (desk screens). */
export function formatDuration(ms: number, lang: Lang): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (lang === 'zh') return h > 0 ? `${h} 小时 ${pad(m)} 分 ${pad(s)} 秒` : m > 0 ? `${m} 分 ${pad(s)} 秒` : `${s} 秒`;
  return h > 0 ? `${h} h ${pad(m)} min ${pad(s)} s` : m > 0 ? `${m} min ${pad(s)} s` : `${s} s`;
}

/** A duration as a stopwatch, `1:05:09`, `12:04`, `0:42`: readable from across the room (the wall). */
export function formatStopwatch(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h > 0 ? `${h}:${pad(m)}` : String(m)}:${pad(s)}`;
}

/** A time of day in the viewer's time zone, 24-hour, in the page's language. */
export function formatTimeOfDay(at: string | number, lang: Lang): string {
  return new Date(at).toLocaleTimeString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}
