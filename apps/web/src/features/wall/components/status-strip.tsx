import type { CSSProperties } from 'react';
import type { PartStatus, SystemStatus } from '@warroom/contracts';
import { COLORS, formatClock } from './format';
import type { Messages } from './messages';

/** Down before degraded: the worst news is read first. */
const SEVERITY: Record<PartStatus['state'], number> = { down: 0, degraded: 1, up: 2 };

export interface Trouble {
  /** The parts not up, worst first. */
  troubled: PartStatus[];
  /** Events lost to holes in the offsets. */
  missing: number;
}

/**
 * What the strip has to say, or null for nothing: every part up and nothing missing (a quiet wall is a
 * healthy one). The api itself going away is the page's "disconnected" overlay, so the strip says nothing
 * meanwhile: what it would show could be out of date.
 */
export function troubleOf(status: SystemStatus | null, connected: boolean): Trouble | null {
  if (!status || !connected) return null;
  const troubled = status.parts.filter((part) => part.state !== 'up').sort((a, b) => SEVERITY[a.state] - SEVERITY[b.state]);
  const missing = status.missingEvents ?? 0;
  return troubled.length === 0 && missing === 0 ? null : { troubled, missing };
}

/**
 * Which part is down and since when, and events lost, as the api last saw them: a red band, readable across
 * the room, when a part is down or events were lost; amber while a part only struggles (ingest catching up,
 * the bot spooling).
 */
export function StatusStrip({ trouble: { troubled, missing }, t }: { trouble: Trouble; t: Messages }) {
  const loud = missing > 0 || troubled.some((part) => part.state === 'down');
  return (
    <div data-testid="status-strip" data-level={loud ? 'down' : 'degraded'} role="alert" style={loud ? LOUD : DEGRADED}>
      {missing > 0 ? (
        <span data-testid="status-data-loss" style={ITEM}>
          <strong>
            ⚠ {t.status.dataLoss}: {missing.toLocaleString()} {t.status.missingEvents}
          </strong>
        </span>
      ) : null}
      {troubled.map((part) => (
        <span key={part.part} data-testid={`status-part-${part.part}`} data-state={part.state} style={ITEM}>
          <strong>
            {part.state === 'down' ? '■' : '▲'} {t.status.part[part.part]} {part.state === 'down' ? t.status.down : t.status.degraded}
          </strong>
          <span style={{ fontVariantNumeric: 'tabular-nums' }}>
            {t.status.since} {formatClock(part.since)}
          </span>
          {part.problem ? <span style={PROBLEM}>{part.problem}</span> : null}
        </span>
      ))}
    </div>
  );
}

const BAND: CSSProperties = {
  display: 'flex',
  flexWrap: 'wrap',
  alignItems: 'baseline',
  gap: '0.6vh 2.5vw',
  padding: '0.4vh 1.5vw',
  borderRadius: '1vh',
  // Twice the tiles' text, as big as the title: read across the room, and a part down and data loss still
  // fit on one line at 16:9.
  fontSize: '4.2vh',
  lineHeight: 1.1,
  minWidth: 0,
};
const LOUD: CSSProperties = { ...BAND, background: '#b62324', color: '#ffffff', border: `0.3vh solid ${COLORS.red}` };
const DEGRADED: CSSProperties = { ...BAND, background: COLORS.amber, color: '#0b0f17', fontSize: '3.4vh' };
const ITEM: CSSProperties = { display: 'inline-flex', alignItems: 'baseline', gap: '1vw', whiteSpace: 'nowrap', minWidth: 0 };
/** The reason in the api's words: smaller, and cut rather than wrapped, so the part and the time stay big. */
const PROBLEM: CSSProperties = { fontSize: '0.55em', opacity: 0.9, maxWidth: '30vw', overflow: 'hidden', textOverflow: 'ellipsis' };
