import { describe, expect, it } from 'vitest';
import { pathOf } from './json-logger';
import { logFormatFrom } from './log-format';
import { createMetricsRegistry, readCounter, readGauge } from './registry';

describe('metrics read at scrape time', () => {
  it('shows the values read now, and drops a label set that was not read this time', async () => {
    const registry = createMetricsRegistry('test');
    let lags: { partition: number; lag: number }[] = [
      { partition: 0, lag: 5 },
      { partition: 3, lag: 7 },
    ];
    readGauge(registry, { name: 'test_lag', help: 'lag', labelNames: ['partition'] }, () => lags.map(({ partition, lag }) => ({ labels: { partition }, value: lag })));
    expect(await registry.getSingleMetricAsString('test_lag')).toContain('test_lag{partition="3",app="test"} 7');
    lags = [{ partition: 0, lag: 1 }];
    const text = await registry.getSingleMetricAsString('test_lag');
    expect(text).toContain('test_lag{partition="0",app="test"} 1');
    expect(text).not.toContain('partition="3"');
  });

  it("a counter is the app's running total", async () => {
    const registry = createMetricsRegistry('test');
    let stored = 10;
    readCounter(registry, { name: 'test_stored_total', help: 'stored' }, () => [{ value: stored }]);
    expect(await registry.getSingleMetricAsString('test_stored_total')).toContain('test_stored_total{app="test"} 10');
    stored = 25;
    expect(await registry.getSingleMetricAsString('test_stored_total')).toContain('test_stored_total{app="test"} 25');
    expect(await registry.metrics()).toContain('nodejs_eventloop_lag_p99_seconds');
  });
});

describe('log format and request paths', () => {
  it('writes JSON in production unless LOG_FORMAT says otherwise, text elsewhere', () => {
    expect(logFormatFrom({ NODE_ENV: 'production' })).toBe('json');
    expect(logFormatFrom({ NODE_ENV: 'production', LOG_FORMAT: 'pretty' })).toBe('pretty');
    expect(logFormatFrom({})).toBe('pretty');
    expect(logFormatFrom({ LOG_FORMAT: 'json' })).toBe('json');
  });

  it('logs a request path without its query string (a token may be in it)', () => {
    expect(pathOf('/live?token=secret')).toBe('/live');
    expect(pathOf('/api/users')).toBe('/api/users');
    expect(pathOf(undefined)).toBe('');
  });
});
