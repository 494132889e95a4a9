import { useQuery } from '@tanstack/react-query';
import type { Briefing, EventSource } from '@warroom/contracts';
import { useNow } from '../../../hooks/use-now';
import { wallBriefingQueryOptions } from '../api/get-briefing';
import { COLORS } from './format';
import { messages as wallMessages, type Lang } from './messages';
import { formatCountdown } from './promo-countdown';

/** How many predicted questions the tile lists. */
const SHOWN = 3;

const TEXT = {
  zh: {
    title: (label: string) => `节点简报 · ${label}`,
    in: '距节点',
    answered: '已能回答',
    notAnswered: '还不能回答',
    expected: (n: number) => `预计 ${n}`,
    hitRate: '识别率',
    lastTime: '上次',
    now: '本次',
  },
  en: {
    title: (label: string) => `Briefing · ${label}`,
    in: 'in',
    answered: 'answered',
    notAnswered: 'not answered yet',
    expected: (n: number) => `~${n}`,
    hitRate: 'Hit rate',
    lastTime: 'last time',
    now: 'now',
  },
} as const;

/**
 * The "next moment" tile (issue 23): the briefing's moment with its countdown, the top predicted
 * questions with whether the knowledge base answers them now, and after the moment the hit rate in its
 * window last time against now. Read over REST with the kiosk token; nothing when no briefing applies.
 */
export function NextMomentTile({ token, source, lang }: { token: string; source: EventSource; lang: Lang }) {
  const { data } = useQuery(wallBriefingQueryOptions(token, source));
  const now = useNow(500);
  if (!data || data.status === 'none' || data.status === 'upcoming' || !data.moment) return null;
  const text = TEXT[lang];
  const at = Date.parse(data.moment.at);
  return (
    <div
      data-testid="next-moment"
      data-status={data.status}
      style={{ marginTop: '0.8vh', paddingTop: '0.8vh', borderTop: `0.15vh solid ${COLORS.border}`, display: 'flex', flexDirection: 'column', gap: '0.4vh', minWidth: 0, flexShrink: 0 }}
    >
      <div style={{ display: 'flex', gap: '0.6vw', fontSize: '1.9vh', color: COLORS.muted, minWidth: 0 }}>
        <span className="wall-ellipsis" style={{ flex: 1 }}>
          {text.title(data.moment.label)}
        </span>
        {now < at ? (
          <span data-testid="next-moment-countdown" style={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
            {text.in} {formatCountdown(at - now, wallMessages[lang])}
          </span>
        ) : null}
      </div>
      {data.status === 'after' && data.hitRate ? <HitRates briefing={data} lang={lang} /> : null}
      {data.entries.slice(0, SHOWN).map((entry) => (
        <div key={`${entry.shopId}|${entry.representative}`} data-testid="next-moment-entry" data-verdict={entry.now.kind} className="wall-ellipsis" style={{ fontSize: '2vh' }}>
          <span style={{ color: entry.now.kind === 'answered' ? COLORS.green : COLORS.amber }} title={entry.now.kind === 'answered' ? text.answered : text.notAnswered}>
            {entry.now.kind === 'answered' ? '✓' : '✗'}
          </span>{' '}
          {entry.representative} <span style={{ color: COLORS.muted }}>{text.expected(Math.round(entry.expected))}</span>
        </div>
      ))}
    </div>
  );
}

function HitRates({ briefing, lang }: { briefing: Briefing; lang: Lang }) {
  const text = TEXT[lang];
  const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)}%`);
  return (
    <div data-testid="next-moment-hit-rate" style={{ fontSize: '2vh' }}>
      {text.hitRate} {text.lastTime} {percent(briefing.hitRate?.lastTime)} · {text.now} <b>{percent(briefing.hitRate?.now)}</b>
    </div>
  );
}
