import { HANDOFF_REASONS, type LiveSnapshot } from '@warroom/contracts';
import { memo } from 'react';
import { COLORS } from './format';
import { formatPercent } from '../../../utils/format';
import type { Messages } from './messages';

const REASON_COLORS: Record<(typeof HANDOFF_REASONS)[number], string> = {
  customer_request: COLORS.blue,
  no_match: COLORS.amber,
  negative_emotion: COLORS.red,
  assist_mode: '#a371f7',
};

function Bar({ fraction, color }: { fraction: number | null; color: string }) {
  return (
    <div style={{ height: '0.9vh', background: COLORS.border, borderRadius: '0.45vh', overflow: 'hidden' }}>
      <div style={{ width: `${Math.min(100, (fraction ?? 0) * 100)}%`, height: '100%', background: color }} />
    </div>
  );
}

/**
 * Handoffs of bot-mode questions: the total rate and count, then each reason's rate, two reasons a row so
 * that the agents-needed figures fit under them in the same tile.
 */
export const HandoffsPanel = memo(function HandoffsPanel({ handoffs, t }: { handoffs: LiveSnapshot['handoffs'] | undefined; t: Messages }) {
  const maxRate = Math.max(0.0001, ...HANDOFF_REASONS.map((reason) => handoffs?.byReason[reason]?.rate ?? 0));
  return (
    <div data-testid="handoffs" style={{ display: 'flex', flexDirection: 'column', gap: '0.5vh' }}>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '1vw', minWidth: 0 }}>
        <span style={{ fontSize: '3.4vh', lineHeight: 1.1, fontWeight: 700, color: COLORS.orange }} data-testid="handoff-rate">
          {formatPercent(handoffs?.rate ?? null)}
        </span>
        <span className="wall-ellipsis" style={{ color: COLORS.muted }}>
          {t.handoffRate} · {(handoffs?.count ?? 0).toLocaleString()}
        </span>
      </div>
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(2, minmax(0, 1fr))', gap: '0.5vh 1vw' }}>
        {HANDOFF_REASONS.map((reason) => {
          const figures = handoffs?.byReason[reason];
          return (
            <div key={reason} data-reason={reason}>
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: '0.4vw', fontSize: '1.9vh', lineHeight: 1.25 }}>
                <span className="wall-ellipsis">{t.reason[reason]}</span>
                <span style={{ fontVariantNumeric: 'tabular-nums', fontWeight: 600 }}>{formatPercent(figures?.rate ?? null)}</span>
              </div>
              <Bar fraction={(figures?.rate ?? 0) / maxRate} color={REASON_COLORS[reason]} />
            </div>
          );
        })}
      </div>
    </div>
  );
});

function SplitBar({ left, right }: { left: number; right: number }) {
  const total = left + right;
  const share = total === 0 ? 0.5 : left / total;
  return (
    <div style={{ display: 'flex', height: '2vh', borderRadius: '1vh', overflow: 'hidden', background: COLORS.border }}>
      <div style={{ width: `${share * 100}%`, background: COLORS.blue }} />
      <div style={{ flex: 1, background: '#a371f7' }} />
    </div>
  );
}

/** Bot vs assist mode (questions), and bot-only vs with-a-human conversion (sessions). */
export const ModesAndConversion = memo(function ModesAndConversion({ snapshot, t }: { snapshot: LiveSnapshot | null; t: Messages }) {
  const bot = snapshot?.modes.bot ?? 0;
  const assist = snapshot?.modes.assist ?? 0;
  const total = bot + assist;
  const conversion = snapshot?.conversion;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: '1.4vh' }}>
      <div data-testid="modes">
        <div style={{ color: COLORS.muted, fontSize: '2.2vh' }}>{t.modes}</div>
        <div style={{ display: 'flex', justifyContent: 'space-between', fontSize: '2.6vh', fontWeight: 600 }}>
          <span style={{ color: COLORS.blue }}>
            {t.botMode} {formatPercent(total ? bot / total : null, 0)}
          </span>
          <span style={{ color: '#c9a7ff' }}>
            {t.assistMode} {formatPercent(total ? assist / total : null, 0)}
          </span>
        </div>
        <SplitBar left={bot} right={assist} />
      </div>
      <div data-testid="conversion">
        <div style={{ color: COLORS.muted, fontSize: '2.2vh' }}>{t.conversion}</div>
        <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '1vw' }}>
          {(['bot', 'agent'] as const).map((side) => (
            <div key={side}>
              <div style={{ fontSize: '4vh', fontWeight: 700, color: side === 'bot' ? COLORS.blue : '#c9a7ff' }}>
                {formatPercent(conversion?.[side].rate ?? null)}
              </div>
              <div style={{ fontSize: '1.8vh', color: COLORS.muted }}>
                {side === 'bot' ? t.botSessions : t.agentSessions} · {(conversion?.[side].sessions ?? 0).toLocaleString()} {t.sessions}
              </div>
            </div>
          ))}
        </div>
      </div>
    </div>
  );
});
