import { DASH } from '../../../utils/format';
import type { Lang } from './messages';

export function formatCount(value: number | null): string {
  return value === null ? DASH : String(value);
}

/** Fractional agents (what a what-if saves) to two places, as the CSV export rounds them. */
export function formatAgents(value: number | null): string {
  return value === null ? DASH : String(Math.round(value * 100) / 100);
}

export function formatNumber(value: number | null, digits = 1): string {
  return value === null ? DASH : value.toFixed(digits);
}

/** An interval start in the viewer's time zone: `MM-DD HH:mm` (date kept: ranges span days). */
export function formatSlot(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

export function formatTime(iso: string, lang: Lang): string {
  return new Date(iso).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}
