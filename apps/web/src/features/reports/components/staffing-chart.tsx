import type { StaffingRangeReport } from '@warroom/contracts';
import { useMemo } from 'react';
import { EChart, type ChartOption } from '../../../components/echart';
import { formatSlot } from './format';
import type { Lang, Messages } from './messages';

const COLORS = { withBot: '#58a6ff', withoutBot: '#8b949e', onShift: '#f0883e' };

function chartOption(range: StaffingRangeReport, t: Messages, lang: Lang): ChartOption {
  const rows = range.intervals;
  return {
    animation: false,
    grid: { left: 48, right: 24, top: 40, bottom: 32 },
    legend: { top: 0, textStyle: { color: '#c9d1d9' } },
    tooltip: { trigger: 'axis' },
    xAxis: {
      type: 'category',
      data: rows.map((row) => formatSlot(row.intervalStart, lang)),
      axisLabel: { color: '#8b949e' },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { color: '#8b949e' } },
    series: [
      {
        id: 'with-bot',
        name: t.chartWithBot,
        type: 'bar',
        data: rows.map((row) => row.withBot.agentsScheduled),
        itemStyle: { color: COLORS.withBot },
      },
      {
        id: 'without-bot',
        name: t.chartWithoutBot,
        type: 'bar',
        data: rows.map((row) => row.withoutBot.agentsScheduled),
        itemStyle: { color: COLORS.withoutBot },
      },
      {
        id: 'on-shift',
        name: t.chartOnShift,
        type: 'line',
        step: 'middle',
        showSymbol: false,
        connectNulls: false,
        data: rows.map((row) => row.roster?.onShift ?? null),
        lineStyle: { width: 3, color: COLORS.onShift },
        itemStyle: { color: COLORS.onShift },
      },
    ],
  };
}

/** Agents needed with the bot, without it, and on shift, per interval. */
export function StaffingChart({ range, t, lang }: { range: StaffingRangeReport; t: Messages; lang: Lang }) {
  const option = useMemo(() => chartOption(range, t, lang), [range, t, lang]);
  return (
    <div style={{ height: '40vh', minHeight: 280 }}>
      <EChart option={option} testId="staffing-chart" />
    </div>
  );
}
