import type { LiveOutreach, OutreachSide } from '@warroom/contracts';
import { memo } from 'react';
import { formatPercent } from '../../../utils/format';
import { COLORS } from './format';
import type { Messages } from './messages';

const AGENT_COLOR = '#c9a7ff';

/** Cents as whole yuan, e.g. 1,234,500 → `¥12,345`. */
function yuan(cents: number): string {
  return `¥${Math.round(cents / 100).toLocaleString()}`;
}

function SideBlock({ side, label, color, t, testId }: { side: OutreachSide | undefined; label: string; color: string; t: Messages; testId: string }) {
  const m = t.outreach;
  return (
    <div data-testid={testId} style={{ display: 'flex', flexDirection: 'column', minWidth: 0 }}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '0.6vw', whiteSpace: 'nowrap' }}>
        <span style={{ fontSize: '3.6vh', lineHeight: 1.1, fontWeight: 700, color }} data-testid={`${testId}-rate`}>
          {formatPercent(side?.rate ?? null)}
        </span>
        <span style={{ fontSize: '1.9vh', color: COLORS.muted }}>{label}</span>
      </div>
      <div className="wall-ellipsis" style={{ fontSize: '1.8vh', color: COLORS.muted }}>
        {(side?.sessions ?? 0).toLocaleString()} {m.sessions} · {(side?.orders ?? 0).toLocaleString()} {m.orders} · {yuan(side?.amountCents ?? 0)}
      </div>
    </div>
  );
}

/**
 * What outreach earns in the window (DESIGN.md "Outreach"): conversion of the sessions the bot reached and of
 * those agents followed up, with their attributed orders and amount, and the follow-ups still waiting.
 */
export const OutreachTile = memo(function OutreachTile({ outreach, t }: { outreach: LiveOutreach | undefined; t: Messages }) {
  const m = t.outreach;
  return (
    <div data-testid="outreach" style={{ display: 'flex', flexDirection: 'column', gap: '1vh', minWidth: 0 }}>
      <SideBlock side={outreach?.bot} label={m.bot} color={COLORS.blue} t={t} testId="outreach-bot" />
      <SideBlock side={outreach?.agent} label={m.agent} color={AGENT_COLOR} t={t} testId="outreach-agent" />
      <div data-testid="outreach-open" style={{ fontSize: '1.9vh', color: COLORS.muted, whiteSpace: 'nowrap' }}>
        {m.open} {(outreach?.followUpsOpen ?? 0).toLocaleString()}
      </div>
    </div>
  );
});
