/**
 * The wall's top-gaps tile in a real headless Chromium, fed by the real pipeline (ingest and api as
 * separate processes): unmatched questions become a gap that appears on the wall as it opens, flashing for
 * a few seconds; its text is masked and inert; once a trainer claims it, its time-to-patch clock runs; the
 * time-to-patch median and p90 are shown. A screenshot goes to test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { gapSchema } from '@warroom/contracts';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, usePipeline } from '../support/pipeline';

const PHONE = '13812345678';
const TEXTS = ['以旧换新怎么折算 <img src=x onerror="window.__gapInjected=1">', '以旧换新怎么折算价格', `以旧换新折算多少 电话${PHONE}`, '旧手机以旧换新能折算多少钱'];

describeWithBrowser('wall: top gaps', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let apiUrl = '';
  const log = oneTimePasswordCatcher();

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    browser = await launchBrowser();
    await pipeline().startApp('ingest');
    const api = await pipeline().startApp('api', { GAP_POLL_MS: '100' }, { onLog: log.onLog });
    apiUrl = api.url!;
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('shows a new gap at once, flashing, masked and inert; a claimed gap’s clock runs', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    try {
      const page = await context.newPage();
      await page.goto(`${apiUrl}/wall?token=${KIOSK_TOKEN}`);
      const tile = page.getByTestId('top-gaps');
      await tile.waitFor({ timeout: 30_000 });

      await pipeline().produce(
        TEXTS.map((text) => {
          const event = questionEvent({ outcome: 'unmatched', match: undefined, bestCandidate: null, text });
          return { key: event.sessionId, value: JSON.stringify(event) };
        }),
      );
      // It arrives by push and flashes as new (as two gaps for a moment, when the questions come over two polls).
      const item = tile.locator('[data-testid="gap-item"][data-new="true"]');
      await item.first().waitFor({ timeout: 20_000 });
      // All four questions are one gap once the api has seen them all (they may arrive over several polls).
      const gapsNow = async () => z.array(gapSchema).parse((await call(apiUrl, 'GET', '/api/gaps?shop=shop-a', KIOSK_TOKEN)).body);
      await expect.poll(async () => (await gapsNow()).map((gap) => gap.volume.total), { timeout: 10_000 }).toEqual([TEXTS.length]);
      const gaps = await gapsNow();
      // The wall follows by push: its text becomes the gap's representative, chosen from all four.
      await expect.poll(() => tile.getByTestId('gap-text').textContent(), { timeout: 5_000 }).toBe(gaps[0]!.representative);
      expect(await tile.locator('[data-testid="gap-item"]').count()).toBe(1);
      await page.screenshot({ path: 'test-results/wall-gaps-1920x1080.png' });
      // Masked and inert: the phone number never reaches the page, the handler never runs.
      expect(await tile.locator('img').count()).toBe(0);
      expect(await page.evaluate('window.__gapInjected')).toBeUndefined();
      expect(await page.content()).not.toContain(PHONE);
      // The flash ends by itself after a few seconds.
      await item.waitFor({ state: 'detached', timeout: 15_000 });

      // A trainer claims it: its time-to-patch clock appears and runs.
      const tokens = await setUpUsers(apiUrl, log.password(), [{ login: 'tina', displayName: 'Tina', role: 'trainer', grade: 'junior' }]);
      expect((await call(apiUrl, 'POST', `/api/gaps/${gaps[0]!.gapId}/claim`, tokens.tina!)).status).toBe(200);
      const clock = tile.getByTestId('patch-clock');
      await clock.waitFor({ timeout: 10_000 });
      const first = await clock.textContent();
      // Polled from the test: the page's content security policy forbids evaluating strings in it.
      await expect.poll(() => clock.textContent(), { timeout: 5_000 }).not.toBe(first);
      // No gap verified yet: time-to-patch says so.
      expect(await tile.getByTestId('time-to-patch').textContent()).toContain('—');
    } catch (error) {
      await Promise.all(context.pages().map((page) => page.screenshot({ path: 'test-results/wall-gaps-failure.png' })));
      throw error;
    } finally {
      await context.close();
    }
  });
});
