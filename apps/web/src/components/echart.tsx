import { BarChart, LineChart, type BarSeriesOption, type LineSeriesOption } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TooltipComponent,
  type GridComponentOption,
  type LegendComponentOption,
  type TooltipComponentOption,
} from 'echarts/components';
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

use([LineChart, BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

export type ChartOption = ComposeOption<
  LineSeriesOption | BarSeriesOption | GridComponentOption | LegendComponentOption | TooltipComponentOption
>;

/**
 * A thin ECharts wrapper: one chart instance per DOM node for the component's life, updated in place
 * with setOption (never re-created), resized with its container, disposed on unmount.
 * `data-chart-finished` marks the node once ECharts reports the canvas painted (used by browser tests).
 */
export function EChart({ option, testId }: { option: ChartOption; testId?: string }) {
  const nodeRef = useRef<HTMLDivElement | null>(null);
  const chartRef = useRef<ECharts | null>(null);

  useEffect(() => {
    const node = nodeRef.current;
    if (!node) return;
    const chart = init(node, 'dark', { renderer: 'canvas' });
    chartRef.current = chart;
    const onFinished = () => node.setAttribute('data-chart-finished', 'true');
    chart.on('finished', onFinished);
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(node);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);

  useEffect(() => {
    chartRef.current?.setOption(option, { replaceMerge: ['series'], lazyUpdate: false });
  }, [option]);

  return <div ref={nodeRef} data-testid={testId} style={{ width: '100%', height: '100%' }} />;
}
