import type { AgentsNow } from '@warroom/contracts';
import { COLORS } from './format';
import type { Messages } from './messages';

const count = (value: number | null | undefined): string => (value === null || value === undefined ? '—' : value.toLocaleString());

/**
 * Human agents needed now (the last 15 minutes' handoffs and conversations at the measured handling
 * time): with the bot, without it, what the bot saves, and who is on shift when a roster is known.
 */
export function AgentsTile({ agents, t }: { agents: AgentsNow | undefined; t: Messages }) {
  const m = t.agentsNow;
  const short = agents?.onShift !== null && agents?.onShift !== undefined && agents.withBot !== null && agents.onShift < agents.withBot;
  return (
    <div data-testid="agents-now" style={{ display: 'flex', flexDirection: 'column', gap: '0.4vh', borderTop: `1px solid ${COLORS.border}`, paddingTop: '0.6vh' }}>
      <div style={{ color: COLORS.muted, fontSize: '1.9vh' }}>{m.title}</div>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '1.2vw', whiteSpace: 'nowrap' }}>
        <span style={{ fontSize: '3.4vh', lineHeight: 1.1, fontWeight: 700, color: short ? COLORS.red : COLORS.green }} data-testid="agents-with-bot">
          {count(agents?.withBot)}
        </span>
        <span style={{ fontSize: '1.9vh' }}>{m.withBot}</span>
        <span style={{ fontSize: '2.6vh', fontWeight: 700, color: COLORS.muted }} data-testid="agents-without-bot">
          {count(agents?.withoutBot)}
        </span>
        <span style={{ fontSize: '1.9vh', color: COLORS.muted }}>{m.withoutBot}</span>
      </div>
      <div style={{ fontSize: '1.8vh', color: COLORS.muted, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {agents?.savedByBot !== null && agents?.savedByBot !== undefined ? `${m.saved} ${agents.savedByBot.toLocaleString()} · ` : ''}
        {agents?.onShift !== null && agents?.onShift !== undefined ? `${m.onShift} ${agents.onShift.toLocaleString()} · ` : ''}
        {agents?.ahtSec !== null && agents?.ahtSec !== undefined ? `${m.aht} ${Math.round(agents.ahtSec)} s (${m.basis[agents.ahtBasis]})` : m.noAht}
      </div>
    </div>
  );
}
