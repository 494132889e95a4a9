/**
 * The staffing report page in a real headless Chromium, fed by the real pipeline: it loads the report of
 * the range in its URL, draws the chart and the table, takes a roster typed into the page, and its CSV
 * download holds the rows the table shows.
 */
import { readFile } from 'node:fs/promises';
import type { ChatEvent } from '@warroom/contracts';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { questionEvent } from '../support/events';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { storedCounts, usePipeline, waitFor } from '../support/pipeline';

const HOUR = 3_600_000;
const MIN = 60_000;
const SEC = 1_000;
/** Whole hours in the past, well within the 7 days ingest accepts. */
const H = Math.floor(Date.now() / HOUR) * HOUR - 3 * HOUR;
const SHOP = 'shop-reports';
const iso = (ms: number): string => new Date(ms).toISOString();
const PASSWORD = 'reports test password';

let sequence = 0;
function common(session: string, at: number) {
  sequence += 1;
  return {
    v: 1 as const,
    eventId: `reports-${sequence}`,
    eventTime: iso(at),
    source: 'live' as const,
    campaignId: 'reports-test',
    shopId: SHOP,
    sessionId: session,
    customerId: `customer-${session}`,
    channel: 'app' as const,
    mode: 'bot' as const,
  };
}

/**
 * Per 15-minute interval k (0–3): 6 + 2k conversations, of which 2 + k are handed off (a handed-off
 * question) and handled for 200 + 60k seconds, and one abandon in interval 1. Interval 3 is left with
 * handoffs nobody accepted: it uses the range's handling time.
 */
function events(): ChatEvent[] {
  const out: ChatEvent[] = [];
  for (let k = 0; k < 4; k += 1) {
    const start = H + k * 15 * MIN;
    for (let s = 0; s < 6 + 2 * k; s += 1) {
      const session = `b${k}-${s}`;
      const at = start + (30 + s * 20) * SEC;
      const handedOff = s < 2 + k;
      out.push(
        handedOff
          ? questionEvent({ ...common(session, at), outcome: 'handoff', handoffReason: 'no_match', match: undefined, bestCandidate: null })
          : questionEvent({ ...common(session, at) }),
      );
      if (handedOff && k < 3) {
        out.push({ ...common(session, at + 30 * SEC), kind: 'agent_accept', agentId: 'agent-1' });
        out.push({ ...common(session, at + (30 + 200 + 60 * k) * SEC), kind: 'agent_end', agentId: 'agent-1' });
      }
    }
  }
  out.push({ ...common('b1-0', H + 16 * MIN), kind: 'abandon' });
  return out;
}

/** Our CSV export (no quoted fields) as one record per line, keyed by the header's column names. */
function csvRows(text: string): Record<string, string>[] {
  const [header = '', ...lines] = text.trimEnd().split(/\r?\n/);
  const columns = header.split(',');
  return lines.map((line) => {
    const values = line.split(',');
    const row: Record<string, string> = {};
    columns.forEach((column, i) => {
      row[column] = values[i] ?? '';
    });
    return row;
  });
}

/** The table as the user sees it: per row its interval start and each data-col cell's text. */
async function tableRows(page: Page): Promise<{ start: string; cells: Record<string, string> }[]> {
  const rows: { start: string; cells: Record<string, string> }[] = [];
  for (const row of await page.getByTestId('staffing-table').locator('tbody tr').all()) {
    const cells: Record<string, string> = {};
    for (const cell of await row.locator('td[data-col]').all()) {
      cells[(await cell.getAttribute('data-col')) ?? ''] = (await cell.textContent()) ?? '';
    }
    rows.push({ start: (await row.getAttribute('data-interval-start')) ?? '', cells });
  }
  return rows;
}

/** The CSV value a table cell shows, formatted as the table formats it. */
function asShown(column: string, value: string): string {
  if (value === '') return '—';
  if (column === 'hit_rate' || column === 'roster_service_level') return `${(Number(value) * 100).toFixed(1)}%`;
  if (column === 'aht_used_sec') return Number(value).toFixed(1);
  return value;
}

describeWithBrowser('reports', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let app: AppProcess;
  let produced = 0;
  const apiLog = oneTimePasswordCatcher();

  beforeAll(async () => {
    browser = await launchBrowser();
    const p = pipeline();
    app = await p.startApp('ingest,api', {}, { onLog: apiLog.onLog });
    await setUpUsers(app.url!, apiLog.password(), [{ login: 'mia', displayName: 'Mia Manager', role: 'manager' }], PASSWORD);
    const all = events();
    produced = all.length;
    await p.produce(all.map((e) => ({ key: e.sessionId, value: JSON.stringify(e) })));
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= produced,
      90_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))} of ${produced}`,
    );
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws agents needed with and without the bot, takes a roster, and downloads the rows it shows as CSV', async () => {
    const context = await browser.newContext({
      viewport: { width: 1600, height: 1000 },
      timezoneId: 'Asia/Shanghai',
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    try {
      const page = await context.newPage();
      const params = new URLSearchParams({ shop: SHOP, interval: '15m', from: iso(H), to: iso(H + HOUR) });
      await page.goto(`${app.url}/reports?${params.toString()}`);
      // Reports are a manager's: sign in first (setUpUsers had Mia replace the admin's password with her own).
      await page.getByText('人力排班报表 · 登录').waitFor({ timeout: 30_000 });
      await page.locator('input[name="login"]').fill('mia');
      await page.locator('input[name="password"]').fill(`${PASSWORD} (own)`);
      await page.locator('input[name="password"]').press('Enter');

      // zh-CN by default.
      await page.getByRole('heading', { name: '人力排班报表' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-testid="report"][data-status="ready"]').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="staffing-chart"][data-chart-finished="true"]').waitFor({ timeout: 30_000 });
      // Freshness: the watermark is known, and the range ended before it.
      expect(await page.getByTestId('as-of').textContent()).toMatch(/^数据截至 \d{4}\/\d{1,2}\/\d{1,2}/);
      expect(await page.getByTestId('incomplete').count()).toBe(0);
      let rows = await tableRows(page);
      expect(rows.map((row) => row.start)).toEqual([0, 1, 2, 3].map((k) => iso(H + k * 15 * MIN)));
      expect(rows.map((row) => row.cells.conversations)).toEqual(['6', '8', '10', '12']);
      expect(rows.map((row) => row.cells.handoffs)).toEqual(['2', '3', '4', '5']);
      expect(rows.map((row) => row.cells.abandons)).toEqual(['0', '1', '0', '0']);
      // Interval 3 handled nothing: the range mean (2×200 + 3×260 + 4×320) / 9, marked as such.
      expect(rows[3]?.cells.aht_used_sec).toBe(`${((2 * 200 + 3 * 260 + 4 * 320) / 9).toFixed(1)}*`);
      expect(await page.getByTestId('what-if-1').textContent()).toMatch(/识别率 \+1 个百分点：节省 [\d.]+ 人·小时/);

      // A roster typed into the page: agents on shift and the service level they reach.
      await page.locator('details > summary').click();
      const roster = ['interval_start,agents', `${iso(H)},4`, `${iso(H + 15 * MIN)},1`, `${iso(H + 30 * MIN)},6`].join('\n');
      await page.getByTestId('roster').fill(roster);
      await page.getByTestId('submit').click();
      await page.locator('tr[data-interval-start] td[data-col="on_shift"]', { hasText: '6' }).waitFor({ timeout: 60_000 });
      await page.locator('[data-testid="report"][data-status="ready"]').waitFor({ timeout: 60_000 });
      rows = await tableRows(page);
      expect(rows.map((row) => row.cells.on_shift)).toEqual(['4', '1', '6', '—']);
      expect(rows[1]?.cells.roster_service_level).toBe('0.0%');
      // The page scrolls inside its own container: a tall viewport shows all of it in one picture.
      await page.setViewportSize({ width: 1600, height: 2000 });
      await page.screenshot({ path: 'test-results/reports.png' });

      // The CSV download holds the rows the table shows.
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('csv-download').click()]);
      expect(download.suggestedFilename()).toMatch(/^staffing-shop-reports-.*-15m\.csv$/);
      const path = await download.path();
      const csv = csvRows(await readFile(path, 'utf8')).filter((row) => row.range === 'current');
      expect(csv.map((row) => row.interval_start)).toEqual(rows.map((row) => row.start));
      csv.forEach((csvRow, i) => {
        const shown = rows[i]!.cells;
        for (const [column, text] of Object.entries(shown)) {
          expect(text.replace(/\*$/, ''), `${csvRow.interval_start} ${column}`).toBe(asShown(column, csvRow[column] ?? ''));
        }
      });
      expect(Object.keys(rows[0]!.cells)).toHaveLength(11);

      // English on request.
      await page.goto(`${app.url}/reports?${params.toString()}&lang=en`);
      await page.getByRole('heading', { name: 'Staffing report' }).waitFor({ timeout: 30_000 });
    } finally {
      await context.close();
    }
  });
});
