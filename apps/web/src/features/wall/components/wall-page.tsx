import type { ReactNode } from 'react';
import type { EventSource } from '@warroom/contracts';
import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { useLiveSnapshot, useNow, type TrendPoint } from '../hooks/use-live-snapshot';
import { FreshnessBadge } from './freshness-badge';
import { messages, type Lang, type Messages } from './messages';


function formatPercent(value: number | null): string {
  return value === null ? '—' : `${(value * 100).toFixed(1)}%`;
}

function trendOption(trend: TrendPoint[]): ChartOption {
  return {
    animation: false,
    grid: { left: 48, right: 16, top: 16, bottom: 28 },
    xAxis: { type: 'time', min: 'dataMin', max: 'dataMax', axisLabel: { color: '#8b949e' } },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { color: '#8b949e', formatter: (v: number) => `${v * 100}%` } },
    series: [
      {
        id: 'hit-rate',
        name: 'hit rate',
        type: 'line',
        showSymbol: false,
        data: trend.map((point) => [point.at, point.hitRate]),
        lineStyle: { width: 3, color: '#58a6ff' },
      },
    ],
  };
}

export function WallPage({ token, lang, source }: { token: string | null; lang: Lang; source: EventSource }) {
  const t: Messages = messages[lang];
  if (!token) return <main style={{ padding: '4vh', fontSize: '3vh' }}>{t.badToken}</main>;
  return <LiveWall token={token} t={t} source={source} />;
}

function LiveWall({ token, t, source }: { token: string; t: Messages; source: EventSource }) {
  const query = useMemo(() => ({ shop: 'all', window: '5m' as const, source }), [source]);
  const view = useLiveSnapshot(token, query);
  const now = useNow(500);
  const ageMs = view.asOf ? now - view.asOf.getTime() : null;
  const option = useMemo(() => trendOption(view.trend), [view.trend]);
  const snapshot = view.snapshot;

  return (
    <main
      style={{
        height: '100vh',
        display: 'grid',
        gridTemplateRows: 'auto 1fr 1fr',
        gap: '2vh',
        padding: '2vh 2vw',
        boxSizing: 'border-box',
        fontSize: '2.2vh',
      }}
    >
      <header style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <h1 style={{ margin: 0, fontSize: '4vh' }}>{t.title}</h1>
        <FreshnessBadge ageMs={ageMs} t={t} />
      </header>
      <section style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '2vw' }}>
        <Tile label={`${t.hitRate} · ${t.window}`}>
          <span data-testid="hit-rate" style={{ fontSize: '16vh', fontWeight: 700, color: '#58a6ff' }}>
            {snapshot ? formatPercent(snapshot.hitRate) : t.waiting}
          </span>
          {snapshot && snapshot.hitRate === null ? <div>{t.noBotQuestions}</div> : null}
        </Tile>
        <Tile label={t.questionsPerMinute}>
          <span data-testid="questions-per-minute" style={{ fontSize: '16vh', fontWeight: 700 }}>
            {snapshot ? Math.round(snapshot.questionsPerMinute).toLocaleString() : '—'}
          </span>
          <div>
            {t.questions}: <span data-testid="questions">{snapshot ? snapshot.questions.toLocaleString() : '—'}</span>
          </div>
        </Tile>
      </section>
      <section style={{ minHeight: 0 }}>
        <EChart option={option} testId="hit-rate-trend" />
      </section>
      {view.socket.disconnectedSince ? (
        <div
          data-testid="disconnected"
          role="alert"
          style={{
            position: 'fixed',
            inset: 0,
            display: 'flex',
            alignItems: 'center',
            justifyContent: 'center',
            background: 'rgba(40, 0, 0, 0.75)',
            fontSize: '6vh',
            color: '#ffb3ad',
          }}
        >
          {t.disconnectedSince} {view.socket.disconnectedSince.toLocaleTimeString('zh-CN', { hour12: false })}
        </div>
      ) : null}
    </main>
  );
}

function Tile({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div style={{ background: '#161b22', borderRadius: '1vh', padding: '2vh 2vw', overflow: 'hidden' }}>
      <div style={{ color: '#8b949e', fontSize: '3vh' }}>{label}</div>
      {children}
    </div>
  );
}
