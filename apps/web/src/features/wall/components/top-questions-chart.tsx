import type { TopQuestion } from '@warroom/contracts';
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { useStable } from '../hooks/use-stable';
import { COLORS, formatTrend } from './format';
import { formatPercent } from '../../../utils/format';
import type { Messages } from './messages';

/** A label per bar: count · share · ▲▼ trend · own hit rate. */
function barLabel(question: TopQuestion, t: Messages): string {
  const trend = formatTrend(question.trend);
  const trendStyle = trend.direction === 'up' ? 'up' : trend.direction === 'down' ? 'down' : 'flat';
  return [
    `{count|${question.count.toLocaleString()}}`,
    `{muted|${formatPercent(question.share)}}`,
    `{${trendStyle}|${trend.arrow} ${trend.direction === 'new' ? t.newAnswer : trend.text}}`,
    `{muted|${t.ownHitRate} ${formatPercent(question.hitRate, 0)}}`,
  ].join('  ');
}

/** Sizes of the chart in pixels, from the wall's vh and the chart's measured width. */
function layout(vh: number, width: number) {
  const font = Math.round(2.1 * vh);
  const left = Math.round(1 * vh);
  return { font, left, idWidth: Math.max(0, width - left - Math.round(1 * vh)) };
}

/**
 * Each answer's id sits on its own line above its bar, across the chart's whole width (an axis label
 * beside the bars would get a third of it); an id longer than that ends in "…" and is listed in full
 * under the chart.
 */
export function topQuestionsOption(questions: readonly TopQuestion[], t: Messages, vh: number, width: number): ChartOption {
  const { font, left, idWidth } = layout(vh, width);
  const ids = questions.map((question) => question.answerId);
  const values = questions.map((question) => question.count);
  return {
    animation: false,
    backgroundColor: 'transparent',
    // Room above the first bar for its id line.
    grid: { left, right: Math.round(1 * vh), top: Math.round(font * 1.5), bottom: Math.round(0.5 * vh) },
    xAxis: { type: 'value', show: false, max: (extent: { max: number }) => Math.max(1, extent.max) * 1.9 },
    // Largest first, at the top: the category axis is inverted.
    yAxis: { type: 'category', inverse: true, data: ids, show: false },
    series: [
      {
        id: 'top-questions',
        name: t.topQuestions,
        type: 'bar',
        barCategoryGap: '52%',
        barMaxWidth: Math.round(3.2 * vh),
        data: values.map((value, index) => ({ value, label: { formatter: barLabel(questions[index]!, t) } })),
        itemStyle: { color: COLORS.blue, borderRadius: [0, Math.round(0.5 * vh), Math.round(0.5 * vh), 0] },
        label: {
          show: true,
          position: 'right',
          color: COLORS.text,
          fontSize: font,
          rich: {
            count: { fontSize: font, fontWeight: 'bold', color: COLORS.text },
            muted: { fontSize: font, color: COLORS.muted },
            up: { fontSize: font, color: COLORS.red, fontWeight: 'bold' },
            down: { fontSize: font, color: COLORS.green, fontWeight: 'bold' },
            flat: { fontSize: font, color: COLORS.muted },
          },
        },
      },
      {
        // The same bars again, invisible, carrying the id line above each bar.
        id: 'top-question-ids',
        name: 'ids',
        type: 'bar',
        barGap: '-100%',
        barCategoryGap: '52%',
        barMaxWidth: Math.round(3.2 * vh),
        silent: true,
        itemStyle: { color: 'transparent' },
        data: values.map((value, index) => ({ value, label: { formatter: ids[index]! } })),
        label: {
          show: true,
          position: [0, -Math.round(font * 1.25)],
          color: COLORS.text,
          fontSize: font,
          width: idWidth,
          overflow: 'truncate',
          ellipsis: '…',
        },
      },
    ],
  };
}

let measureContext: CanvasRenderingContext2D | null = null;

/** Whether `text` is wider than `width` at the wall's font and `font` pixels: then ECharts truncates it. */
function overflows(text: string, font: number, width: number): boolean {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (!measureContext) return false;
  measureContext.font = `${font}px ${getComputedStyle(document.documentElement).fontFamily}`;
  return measureContext.measureText(text).width > width;
}

/** The width of a node in CSS pixels, kept current as it resizes. */
function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const node = ref.current;
    if (!node) return;
    const observer = new ResizeObserver(() => setWidth(Math.round(node.getBoundingClientRect().width)));
    observer.observe(node);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function TopQuestionsChart({ questions, t, vh }: { questions: readonly TopQuestion[]; t: Messages; vh: number }) {
  const [ref, width] = useWidth();
  // Snapshots arrive every tick with a new array; rebuild the option only when the figures changed.
  const stable = useStable(questions);
  const option = useMemo(() => topQuestionsOption(stable, t, vh, width), [stable, t, vh, width]);
  const cut = useMemo(() => {
    const { font, idWidth } = layout(vh, width);
    return width === 0 ? [] : stable.map((question, index) => ({ rank: index + 1, id: question.answerId })).filter(({ id }) => overflows(id, font, idWidth));
  }, [stable, vh, width]);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }}>
      <div ref={ref} style={{ flex: 1, minHeight: 0 }}>
        <EChart option={option} testId="top-questions" />
      </div>
      {cut.length > 0 ? (
        <ol data-testid="top-questions-full-ids" className="wall-full-ids">
          {cut.map(({ rank, id }) => (
            <li key={rank}>
              <span style={{ color: COLORS.muted }}>#{rank}</span> {id}
            </li>
          ))}
        </ol>
      ) : null}
    </div>
  );
}
