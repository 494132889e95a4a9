/**
 * The wall's status strip in a real headless Chromium (issue 16), fed by the api's watch over real parts:
 * nothing while every part is up; a loud band naming the bot and the time it went down when the bot is
 * stopped (and, before it first started, when its health URL answers nothing); a data-loss warning with
 * the number of events missing once `ingest_offset_gaps` holds a hole. Screenshot at 1920×1080 in
 * test-results/wall-status-1920x1080.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

const CLOCK = /\d{2}:\d{2}:\d{2}/;

async function pageOverflow(page: Page): Promise<[number, number]> {
  return page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth - window.innerWidth, document.documentElement.scrollHeight - window.innerHeight]',
  );
}

describeWithBrowser('wall status strip', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let ingest: AppProcess;
  let api: AppProcess;
  let botPort: number;
  const spoolDir = mkdtempSync(join(tmpdir(), 'warroom-wall-status-spool-'));

  const startBot = () =>
    startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: pipeline().broker.brokers,
        PORT: String(botPort),
        BOT_SHOP_IDS: 'demo-electronics',
        BOT_PACK_DIR: 'packs',
        BOT_SPOOL_DIR: spoolDir,
        LOG_LEVEL: 'warn',
      },
      onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
    });

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    browser = await launchBrowser();
    const ingestPort = await freePort();
    botPort = await freePort();
    ingest = await pipeline().startApp('ingest', { PORT: String(ingestPort) });
    api = await pipeline().startApp('api', {
      HEALTH_INGEST_URL: `http://127.0.0.1:${ingestPort}/health/ingest`,
      HEALTH_BOT_URL: `http://127.0.0.1:${botPort}/health`,
      HEALTH_POLL_MS: '300',
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  it('is absent while all is well, names the part down and since when, and warns of events lost', async () => {
    const p = pipeline();
    const event = questionEvent({ match: { answerId: 'fast-charge', revision: 1, score: 0.9 } });
    await p.produce([{ key: event.sessionId, value: JSON.stringify(event) }]);
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    let bot: AppProcess | null = null;
    try {
      const page = await context.newPage();
      await page.goto(`${api.url ?? ''}/wall?token=${KIOSK_TOKEN}`);
      await page.getByTestId('hit-rate').filter({ hasText: '100.0%' }).waitFor({ timeout: 30_000 });

      // No bot answers at its health URL yet: the strip says so, loudly, with the time.
      const strip = page.getByTestId('status-strip');
      const botDown = page.locator('[data-testid="status-part-bot"][data-state="down"]');
      await botDown.waitFor({ timeout: 10_000 });
      expect(await strip.getAttribute('data-level')).toBe('down');
      expect(await botDown.textContent()).toMatch(new RegExp(`机器人 已停止自 ${CLOCK.source}not answering \\(ECONNREFUSED\\)`));
      expect(await page.locator('[data-testid="status-part-ingest"], [data-testid="status-part-store"], [data-testid="status-part-broker"]').count()).toBe(0);
      expect(await pageOverflow(page)).toEqual([0, 0]);

      // The bot starts: every part is up, nothing is missing, the strip is gone.
      bot = await startBot();
      await strip.waitFor({ state: 'detached', timeout: 15_000 });
      expect(await pageOverflow(page)).toEqual([0, 0]);

      // The bot is stopped: down again, since the moment the api missed it.
      const stoppedAt = new Date();
      await bot.kill();
      await botDown.waitFor({ timeout: 10_000 });
      const since = CLOCK.exec((await botDown.textContent()) ?? '')?.[0] ?? '';
      const [hours, minutes, seconds] = since.split(':').map(Number);
      const sinceMs = new Date(stoppedAt).setHours(hours ?? 0, minutes ?? 0, seconds ?? 0, 0);
      expect(sinceMs).toBeGreaterThanOrEqual(stoppedAt.getTime() - 1_000);
      expect(sinceMs).toBeLessThan(stoppedAt.getTime() + 5_000);

      // Ingest found a hole of 1,234 offsets: the wall warns of data loss with the number.
      await p.clickhouse.insert({
        table: 'ingest_offset_gaps',
        values: [{ topic: 'chat.events', partition: 7, first_missing_offset: 1000, last_missing_offset: 2233, missing_count: 1234, detected_at: '2026-11-11 20:00:00.000' }],
        format: 'JSONEachRow',
      });
      const dataLoss = page.getByTestId('status-data-loss');
      await dataLoss.waitFor({ timeout: 10_000 });
      expect(await dataLoss.textContent()).toBe('⚠ 数据丢失: 1,234 条事件缺失');
      expect(await pageOverflow(page)).toEqual([0, 0]);
      await page.screenshot({ path: 'test-results/wall-status-1920x1080.png' });

      // The same in English.
      const english = await context.newPage();
      await english.goto(`${api.url ?? ''}/wall?token=${KIOSK_TOKEN}&lang=en`);
      await english.getByTestId('status-data-loss').filter({ hasText: '⚠ DATA LOSS: 1,234 events missing' }).waitFor({ timeout: 10_000 });
      expect(await english.getByTestId('status-part-bot').textContent()).toMatch(new RegExp(`Bot DOWNsince ${CLOCK.source}`));
    } catch (error) {
      await Promise.all(context.pages().map((page) => page.screenshot({ path: 'test-results/wall-status-failure.png' })));
      throw error;
    } finally {
      await bot?.stop();
      await context.close();
      await ingest.stop();
    }
  });
});
