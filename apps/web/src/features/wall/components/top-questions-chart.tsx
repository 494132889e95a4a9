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

/**
 * What the line above a bar says: the customers' own wording, then the answer's title (DESIGN.md: never the
 * answer's id). Braces become full-width ones: in an ECharts label they would start rich-text markup.
 */
export function questionLine(question: TopQuestion): { wording: string; title: string | null } {
  const inert = (text: string) => text.replace(/\{/g, '｛').replace(/\}/g, '｝');
  const wording = question.wording ?? question.title ?? '…';
  const title = question.wording !== null && question.title !== null && question.title !== question.wording ? question.title : null;
  return { wording: inert(wording), title: title === null ? null : inert(title) };
}

function lineText(question: TopQuestion): string {
  const { wording, title } = questionLine(question);
  return title === null ? wording : `${wording}  · ${title}`;
}

function lineLabel(question: TopQuestion): string {
  const { wording, title } = questionLine(question);
  return title === null ? `{wording|${wording}}` : `{wording|${wording}}  {title|· ${title}}`;
}

/** Sizes of the chart in pixels, from the wall's vh and the chart's measured width. */
function layout(vh: number, width: number) {
  const font = Math.round(2.1 * vh);
  const left = Math.round(1 * vh);
  return { font, left, lineWidth: Math.max(0, width - left - Math.round(1 * vh)) };
}

/**
 * Each answer's wording and title sit on their own line above its bar, across the chart's whole width (an
 * axis label beside the bars would get a third of it); a line longer than that ends in "…" and is listed
 * in full under the chart.
 */
export function topQuestionsOption(questions: readonly TopQuestion[], t: Messages, vh: number, width: number): ChartOption {
  const { font, left, lineWidth } = layout(vh, width);
  // Categories are ranks: two answers may share a wording.
  const ranks = questions.map((_question, index) => String(index + 1));
  const values = questions.map((question) => question.count);
  return {
    animation: false,
    backgroundColor: 'transparent',
    // Room above the first bar for its wording line.
    grid: { left, right: Math.round(1 * vh), top: Math.round(font * 1.5), bottom: Math.round(0.5 * vh) },
    xAxis: { type: 'value', show: false, max: (extent: { max: number }) => Math.max(1, extent.max) * 1.9 },
    // Largest first, at the top: the category axis is inverted.
    yAxis: { type: 'category', inverse: true, data: ranks, show: false },
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
        // The same bars again, invisible, carrying the wording line above each bar.
        id: 'top-question-lines',
        name: 'lines',
        type: 'bar',
        barGap: '-100%',
        barCategoryGap: '52%',
        barMaxWidth: Math.round(3.2 * vh),
        silent: true,
        itemStyle: { color: 'transparent' },
        data: values.map((value, index) => ({ value, label: { formatter: lineLabel(questions[index]!) } })),
        label: {
          show: true,
          position: [0, -Math.round(font * 1.25)],
          color: COLORS.text,
          fontSize: font,
          rich: {
            wording: { fontSize: font, color: COLORS.text },
            title: { fontSize: font, color: COLORS.muted },
          },
          width: lineWidth,
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
    const { font, lineWidth } = layout(vh, width);
    return width === 0
      ? []
      : stable.map((question, index) => ({ rank: index + 1, line: lineText(question) })).filter(({ line }) => overflows(line, font, lineWidth));
  }, [stable, vh, width]);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', height: '100%', minHeight: 0 }}>
      <div ref={ref} style={{ flex: 1, minHeight: 0 }}>
        <EChart option={option} testId="top-questions" />
      </div>
      {cut.length > 0 ? (
        <ol data-testid="top-questions-full-lines" className="wall-full-ids">
          {cut.map(({ rank, line }) => (
            <li key={rank}>
              <span style={{ color: COLORS.muted }}>#{rank}</span> {line}
            </li>
          ))}
        </ol>
      ) : null}
      {/* The chart is a canvas: screen readers (and the browser test) read the list here. */}
      <ol data-testid="top-questions-list" className="visually-hidden">
        {stable.map((question, index) => {
          const { wording, title } = questionLine(question);
          return (
            <li key={index}>
              {wording}
              {title === null ? '' : ` · ${title}`} · {question.count.toLocaleString()}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
