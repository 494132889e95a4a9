/**
 * The wall in a real headless Chromium, fed by the real pipeline: its number follows the data, its
 * freshness indicator is green, and it says "disconnected since" when the api goes away, then recovers.
 */
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function questions(count: number, outcome: 'answered' | 'unmatched') {
  return Array.from({ length: count }, () => {
    const event =
      outcome === 'answered'
        ? questionEvent()
        : questionEvent({ outcome: 'unmatched', match: undefined, bestCandidate: null });
    const clean = Object.fromEntries(Object.entries(event).filter(([, value]) => value !== undefined));
    return { key: event.sessionId, value: JSON.stringify(clean) };
  });
}

describeWithBrowser('wall', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let app: AppProcess;
  let port: number;

  beforeAll(async () => {
    browser = await launchBrowser();
    port = await freePort();
    app = await pipeline().startApp('ingest,api', { PORT: String(port), METRICS_TICK_MS: '100' });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows the live hit rate with its freshness, and says when it is disconnected', async () => {
    const p = pipeline();
    await p.produce([...questions(30, 'answered'), ...questions(10, 'unmatched')]);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/wall?token=${KIOSK_TOKEN}`);
      await page.getByTestId('hit-rate').filter({ hasText: '75.0%' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="freshness"][data-level="fresh"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="hit-rate-trend"][data-chart-finished="true"]').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('questions').textContent()).toBe('40');

      // New data moves the number without a reload.
      await p.produce(questions(40, 'unmatched'));
      await page.getByTestId('hit-rate').filter({ hasText: '37.5%' }).waitFor({ timeout: 15_000 });

      // The api goes away: the wall says so, with the time. It comes back: the wall recovers by itself.
      await app.stop();
      await page.getByTestId('disconnected').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('disconnected').textContent()).toMatch(/\d{2}:\d{2}:\d{2}/);
      app = await p.startApp('ingest,api', { PORT: String(port), METRICS_TICK_MS: '100' });
      await page.getByTestId('disconnected').waitFor({ state: 'detached', timeout: 30_000 });
      await page.locator('[data-testid="freshness"][data-level="fresh"]').waitFor({ timeout: 15_000 });
      expect(await page.getByTestId('hit-rate').textContent()).toBe('37.5%');
      await page.screenshot({ path: 'test-results/wall.png' });
    } finally {
      await context.close();
    }
  });
});
