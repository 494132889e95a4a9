/**
 * Outreach in a real headless Chromium (issue 22): the wall's tile "reached by the bot / followed up by
 * agents" follows outreach, follow-ups and orders produced through the real pipeline, and the wall still fits
 * 1080p and 4K without scrollbars; an agent's console lists the open follow-ups (longest-waiting first, the
 * customer's text masked) and marks one done. Screenshots go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import type { ChatEvent, OutreachScenario } from '@warroom/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startTestBot } from '../support/bot';
import { questionEvent } from '../support/events';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, storedCounts, usePipeline, waitFor } from '../support/pipeline';

const SERVICE_TOKEN = 'outreach-browser-service-token-0123456789';
const PASSWORD = 'correct horse battery staple (own)';
const PHONE = '13812345678';
const MINUTE = 60_000;
let sequence = 0;

function base(session: string, at: number) {
  sequence += 1;
  return {
    v: 1 as const,
    eventId: `ob-${sequence}`,
    eventTime: new Date(at).toISOString(),
    source: 'live' as const,
    campaignId: 'outreach-browser',
    shopId: 'demo-electronics',
    sessionId: session,
    customerId: `c-${session}`,
    channel: 'app' as const,
    mode: 'bot' as const,
  };
}

/** Within the wall's 5 minutes: 8 sessions reached by the bot (2 order), 5 followed up (1 orders), 3 follow-ups waiting (2 opened within the 5 minutes). */
function events(now: number): ChatEvent[] {
  const scenarios: OutreachScenario[] = ['hesitating', 'unpaid_order', 'out_of_stock', 'coupon_expiring', 'repurchase'];
  const list: ChatEvent[] = [];
  for (let i = 0; i < 8; i += 1) {
    list.push({ ...base(`b${i}`, now - 4 * MINUTE + i * 1_000), kind: 'outreach', scenario: scenarios[i % 5]!, intentScore: 0.8, text: '您看中的耳机今晚有券' });
  }
  for (let i = 0; i < 5; i += 1) {
    list.push({ ...base(`a${i}`, now - 3 * MINUTE + i * 1_000), kind: 'follow_up_done', agentId: 'agent-1', scenario: 'unpaid_order', result: 'reached', followUpEventId: `old-${i}` });
  }
  list.push({ ...base('b0', now - 2 * MINUTE), kind: 'order', orderId: 'o-1', amountCents: 129_900 });
  list.push({ ...base('b1', now - 2 * MINUTE), kind: 'order', orderId: 'o-2', amountCents: 59_900 });
  list.push({ ...base('a0', now - 2 * MINUTE), kind: 'order', orderId: 'o-3', amountCents: 89_900 });
  const waiting: [string, number, number, OutreachScenario][] = [
    ['w1', 20, 0.55, 'hesitating'],
    ['w2', 3, 0.92, 'unpaid_order'],
    ['w3', 3, 0.61, 'coupon_expiring'],
  ];
  for (const [session, minutesAgo, intentScore, scenario] of waiting) {
    const at = now - minutesAgo * MINUTE;
    list.push(questionEvent({ ...base(session, at - 30_000), kind: 'question', text: `订单还没付款，电话${PHONE}，能保留到明天吗` }));
    list.push({ ...base(session, at), kind: 'follow_up_open', scenario, intentScore });
  }
  return list;
}

async function listedIds(page: Page): Promise<(string | null)[]> {
  const rows = await page.getByTestId('follow-up-row').all();
  return Promise.all(rows.map((row) => row.getAttribute('data-follow-up-id')));
}

async function pageOverflow(page: Page): Promise<[number, number]> {
  return page.evaluate<[number, number]>(
    '[document.documentElement.scrollWidth - window.innerWidth, document.documentElement.scrollHeight - window.innerHeight]',
  );
}

describeWithBrowser('outreach on the wall and in the agent console', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let api: AppProcess;
  let bot: AppProcess;
  const apiLog = oneTimePasswordCatcher();
  /** The follow-ups' ids in the order the console must list them. */
  let openIds: string[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    browser = await launchBrowser();
    const botPort = await freePort();
    api = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`, METRICS_TICK_MS: '200' }, { onLog: apiLog.onLog });
    bot = await startTestBot({ brokers: pipeline().broker.brokers, port: botPort, apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'outreach-browser' });
    await setUpUsers(api.url!, apiLog.password(), [{ login: 'xiao', displayName: '肖敏', role: 'agent' }], 'correct horse battery staple');
    const produced = events(Date.now());
    openIds = produced.filter((e) => e.kind === 'follow_up_open').map((e) => e.eventId);
    await pipeline().produce(produced.map((e) => ({ key: e.sessionId, value: JSON.stringify(e) })));
    await waitFor(async () => (await storedCounts(pipeline().clickhouse)).rows >= produced.length, 60_000, () => 'events not stored');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await bot?.stop();
  });

  it('shows the outreach tile at 1080p and 4K without scrollbars', async () => {
    for (const [width, height, lang] of [
      [1920, 1080, 'zh'],
      [3840, 2160, 'en'],
    ] as const) {
      const context = await browser.newContext({ viewport: { width, height } });
      try {
        const page = await context.newPage();
        await page.goto(`${api.url!}/wall?token=${KIOSK_TOKEN}${lang === 'en' ? '&lang=en' : ''}`);
        await page.getByTestId('outreach-bot-rate').filter({ hasText: '25.0%' }).waitFor({ timeout: 30_000 });
        await page.getByTestId('outreach-agent-rate').filter({ hasText: '20.0%' }).waitFor({ timeout: 5_000 });
        // w1 opened 20 minutes ago, before the wall's 5-minute window: two follow-ups of the window wait.
        expect(await page.getByTestId('outreach-open').textContent()).toMatch(/\b2$/);
        expect(await page.getByTestId('outreach-bot').textContent()).toContain('¥1,898');
        // The tile is whole inside its grid cell: nothing of it is cut off at either size.
        const cut = await page.evaluate<number>(
          `(() => { const tile = document.querySelector('[data-testid="outreach"]'); const cell = tile.closest('.wall-tile'); return tile.getBoundingClientRect().bottom - cell.getBoundingClientRect().bottom; })()`,
        );
        await page.screenshot({ path: `test-results/wall-outreach-${width}x${height}.png` });
        expect(cut).toBeLessThanOrEqual(0);
        expect(await pageOverflow(page)).toEqual([0, 0]);
      } finally {
        await context.close();
      }
    }
  });

  it("lists the follow-ups in the agent console, masked and ordered, and marks one done", async () => {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    try {
      const page = await context.newPage();
      await page.goto(`${api.url!}/agent`);
      await page.locator('input[name="login"]').fill('xiao');
      await page.locator('input[name="password"]').fill(PASSWORD);
      await page.locator('input[name="password"]').press('Enter');
      const rows = page.getByTestId('follow-up-row');
      await rows.nth(2).waitFor({ timeout: 30_000 });
      // Longest-waiting first (w1, 20 minutes); then, opened in the same minute, the higher intent (w2 before w3).
      expect(await listedIds(page)).toEqual(openIds);
      const text = (await page.getByTestId('follow-ups').textContent()) ?? '';
      expect(text).not.toContain(PHONE);
      expect(text).toContain('92%');
      await page.screenshot({ path: 'test-results/agent-follow-ups.png' });
      await rows.first().getByTestId('follow-up-reached').click();
      await page.getByTestId('follow-up-row').nth(1).waitFor({ timeout: 10_000 });
      await expect.poll(() => page.getByTestId('follow-up-row').count(), { timeout: 15_000 }).toBe(2);
      expect(await listedIds(page)).toEqual(openIds.slice(1));
    } finally {
      await context.close();
    }
  });
});
