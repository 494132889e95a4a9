import type { CSSProperties, ReactNode } from 'react';
import type { EventSource } from '@warroom/contracts';
import { useEffect, useMemo } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { TREND_SPAN_MS, useLiveSnapshot, useNow, useViewportUnit, type TrendPoint } from '../hooks/use-live-snapshot';
import { AgentsTile } from './agents-tile';
import { EmotionHeat } from './emotion-heat';
import { COLORS, formatClock, formatPercent } from './format';
import { FreshnessBadge } from './freshness-badge';
import { messages, type Lang, type Messages } from './messages';
import { HandoffsPanel, ModesAndConversion } from './split-panels';
import { TopQuestionsChart } from './top-questions-chart';
import { UnmatchedTicker } from './unmatched-ticker';

function trendOption(trend: readonly TrendPoint[], vh: number): ChartOption {
  const font = Math.round(1.6 * vh);
  // A fixed window ending at the newest point, so a young trend does not stretch over days.
  const end = trend.at(-1)?.at ?? 0;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: Math.round(6 * vh), right: Math.round(1.5 * vh), top: Math.round(1 * vh), bottom: Math.round(3 * vh) },
    xAxis: {
      type: 'time',
      min: end - TREND_SPAN_MS,
      max: end,
      splitNumber: 4,
      axisLabel: { color: COLORS.muted, fontSize: font, hideOverlap: true, formatter: '{HH}:{mm}' },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      splitNumber: 2,
      axisLabel: { color: COLORS.muted, fontSize: font, formatter: (v: number) => `${Math.round(v * 100)}%` },
      splitLine: { lineStyle: { color: COLORS.border } },
    },
    series: [
      {
        id: 'hit-rate',
        name: 'hit rate',
        type: 'line',
        // A lone point draws no line: show symbols until there is a line to see.
        showSymbol: trend.length < 3,
        symbolSize: Math.round(0.8 * vh),
        data: trend.map((point) => [point.at, point.hitRate]),
        lineStyle: { width: Math.max(2, Math.round(0.35 * vh)), color: COLORS.blue },
        areaStyle: { color: 'rgba(88, 166, 255, 0.15)' },
      },
    ],
  };
}

export function WallPage({ token, lang, source }: { token: string | null; lang: Lang; source: EventSource }) {
  const t: Messages = messages[lang];
  useEffect(() => {
    // The document's language picks the Simplified Chinese glyphs of the CJK fonts.
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  if (!token) return <main style={{ padding: '4vh', fontSize: '3vh' }}>{t.badToken}</main>;
  return <LiveWall token={token} t={t} source={source} />;
}

const area = (column: string, row: string): CSSProperties => ({ gridColumn: column, gridRow: row });

function LiveWall({ token, t, source }: { token: string; t: Messages; source: EventSource }) {
  const query = useMemo(() => ({ shop: 'all', window: '5m' as const, source }), [source]);
  const view = useLiveSnapshot(token, query);
  const now = useNow(500);
  const vh = useViewportUnit();
  const ageMs = view.asOf ? now - view.asOf.getTime() : null;
  const option = useMemo(() => trendOption(view.trend, vh), [view.trend, vh]);
  const snapshot = view.snapshot;

  return (
    <main className="wall">
      <header className="wall-header">
        <h1 style={{ margin: 0, fontSize: '4.2vh', whiteSpace: 'nowrap' }}>{t.title}</h1>
        {source !== 'live' ? (
          <span data-testid="source-badge" className="wall-source-badge">
            {t.source[source]}
          </span>
        ) : null}
        <span style={{ color: COLORS.muted, fontSize: '2.4vh' }}>{t.window}</span>
        <span style={{ flex: 1 }} />
        <span style={{ color: COLORS.muted, fontSize: '2.6vh', fontVariantNumeric: 'tabular-nums' }}>
          {formatClock(new Date(now))}
        </span>
        <FreshnessBadge ageMs={ageMs} t={t} />
      </header>
      <div className="wall-grid">
        <Tile label={t.hitRate} style={area('1', '1')}>
          <span data-testid="hit-rate" className="wall-big-number" style={{ color: COLORS.blue }}>
            {snapshot ? formatPercent(snapshot.hitRate) : t.waiting}
          </span>
          {snapshot && snapshot.hitRate === null ? <div>{t.noBotQuestions}</div> : null}
        </Tile>
        <Tile label={t.questionsPerMinute} style={area('1', '2')}>
          <span data-testid="questions-per-minute" className="wall-big-number">
            {snapshot ? Math.round(snapshot.questionsPerMinute).toLocaleString() : '—'}
          </span>
          <div style={{ display: 'flex', gap: '2vw', fontSize: '2.4vh' }}>
            <span>
              {t.questions}: <span data-testid="questions">{snapshot ? snapshot.questions.toLocaleString() : '—'}</span>
            </span>
            <span style={{ color: COLORS.amber }}>
              {t.unmatchedCount}: {snapshot ? snapshot.unmatchedQueries.toLocaleString() : '—'}
            </span>
          </div>
        </Tile>
        <Tile label="" style={area('1', '3')}>
          <ModesAndConversion snapshot={snapshot} t={t} />
        </Tile>
        <Tile label={t.topQuestions} style={area('2 / 4', '1 / 3')} fill>
          <TopQuestionsChart questions={snapshot?.topQuestions ?? []} t={t} vh={vh} />
        </Tile>
        <Tile label={t.hitRateTrend} style={area('2', '3')} fill>
          <EChart option={option} testId="hit-rate-trend" />
        </Tile>
        <Tile label={t.handoffs} style={area('3', '3')}>
          <HandoffsPanel handoffs={snapshot?.handoffs} t={t} />
          <AgentsTile agents={snapshot?.agentsNow} t={t} />
        </Tile>
        <Tile label={t.unmatched} style={area('4', '1 / 3')}>
          <UnmatchedTicker items={snapshot?.newestUnmatched ?? []} t={t} />
        </Tile>
        <Tile label={t.emotions} style={area('4', '3')} fill>
          <EmotionHeat emotions={snapshot?.emotions} t={t} />
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

/** A panel with a small caption; `fill` gives the body the rest of the tile (for charts). */
function Tile({ label, children, style, fill }: { label: string; children: ReactNode; style: CSSProperties; fill?: boolean }) {
  return (
    <section className="wall-tile" style={style}>
      {label ? <div className="wall-tile-label">{label}</div> : null}
      {fill ? <div style={{ flex: 1, minHeight: 0 }}>{children}</div> : children}
    </section>
  );
}
