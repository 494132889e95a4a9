import type { KbReply } from '@warroom/contracts';
import type { Lang } from './messages';

export function formatWait(seconds: number, lang: Lang): string {
  const s = Math.max(0, Math.round(seconds));
  const m = Math.floor(s / 60);
  const rest = String(s % 60).padStart(2, '0');
  if (lang === 'zh') return m > 0 ? `${m} 分 ${rest} 秒` : `${s} 秒`;
  return m > 0 ? `${m}:${rest} min` : `${s} s`;
}

/** What an agent would send for an answer: its text (a video or products as links after it). */
export function replyAsText(reply: KbReply): string {
  if (reply.type === 'video') return `${reply.text}\n${reply.videoUrl}`;
  if (reply.type === 'products') return `${reply.text}\n${reply.products.map((p) => `${p.title} ${p.url}`).join('\n')}`;
  return reply.text;
}
