/**
 * The wall in a real headless Chromium, fed by the real pipeline: its number follows the data, its
 * freshness indicator is green, and it says "disconnected since" when the api goes away, then recovers.
 * Its top-10 chart paints, and the unmatched ticker shows customer text as text (never as HTML).
 */
import { createServer } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

const UNMATCHED_TEXT = '我的快递到底什么时候发货';
const HTML_TEXT = '<b>x</b> 这个能退吗';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function questions(count: number, outcome: 'answered' | 'unmatched', text?: string) {
  return Array.from({ length: count }, () => {
    const event =
      outcome === 'answered'
        ? questionEvent()
        : questionEvent({ outcome: 'unmatched', match: undefined, bestCandidate: null, ...(text ? { text } : {}) });
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
    // Two of the ten unmatched questions carry texts the ticker must show: one plain, one that looks like HTML.
    await p.produce([
      ...questions(30, 'answered'),
      ...questions(8, 'unmatched'),
      ...questions(1, 'unmatched', UNMATCHED_TEXT),
      ...questions(1, 'unmatched', HTML_TEXT),
    ]);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/wall?token=${KIOSK_TOKEN}`);
      await page.getByTestId('hit-rate').filter({ hasText: '75.0%' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="freshness"][data-level="fresh"]').waitFor({ timeout: 10_000 });
      await page.locator('[data-testid="hit-rate-trend"][data-chart-finished="true"]').waitFor({ timeout: 10_000 });
      expect(await page.getByTestId('questions').textContent()).toBe('40');

      // The top-10 chart paints; the ticker shows the produced texts, the HTML-looking one literally.
      await page.locator('[data-testid="top-questions"][data-chart-finished="true"]').waitFor({ timeout: 10_000 });
      const ticker = page.getByTestId('unmatched-ticker');
      await ticker.getByText(UNMATCHED_TEXT).waitFor({ timeout: 15_000 });
      await ticker.getByText(HTML_TEXT, { exact: true }).waitFor({ timeout: 15_000 });
      expect(await ticker.locator('b').count()).toBe(0);
      // Chinese by default, with the emotions' names.
      await page.getByTestId('emotion-heat').getByText('生气').waitFor({ timeout: 5_000 });
      await page.screenshot({ path: 'test-results/wall.png' });

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
    } finally {
      await context.close();
    }
  });

  it('fits a 4K screen without scrollbars, in English with ?lang=en, and badges a rehearsal source', async () => {
    const context = await browser.newContext({ viewport: { width: 3840, height: 2160 } });
    try {
      const page = await context.newPage();
      await page.goto(`http://127.0.0.1:${port}/wall?token=${KIOSK_TOKEN}&lang=en&source=rehearsal`);
      await page.getByTestId('source-badge').filter({ hasText: 'REHEARSAL' }).waitFor({ timeout: 15_000 });
      await page.getByText('Top 10 questions').waitFor({ timeout: 5_000 });
      await page.locator('[data-testid="top-questions"][data-chart-finished="true"]').waitFor({ timeout: 10_000 });
      // Evaluated in the page (the test's tsconfig has no DOM types): how far the page overflows the screen.
      const overflow = await page.evaluate<[number, number]>(
        '[document.documentElement.scrollWidth - window.innerWidth, document.documentElement.scrollHeight - window.innerHeight]',
      );
      expect(overflow).toEqual([0, 0]);
    } finally {
      await context.close();
    }
    // The Chinese wall with live data at 4K, for a look at its legibility.
    const zh = await browser.newContext({ viewport: { width: 3840, height: 2160 } });
    try {
      const page = await zh.newPage();
      await page.goto(`http://127.0.0.1:${port}/wall?token=${KIOSK_TOKEN}`);
      await page.getByTestId('hit-rate').filter({ hasText: '%' }).waitFor({ timeout: 15_000 });
      await page.locator('[data-testid="top-questions"][data-chart-finished="true"]').waitFor({ timeout: 10_000 });
      await page.screenshot({ path: 'test-results/wall-4k.png' });
    } finally {
      await zh.close();
    }
  });
});
