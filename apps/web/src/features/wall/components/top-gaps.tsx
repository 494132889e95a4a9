import type { Gap, TimeToPatch } from '@warroom/contracts';
import { memo } from 'react';
import { useNow } from '../../../hooks/use-now';
import { formatStopwatch } from '../../../utils/format';
import { COLORS } from './format';
import type { Messages } from './messages';

/** How many gaps the tile lists (the most costly). */
const SHOWN = 5;

const STATUS_COLOR: Record<Gap['status'], string> = {
  open: COLORS.amber,
  claimed: COLORS.blue,
  published: COLORS.green,
  verified: COLORS.green,
  dismissed: COLORS.muted,
};

/**
 * The top gaps by cost (DESIGN.md): what the bot cannot answer, ranked by what it costs. A gap that opened
 * while the wall watched flashes for a few seconds; a claimed or published gap shows its time-to-patch
 * clock running (first seen → now). Below, time-to-patch median and p90 of the verified gaps. The
 * representative question is already masked by the api and is rendered as text, never as HTML.
 */
export const TopGaps = memo(function TopGaps({
  gaps,
  arrivedAt,
  timeToPatch,
  t,
}: {
  gaps: readonly Gap[];
  arrivedAt: ReadonlyMap<string, number>;
  timeToPatch: TimeToPatch | undefined;
  t: Messages;
}) {
  const shown = gaps.slice(0, SHOWN);
  return (
    <div data-testid="top-gaps" style={{ display: 'flex', flexDirection: 'column', gap: '0.8vh', minHeight: 0, flex: 1 }}>
      {shown.length === 0 ? (
        <div style={{ color: COLORS.muted, fontSize: '2.2vh' }}>{t.gaps.none}</div>
      ) : (
        <ol style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '0.8vh', minHeight: 0, overflow: 'hidden' }}>
          {shown.map((gap) => (
            <GapRow key={gap.gapId} gap={gap} isNew={arrivedAt.has(gap.gapId)} t={t} />
          ))}
        </ol>
      )}
      <div style={{ flex: 1 }} />
      <div data-testid="time-to-patch" style={{ fontSize: '2vh', color: COLORS.muted, whiteSpace: 'nowrap', overflow: 'hidden' }}>
        <div>
          {t.gaps.timeToPatch} · {t.gaps.verified} {timeToPatch?.verified ?? 0}
        </div>
        <div style={{ display: 'flex', gap: '1.2vw' }}>
          <span>
            {t.gaps.median}{' '}
            <b style={{ color: COLORS.text, fontSize: '2.6vh', fontVariantNumeric: 'tabular-nums' }}>
              {timeToPatch?.medianMs != null ? formatStopwatch(timeToPatch.medianMs) : '—'}
            </b>
          </span>
          <span>
            p90{' '}
            <b style={{ color: COLORS.text, fontSize: '2.6vh', fontVariantNumeric: 'tabular-nums' }}>
              {timeToPatch?.p90Ms != null ? formatStopwatch(timeToPatch.p90Ms) : '—'}
            </b>
          </span>
        </div>
      </div>
    </div>
  );
});

function GapRow({ gap, isNew, t }: { gap: Gap; isNew: boolean; t: Messages }) {
  const running = gap.status === 'claimed' || gap.status === 'published';
  return (
    <li
      data-testid="gap-item"
      data-new={isNew ? 'true' : undefined}
      style={{ borderLeft: `0.5vh solid ${STATUS_COLOR[gap.status]}`, paddingLeft: '1vh', borderRadius: '0.4vh', position: 'relative' }}
    >
      {isNew ? <Flash /> : null}
      {/* Wraps rather than cuts: the shop, last, is what tells two gaps of the same question apart. */}
      <div style={{ display: 'flex', flexWrap: 'wrap', columnGap: '0.8vw', alignItems: 'baseline', fontSize: '1.8vh', color: COLORS.muted, whiteSpace: 'nowrap' }}>
        <b style={{ color: COLORS.orange, fontSize: '2.3vh', fontVariantNumeric: 'tabular-nums' }}>{Math.round(gap.cost).toLocaleString()}</b>
        <span>
          {gap.volume.window.toLocaleString()} {t.gaps.questions}
        </span>
        <span style={{ color: STATUS_COLOR[gap.status] }}>{t.gaps.status[gap.status]}</span>
        {running ? <PatchClock since={gap.firstSeenAt} /> : null}
        <span data-testid="gap-shop">{gap.shopId}</span>
        {isNew ? <span style={{ color: COLORS.red, fontWeight: 800 }}>{t.gaps.new}</span> : null}
      </div>
      <div data-testid="gap-text" style={{ fontSize: '2.3vh', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {gap.representative}
      </div>
    </li>
  );
}

/** The time-to-patch clock of one gap; its own component, so that its ticking re-renders nothing else. */
function PatchClock({ since }: { since: string }) {
  const now = useNow(1_000);
  return (
    <span data-testid="patch-clock" style={{ color: COLORS.text, fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>
      {formatStopwatch(now - Date.parse(since))}
    </span>
  );
}

/** A highlight that blinks twice a second while the gap is new. */
function Flash() {
  const now = useNow(500);
  const on = Math.floor(now / 500) % 2 === 0;
  return (
    <span
      aria-hidden
      style={{ position: 'absolute', inset: 0, background: on ? 'rgba(248, 81, 73, 0.28)' : 'rgba(248, 81, 73, 0.08)', borderRadius: '0.4vh', pointerEvents: 'none' }}
    />
  );
}
