/**
 * The briefing in a real headless Chromium, fed by the real pipeline and bot (issue 23): last campaign's
 * final payment (two days ago) spiked a question the knowledge base cannot answer; 10 minutes before
 * today's final payment the trainer workstation shows the briefing (the spike unmatched and first, an
 * answered question with its reply), the inbox marks the spike's gap "predicted" and ranks it first, and
 * "open gap" opens it in the editor; the wall's next-moment tile (beside the top gaps) counts down and lists the spike as not
 * answered yet. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startTestBot } from '../support/bot';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
const PASSWORD = 'correct horse battery staple (own)';
const SPIKED = ['尾款能用数字人民币红包付吗', '数字人民币红包可以付尾款吗', '付尾款能用数字人民币红包吗'];
const ANSWERED = '下午付款今天能发吗';
const MINUTE = 60_000;

describeWithBrowser('briefing: trainer workstation and wall tile', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let api: AppProcess;
  let bot: AppProcess;
  const apiLog = oneTimePasswordCatcher();

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    browser = await launchBrowser();
    const botPort = await freePort();
    api = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}` }, { onLog: apiLog.onLog });
    bot = await startTestBot({ brokers: pipeline().broker.brokers, port: botPort, apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'browser-briefing' });
    await setUpUsers(api.url!, apiLog.password(), [{ login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior' }]);

    const lastMoment = Date.now() - 2 * 24 * 60 * MINUTE;
    const moment = Date.now() + 10 * MINUTE;
    const campaign = (name: string, at: number, questionsPerMinute: number) => ({
      name,
      source: 'live',
      startsAt: new Date(at - 2 * 60 * MINUTE).toISOString(),
      endsAt: new Date(at + 2 * 60 * MINUTE).toISOString(),
      shops: [SHOP],
      promoMoments: [{ label: '20:00 付尾款', at: new Date(at).toISOString(), kind: 'final_payment' }],
      plan: [
        { at: new Date(at - 2 * 60 * MINUTE).toISOString(), questionsPerMinute },
        { at: new Date(at + 2 * 60 * MINUTE).toISOString(), questionsPerMinute },
      ],
    });
    expect((await call(api.url!, 'PUT', '/api/campaigns/last-d11', SERVICE_TOKEN, campaign('去年双 11', lastMoment, 100))).status).toBe(200);
    expect((await call(api.url!, 'PUT', '/api/campaigns/this-d11', SERVICE_TOKEN, campaign('今年双 11', moment, 150))).status).toBe(200);
    const events = [
      ...Array.from({ length: 12 }, (_, index) =>
        questionEvent({ shopId: SHOP, eventTime: new Date(lastMoment + (1 + index) * MINUTE).toISOString(), text: SPIKED[index % 3], outcome: 'unmatched', match: undefined, bestCandidate: null }),
      ),
      ...Array.from({ length: 4 }, (_, index) =>
        questionEvent({ shopId: SHOP, eventTime: new Date(lastMoment + (2 + index) * MINUTE).toISOString(), text: ANSWERED, match: { answerId: 'delivery-time', revision: 1, score: 0.9 } }),
      ),
    ];
    await pipeline().produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    await waitFor(
      async () => {
        const result = await pipeline().clickhouse.query({ query: 'SELECT count() AS n FROM chat_events', format: 'JSONEachRow' });
        return Number((await result.json<{ n: string | number }>())[0]?.n) >= events.length;
      },
      30_000,
      () => 'last campaign’s events were not stored',
    );
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  async function page(path: string, size = { width: 1600, height: 1000 }): Promise<Page> {
    const context = await browser.newContext({ viewport: size });
    const opened = await context.newPage();
    opened.on('pageerror', (error) => process.stderr.write(`[page] ${error.message}\n`));
    await opened.goto(`${api.url!}${path}`);
    return opened;
  }

  it('shows the briefing on the trainer workstation, the predicted gap in the inbox, and the wall’s tile', async () => {
    const trainer = await page('/trainer');
    try {
      await trainer.locator('input[name="login"]').fill('wang');
      await trainer.locator('input[name="password"]').fill(PASSWORD);
      await trainer.locator('input[name="password"]').press('Enter');
      const briefing = trainer.getByTestId('briefing');
      await briefing.locator('[data-testid="briefing-entry"]').first().waitFor({ timeout: 30_000 });
      expect(await briefing.getAttribute('data-status')).toBe('open');
      const entries = briefing.getByTestId('briefing-entry');
      expect(await entries.count()).toBe(2);
      // The spike first (expected 18), unmatched; the answered question with its reply.
      expect(await entries.first().getAttribute('data-verdict')).toBe('unmatched');
      expect(await entries.first().textContent()).toMatch(/数字人民币红包.*预计 18 次（上次 12 次）/);
      expect(await entries.nth(1).getAttribute('data-verdict')).toBe('answered');
      expect(await entries.nth(1).textContent()).toContain('16:00 前付款当天发货');
      await expect.poll(() => briefing.getByTestId('briefing-countdown').textContent()).toMatch(/距节点 0?9:\d\d/);
      // The inbox: the predicted gap first, marked.
      const predicted = trainer.locator('[data-testid="gap-row"][data-predicted="true"]');
      await predicted.first().waitFor({ timeout: 40_000 });
      expect(await trainer.getByTestId('gap-row').first().getAttribute('data-predicted')).toBe('true');
      expect(await predicted.first().getByTestId('predicted-marker').textContent()).toBe('预测 · 20:00 付尾款');
      // "Open gap" opens it in the editor.
      await entries.first().getByTestId('briefing-open-gap').waitFor({ timeout: 40_000 });
      await entries.first().getByTestId('briefing-open-gap').click();
      await expect.poll(() => trainer.locator('[data-testid="gap-row"][aria-selected="true"]').getAttribute('data-predicted')).toBe('true');
      await trainer.screenshot({ path: 'test-results/briefing-trainer-1600x1000.png' });

      const wall = await page(`/wall?token=${KIOSK_TOKEN}`, { width: 1920, height: 1080 });
      const tile = wall.getByTestId('next-moment');
      await tile.waitFor({ timeout: 30_000 });
      expect(await tile.textContent()).toContain('节点简报 · 20:00 付尾款');
      expect(await tile.getByTestId('next-moment-countdown').textContent()).toMatch(/距节点 00:0?9:\d\d/);
      const items = tile.getByTestId('next-moment-entry');
      expect(await items.count()).toBe(2);
      expect(await items.first().getAttribute('data-verdict')).toBe('unmatched');
      expect(await items.first().textContent()).toMatch(/✗.*数字人民币红包.*预计 18/);
      expect(await items.nth(1).textContent()).toMatch(/✓.*下午付款今天能发吗/);
      // On screen, not clipped by its tile: every line inside the tile's box.
      const tileBox = await wall.locator('.wall-tile', { has: tile }).boundingBox();
      for (const line of [items.first(), items.nth(1)]) {
        const box = await line.boundingBox();
        expect(box && tileBox && box.y >= tileBox.y && box.y + box.height <= tileBox.y + tileBox.height, JSON.stringify({ box, tileBox })).toBe(true);
      }
      await wall.screenshot({ path: 'test-results/briefing-wall-1920x1080.png' });
    } catch (error) {
      await trainer.screenshot({ path: 'test-results/briefing-failure.png' });
      throw error;
    }
  }, 180_000);
});
