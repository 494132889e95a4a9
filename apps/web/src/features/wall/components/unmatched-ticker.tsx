import type { UnmatchedQuery } from '@warroom/contracts';
import { memo } from 'react';
import { COLORS, formatClock } from './format';
import type { Messages } from './messages';

/**
 * The newest unmatched questions (at most NEWEST_UNMATCHED_LIMIT, as the api sends them). The customer's
 * text is already PII-masked by the api and is rendered as a React text node: never as HTML.
 */
export const UnmatchedTicker = memo(function UnmatchedTicker({ items, t }: { items: readonly UnmatchedQuery[]; t: Messages }) {
  if (items.length === 0) {
    return (
      <div data-testid="unmatched-ticker" style={{ color: COLORS.muted, fontSize: '2.2vh' }}>
        {t.noUnmatched}
      </div>
    );
  }
  return (
    <ol
      data-testid="unmatched-ticker"
      style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: '0.8vh', minHeight: 0, overflow: 'hidden' }}
    >
      {items.map((item) => (
        <li
          key={item.eventId}
          data-testid="unmatched-item"
          style={{ borderLeft: `0.5vh solid ${item.outcome === 'handoff' ? COLORS.orange : COLORS.amber}`, paddingLeft: '1vh' }}
        >
          {/* One line whatever the column's width: the best candidate gives way first. */}
          <div style={{ display: 'flex', gap: '1vw', color: COLORS.muted, fontSize: '1.7vh', whiteSpace: 'nowrap', overflow: 'hidden' }}>
            <span style={{ fontVariantNumeric: 'tabular-nums' }}>{formatClock(item.eventTime)}</span>
            <span>{item.shopId}</span>
            <span style={{ color: item.outcome === 'handoff' ? COLORS.orange : COLORS.amber }}>{t.outcome[item.outcome]}</span>
            {item.bestCandidateId ? <span className="wall-ellipsis">≈ {item.bestCandidateId}</span> : null}
          </div>
          <div
            data-testid="unmatched-text"
            style={{ fontSize: '2.3vh', whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}
          >
            {item.text}
          </div>
        </li>
      ))}
    </ol>
  );
});
