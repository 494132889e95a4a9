import type { CSSProperties, ReactNode } from 'react';
import type { EventSource, LiveSnapshot } from '@warroom/contracts';
import { useEffect, useMemo } from 'react';
import { useLiveGaps } from '../hooks/use-live-gaps';
import { useNow } from '../../../hooks/use-now';
import { useLiveSnapshot, useViewportUnits } from '../hooks/use-live-snapshot';
import { AgentsTile } from './agents-tile';
import { EmotionHeat } from './emotion-heat';
import { COLORS, formatClock } from './format';
import { formatPercent } from '../../../utils/format';
import { FreshnessBadge } from './freshness-badge';
import { messages, type Lang, type Messages } from './messages';
import { NextMomentTile } from './next-moment-tile';
import { OutreachTile } from './outreach-tile';
import { PromoCountdown } from './promo-countdown';
import { StatusStrip, troubleOf } from './status-strip';
import { HandoffsPanel, ModesAndConversion } from './split-panels';
import { TopGaps } from './top-gaps';
import { TopQuestionsChart } from './top-questions-chart';
import { HitRateTrend, QuestionsPerMinuteTrend } from './trend-charts';
import { UnmatchedTicker } from './unmatched-ticker';

export function WallPage({ token, lang, source }: { token: string | null; lang: Lang; source: EventSource }) {
  const t: Messages = messages[lang];
  useEffect(() => {
    // The document's language picks the Simplified Chinese glyphs of the CJK fonts.
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  if (!token) return <main style={{ padding: '4vh', fontSize: '3vh' }}>{t.badToken}</main>;
  return <LiveWall token={token} t={t} source={source} lang={lang} />;
}

/** Places a tile in the grid's named areas (`.wall-grid` in global.css holds the layout). */
const area = (name: string): CSSProperties => ({ gridArea: name });

function LiveWall({ token, t, source, lang }: { token: string; t: Messages; source: EventSource; lang: Lang }) {
  const query = useMemo(() => ({ shop: 'all', window: '5m' as const, source }), [source]);
  const view = useLiveSnapshot(token, query);
  const { vh } = useViewportUnits();
  const snapshot = view.snapshot;
  const liveGaps = useLiveGaps(token, source);
  const trouble = troubleOf(view.status, view.socket.connected);

  return (
    // The status strip, when shown, takes a row of its own between the header and the tiles, which shrink.
    <main className="wall" style={trouble ? { gridTemplateRows: '7vh auto minmax(0, 1fr)' } : undefined}>
      <header className="wall-header">
        <h1 style={{ margin: 0, fontSize: '4.2vh', whiteSpace: 'nowrap' }}>{t.title}</h1>
        {source !== 'live' ? (
          <span data-testid="source-badge" className="wall-source-badge">
            {t.source[source]}
          </span>
        ) : null}
        <span style={{ color: COLORS.muted, fontSize: '2.4vh' }}>{t.window}</span>
        <span style={{ flex: 1 }} />
        <WallClock />
        <FreshnessBadge asOf={view.asOf} t={t} />
      </header>
      {trouble ? <StatusStrip trouble={trouble} t={t} /> : null}
      <div className="wall-grid">
        <Tile label={t.hitRate} style={area('hit')}>
          <span data-testid="hit-rate" className="wall-big-number" style={{ color: COLORS.blue }}>
            {snapshot ? formatPercent(snapshot.hitRate) : t.waiting}
          </span>
          {snapshot && snapshot.hitRate === null ? <div>{t.noBotQuestions}</div> : null}
          <div style={{ flex: 1, minHeight: 0 }}>
            <HitRateTrend trend={view.trend} vh={vh} />
          </div>
        </Tile>
        <Tile label={t.questionsPerMinute} style={area('qpm')}>
          <QuestionsPerMinute snapshot={snapshot} t={t} />
          <div style={{ flex: 1, minHeight: 0 }}>
            <QuestionsPerMinuteTrend trend={view.trend} plan={snapshot?.campaign?.planTrend ?? []} t={t} vh={vh} />
          </div>
        </Tile>
        <Tile label={t.promo} style={area('promo')}>
          <PromoCountdown campaign={snapshot?.campaign ?? null} t={t} />
        </Tile>
        <Tile label="" style={area('mix')}>
          <ModesAndConversion snapshot={snapshot} t={t} />
        </Tile>
        <Tile label={t.topQuestions} style={area('top')} fill>
          <TopQuestionsChart questions={snapshot?.topQuestions ?? []} t={t} vh={vh} />
        </Tile>
        <Tile label={t.gaps.title} style={area('gaps')}>
          <TopGaps gaps={liveGaps.gaps} arrivedAt={liveGaps.arrivedAt} timeToPatch={snapshot?.timeToPatch} t={t} />
          {/* Beside the gaps: what the next promo moment will ask, before it becomes gaps. */}
          <NextMomentTile token={token} source={source} lang={lang} />
        </Tile>
        <Tile label={t.handoffs} style={area('hand')}>
          <HandoffsPanel handoffs={snapshot?.handoffs} t={t} />
          <AgentsTile agents={snapshot?.agentsNow} t={t} />
        </Tile>
        <Tile label={t.unmatched} style={area('unmatched')}>
          <UnmatchedTicker items={snapshot?.newestUnmatched ?? []} t={t} />
        </Tile>
        <Tile label={t.emotions} style={area('emotion')} fill>
          <EmotionHeat emotions={snapshot?.emotions} t={t} />
        </Tile>
        <Tile label={t.outreach.title} style={area('outreach')}>
          <OutreachTile outreach={snapshot?.outreach} t={t} />
        </Tile>
      </div>
      {view.socket.disconnectedSince ? (
        <div data-testid="disconnected" role="alert" className="wall-disconnected">
          {t.disconnectedSince} {formatClock(view.socket.disconnectedSince)}
        </div>
      ) : null}
    </main>
  );
}

/** The time of day; its own component, so that its ticking re-renders nothing else. */
function WallClock() {
  const now = useNow(500);
  return <span style={{ color: COLORS.muted, fontSize: '2.6vh', fontVariantNumeric: 'tabular-nums' }}>{formatClock(new Date(now))}</span>;
}

/** The number, how many questions it counts, and how it compares with the campaign's plan. */
function QuestionsPerMinute({ snapshot, t }: { snapshot: LiveSnapshot | null; t: Messages }) {
  const plan = snapshot?.campaign?.planQuestionsPerMinute ?? null;
  const versusPlan = snapshot && plan !== null && plan > 0 ? snapshot.questionsPerMinute / plan - 1 : null;
  return (
    <>
      <div style={{ display: 'flex', alignItems: 'baseline', gap: '1vw', minWidth: 0 }}>
        <span data-testid="questions-per-minute" className="wall-big-number wall-big-number--compact">
          {snapshot ? Math.round(snapshot.questionsPerMinute).toLocaleString() : '—'}
        </span>
        {plan !== null ? (
          <span data-testid="plan-questions-per-minute" className="wall-ellipsis" style={{ fontSize: '2.2vh', color: COLORS.muted }}>
            {t.plan} {Math.round(plan).toLocaleString()}
            {versusPlan !== null ? (
              <span style={{ color: versusPlan > 0.1 ? COLORS.orange : COLORS.text, fontWeight: 700 }}>
                {' '}
                {versusPlan >= 0 ? '+' : '−'}
                {formatPercent(Math.abs(versusPlan), 0)}
              </span>
            ) : null}
          </span>
        ) : null}
      </div>
      <div style={{ display: 'flex', gap: '1.5vw', fontSize: '2.1vh', whiteSpace: 'nowrap' }}>
        <span>
          {t.questions}: <span data-testid="questions">{snapshot ? snapshot.questions.toLocaleString() : '—'}</span>
        </span>
        <span style={{ color: COLORS.amber }}>
          {t.unmatchedCount}: {snapshot ? snapshot.unmatchedQueries.toLocaleString() : '—'}
        </span>
      </div>
    </>
  );
}

/** A panel with a small caption; `fill` gives the body the rest of the tile (for charts). */
function Tile({ label, children, style, fill }: { label: string; children: ReactNode; style: CSSProperties; fill?: boolean }) {
  return (
    <section className="wall-tile" style={style}>
      {label ? <div className="wall-tile-label">{label}</div> : null}
      {fill ? <div style={{ flex: 1, minHeight: 0 }}>{children}</div> : children}
    </section>
  );
}
