import type { SnapshotCampaign } from '@warroom/contracts';
import { useNow } from '../../../hooks/use-now';
import { COLORS } from './format';
import type { Messages } from './messages';

/** `1天 02:03:04` / `02:03:04`: whole seconds left, never negative. */
export function formatCountdown(ms: number, t: Messages): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const clock = [Math.floor(total / 3600) % 24, Math.floor(total / 60) % 60, total % 60]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
  return days > 0 ? `${days}${t.days} ${clock}` : clock;
}

/**
 * Where the campaign's night stands: the promo moment now in force, and a countdown to the next one,
 * counted on the wall's own clock (it keeps running between snapshots). The next moment shows by its
 * label only: a rehearsal's labels carry the campaign's clock times, the countdown the real time left.
 */
export function PromoCountdown({ campaign, t }: { campaign: SnapshotCampaign | null; t: Messages }) {
  const now = useNow(500);
  if (!campaign) {
    return (
      <div data-testid="promo" data-state="none" style={{ color: COLORS.muted, fontSize: '2.6vh' }}>
        {t.noCampaign}
      </div>
    );
  }
  const next = campaign.nextMoment;
  return (
    <div data-testid="promo" data-state="running" style={{ display: 'flex', flexDirection: 'column', gap: '0.4vh', minWidth: 0 }}>
      <div className="wall-ellipsis" style={{ color: COLORS.muted, fontSize: '1.9vh' }}>
        {campaign.name}
      </div>
      <div data-testid="promo-current" className="wall-ellipsis" style={{ fontSize: '3.6vh', fontWeight: 700, color: COLORS.orange }}>
        {campaign.currentMoment ? campaign.currentMoment.label : t.beforeFirstMoment}
      </div>
      {next ? (
        <>
          <div className="wall-ellipsis" style={{ fontSize: '2.2vh', marginTop: '0.6vh' }}>
            {t.nextMoment} {next.label}
          </div>
          <div data-testid="promo-countdown" style={{ fontSize: '6.4vh', lineHeight: 1.05, fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>
            {formatCountdown(Date.parse(next.at) - now, t)}
          </div>
        </>
      ) : (
        <div style={{ fontSize: '2.2vh', color: COLORS.muted, marginTop: '0.6vh' }}>{t.afterLastMoment}</div>
      )}
    </div>
  );
}
