import { EMOTIONS, type LiveSnapshot } from '@warroom/contracts';
import { memo } from 'react';
import { COLORS } from './format';
import { formatPercent } from '../../../utils/format';
import type { Messages } from './messages';

type Emotion = (typeof EMOTIONS)[number];

/** Angry and anxious are what a supervisor acts on: they get a hot colour, the rest a cool one. */
const HOT: ReadonlySet<Emotion> = new Set<Emotion>(['angry', 'anxious']);

function cellBackground(emotion: Emotion, heat: number): string {
  const alpha = (0.12 + 0.78 * Math.min(1, heat)).toFixed(2);
  if (emotion === 'angry') return `rgba(248, 81, 73, ${alpha})`;
  if (emotion === 'anxious') return `rgba(255, 140, 66, ${alpha})`;
  return `rgba(88, 166, 255, ${alpha})`;
}

/** Seven cells, one per emotion; the colour's strength is the emotion's share of the window's questions. */
export const EmotionHeat = memo(function EmotionHeat({ emotions, t }: { emotions: LiveSnapshot['emotions'] | undefined; t: Messages }) {
  // The most frequent emotion sets the scale, so the heat is legible even when every share is small.
  const maxShare = Math.max(0.0001, ...EMOTIONS.map((name) => emotions?.[name]?.share ?? 0));
  return (
    <div
      data-testid="emotion-heat"
      style={{ display: 'grid', gridTemplateColumns: 'repeat(4, minmax(0, 1fr))', gridAutoRows: 'minmax(0, 1fr)', gap: '0.6vh 0.5vw', height: '100%', minHeight: 0 }}
    >
      {EMOTIONS.map((name) => {
        const figures = emotions?.[name];
        const share = figures?.share ?? null;
        const hot = HOT.has(name);
        return (
          <div
            key={name}
            data-emotion={name}
            style={{
              background: cellBackground(name, (share ?? 0) / maxShare),
              border: hot ? `0.3vh solid ${name === 'angry' ? COLORS.red : COLORS.orange}` : `0.15vh solid ${COLORS.border}`,
              borderRadius: '0.8vh',
              display: 'flex',
              flexDirection: 'column',
              justifyContent: 'center',
              alignItems: 'center',
              gap: '0.2vh',
              overflow: 'hidden',
              minWidth: 0,
            }}
          >
            <div style={{ fontSize: hot ? '2.4vh' : '2.1vh', lineHeight: 1.15, fontWeight: hot ? 700 : 500 }}>{t.emotion[name]}</div>
            <div style={{ fontSize: hot ? '2.9vh' : '2.4vh', lineHeight: 1.15, fontWeight: 700, fontVariantNumeric: 'tabular-nums' }}>
              {formatPercent(share, 0)}
            </div>
            <div style={{ fontSize: '1.4vh', lineHeight: 1.15, color: COLORS.text, opacity: 0.8 }}>
              {t.intensity} {figures?.meanIntensity == null ? '—' : figures.meanIntensity.toFixed(2)}
            </div>
          </div>
        );
      })}
    </div>
  );
});
