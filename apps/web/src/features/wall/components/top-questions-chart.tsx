import type { TopQuestion } from '@warroom/contracts';
import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { useStable } from '../hooks/use-stable';
import { COLORS, formatPercent, formatTrend } from './format';
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

export function topQuestionsOption(questions: readonly TopQuestion[], t: Messages, vh: number): ChartOption {
  const font = Math.round(2.1 * vh);
  // Largest first, at the top: the category axis is inverted.
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: Math.round(1 * vh), right: Math.round(2 * vh), top: Math.round(0.5 * vh), bottom: Math.round(0.5 * vh), containLabel: true },
    xAxis: { type: 'value', show: false, max: (extent: { max: number }) => Math.max(1, extent.max) * 1.9 },
    yAxis: {
      type: 'category',
      inverse: true,
      data: questions.map((question) => question.answerId),
      axisLine: { show: false },
      axisTick: { show: false },
      axisLabel: { color: COLORS.text, fontSize: font, width: Math.round(28 * vh), overflow: 'truncate' },
    },
    series: [
      {
        id: 'top-questions',
        name: t.topQuestions,
        type: 'bar',
        barCategoryGap: '28%',
        barMaxWidth: Math.round(4 * vh),
        data: questions.map((question) => ({ value: question.count, label: { formatter: barLabel(question, t) } })),
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
    ],
  };
}

export function TopQuestionsChart({ questions, t, vh }: { questions: readonly TopQuestion[]; t: Messages; vh: number }) {
  // Snapshots arrive every tick with a new array; rebuild the option only when the figures changed.
  const stable = useStable(questions);
  const option = useMemo(() => topQuestionsOption(stable, t, vh), [stable, t, vh]);
  return <EChart option={option} testId="top-questions" />;
}
