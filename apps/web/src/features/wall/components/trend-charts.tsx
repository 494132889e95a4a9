import { PLAN_TREND_AHEAD_MINUTES, type SnapshotCampaign } from '@warroom/contracts';
import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { TREND_SPAN_MS, type TrendPoint } from '../hooks/use-live-snapshot';
import { useStable } from '../hooks/use-stable';
import { COLORS } from './format';
import type { Messages } from './messages';

const MINUTE_MS = 60_000;

/** Axis styling shared by the trend charts: muted, large enough to read, few labels. */
function axes(vh: number) {
  const font = Math.round(1.6 * vh);
  return {
    font,
    label: { color: COLORS.muted, fontSize: font, hideOverlap: true },
    split: { lineStyle: { color: COLORS.border } },
  };
}

export function hitRateTrendOption(trend: readonly TrendPoint[], vh: number): ChartOption {
  const { label, split } = axes(vh);
  // A fixed window ending at the newest point, so a young trend does not stretch over days.
  const end = trend.at(-1)?.at ?? 0;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: Math.round(5.5 * vh), right: Math.round(1.5 * vh), top: Math.round(1 * vh), bottom: Math.round(3 * vh) },
    xAxis: { type: 'time', min: end - TREND_SPAN_MS, max: end, splitNumber: 3, axisLabel: { ...label, formatter: '{HH}:{mm}' } },
    yAxis: {
      type: 'value',
      min: 0,
      max: 1,
      splitNumber: 2,
      axisLabel: { ...label, formatter: (v: number) => `${Math.round(v * 100)}%` },
      splitLine: split,
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
        itemStyle: { color: COLORS.blue },
        lineStyle: { width: Math.max(2, Math.round(0.35 * vh)), color: COLORS.blue },
        areaStyle: { color: 'rgba(88, 166, 255, 0.15)' },
      },
    ],
  };
}

/**
 * Questions per minute as the wall saw them (sampled like the hit rate), and the campaign's plan for the
 * same figure as a ghost line, reaching PLAN_TREND_AHEAD_MINUTES past now so a planned rush shows coming.
 */
export function questionsPerMinuteOption(
  trend: readonly TrendPoint[],
  plan: SnapshotCampaign['planTrend'],
  t: Messages,
  vh: number,
): ChartOption {
  const { label, split } = axes(vh);
  const end = trend.at(-1)?.at ?? 0;
  return {
    animation: false,
    backgroundColor: 'transparent',
    grid: { left: Math.round(5.5 * vh), right: Math.round(1.5 * vh), top: Math.round(1 * vh), bottom: Math.round(3 * vh) },
    xAxis: {
      type: 'time',
      min: end - TREND_SPAN_MS,
      max: end + PLAN_TREND_AHEAD_MINUTES * MINUTE_MS,
      splitNumber: 3,
      axisLabel: { ...label, formatter: '{HH}:{mm}' },
    },
    yAxis: {
      type: 'value',
      min: 0,
      splitNumber: 2,
      axisLabel: { ...label, formatter: (v: number) => (v >= 10_000 ? `${Math.round(v / 1000)}k` : String(Math.round(v))) },
      splitLine: split,
    },
    series: [
      {
        id: 'plan',
        name: t.plan,
        type: 'line',
        showSymbol: false,
        silent: true,
        data: plan.map((point) => [Date.parse(point.at), point.questionsPerMinute]),
        itemStyle: { color: COLORS.muted },
        lineStyle: { width: Math.max(2, Math.round(0.3 * vh)), color: COLORS.muted, type: 'dashed', opacity: 0.8 },
      },
      {
        id: 'questions-per-minute',
        name: t.questionsPerMinute,
        type: 'line',
        showSymbol: trend.length < 3,
        symbolSize: Math.round(0.8 * vh),
        data: trend.map((point) => [point.at, point.questionsPerMinute]),
        itemStyle: { color: COLORS.text },
        lineStyle: { width: Math.max(2, Math.round(0.35 * vh)), color: COLORS.text },
        areaStyle: { color: 'rgba(230, 237, 243, 0.10)' },
      },
    ],
  };
}

export function HitRateTrend({ trend, vh }: { trend: readonly TrendPoint[]; vh: number }) {
  const option = useMemo(() => hitRateTrendOption(trend, vh), [trend, vh]);
  return <EChart option={option} testId="hit-rate-trend" />;
}

export function QuestionsPerMinuteTrend({
  trend,
  plan,
  t,
  vh,
}: {
  trend: readonly TrendPoint[];
  plan: SnapshotCampaign['planTrend'];
  t: Messages;
  vh: number;
}) {
  // The plan arrives with every snapshot as a new array; rebuild the option only when it changed.
  const stablePlan = useStable(plan);
  const option = useMemo(() => questionsPerMinuteOption(trend, stablePlan, t, vh), [trend, stablePlan, t, vh]);
  return <EChart option={option} testId="questions-per-minute-trend" />;
}
