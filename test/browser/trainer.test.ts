/**
 * The trainer workstation and the agent console in a real headless Chromium, through the whole system
 * (broker, store, api with ingest, bot following kb.patches): questions nobody can answer become a gap that
 * appears in the inbox without a reload; a trainer signs in, claims it (c), previews (p) and publishes
 * (Ctrl+Enter) a new answer; the bot answers the same question from the new revision; the gap shows
 * verified with its time-to-patch. A second trainer publishing a stale edit sees the conflict in words,
 * keeps their text and publishes again on the new revision. An agent accepts a handed-off customer,
 * answers by hand and flags the question (f): the gap shows the flag in the trainer's inbox.
 * Screenshots (inbox, editor, preview, verified, conflict, agent console) go to test-results/.
 */
import { mkdirSync } from 'node:fs';
import { chatReplySchema, type ChatReply } from '@warroom/contracts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { describeWithBrowser, launchBrowser } from '../support/browser';
import { startTestBot } from '../support/bot';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
/** setUpUsers makes every user replace the admin's password with this one. */
const PASSWORD = 'correct horse battery staple (own)';
/** Nothing in the demo packs is about digital-yuan red packets: the bot cannot answer these. */
const UNANSWERABLE = ['数字人民币红包能用来付款吗', '数字人民币红包可以用吗', '付款能用数字人民币红包吗', '数字人民币的红包能抵扣吗'];
/** A second gap, for the stale edit. */
const SECOND = ['以旧换新的国家补贴怎么领取', '国家补贴以旧换新怎么申请', '以旧换新国补在哪里领'];
/** A customer the bot misses twice, so it hands them to a human. */
const HANDED_OFF = ['能寄到南极科考站吗', '南极科考站可以送货吗'];
const ANSWER_ID = 'payment.e-cny-red-packet';
const REPLY = '支持数字人民币红包付款，结算时选择数字人民币即可。';

describeWithBrowser('trainer workstation and agent console', () => {
  const pipeline = usePipeline();
  let browser: Browser;
  let api: AppProcess;
  let bot: AppProcess;
  const apiLog = oneTimePasswordCatcher();
  let tokens: Record<string, string>;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync('test-results', { recursive: true });
    browser = await launchBrowser();
    const botPort = await freePort();
    api = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}` }, { onLog: apiLog.onLog });
    bot = await startTestBot({ brokers: pipeline().broker.brokers, port: botPort, apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'browser-trainer' });
    tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior' },
      { login: 'li', displayName: '李强', role: 'trainer', grade: 'mid' },
      { login: 'xiao', displayName: '肖敏', role: 'agent' },
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await bot?.stop();
  });

  let session = 0;
  async function ask(text: string, sessionId = `s-${++session}`): Promise<ChatReply> {
    const reply = await call(bot.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId, customerId: `c-${sessionId}`, text });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return chatReplySchema.parse(reply.body);
  }

  async function signedIn(path: string, login: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => process.stderr.write(`[page ${login}] ${error.message}\n`));
    page.on('console', (message) => {
      if (message.type() === 'error') process.stderr.write(`[console ${login}] ${message.text()}\n`);
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) policyViolations.push(`${login}: ${message.text()}`);
    });
    await page.goto(`${api.url!}${path}`);
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.locator('input[name="password"]').press('Enter');
    return page;
  }

  /** What the api's content security policy blocked on any page: the pages must need nothing it forbids. */
  const policyViolations: string[] = [];

  const gapRow = (page: Page, text: string) => page.locator('[data-testid="gap-row"]', { hasText: text });

  it('closes a gap from the inbox, explains a conflict, and receives an agent flag', async () => {
    try {
      await theWholeLoop();
      expect(policyViolations).toEqual([]);
    } catch (error) {
      // What each screen showed when it failed.
      await Promise.all(contexts.flatMap((context, c) => context.pages().map((page, p) => page.screenshot({ path: `test-results/trainer-failure-${c}-${p}.png` }))));
      throw error;
    }
  }, 240_000);

  async function theWholeLoop(): Promise<void> {
    // 1. Wang signs in; the inbox is live (and empty of our gap).
    const wang = await signedIn('/trainer', 'wang');
    await wang.getByTestId('who').filter({ hasText: '王芳' }).filter({ hasText: '初级' }).waitFor({ timeout: 15_000 });
    await wang.locator('[data-testid="connection"][data-mode="push"]').waitFor({ timeout: 15_000 });

    // 2. Questions nobody can answer: their gap appears without a reload, highlighted as new.
    for (const text of UNANSWERABLE) expect((await ask(text)).outcome).not.toBe('answered');
    const row = gapRow(wang, '数字人民币');
    await row.waitFor({ timeout: 30_000 });
    await wang.locator('[data-testid="gap-row"][data-new="true"]', { hasText: '数字人民币' }).waitFor({ timeout: 5_000 });
    await row.filter({ hasText: `共 ${UNANSWERABLE.length} 次` }).waitFor({ timeout: 30_000 });
    await wang.screenshot({ path: 'test-results/trainer-inbox.png' });

    // 3. j opens the most costly gap (ours is the only one), c claims it.
    await wang.keyboard.press('j');
    await wang.getByTestId('gap-editor').waitFor({ timeout: 5_000 });
    expect(await wang.getByTestId('editor-title').textContent()).toContain('数字人民币');
    await wang.keyboard.press('c');
    await wang.locator('[data-testid="editor-status"]', { hasText: '已认领' }).waitFor({ timeout: 10_000 });
    await row.getByTestId('claimed-by').filter({ hasText: '我认领的' }).waitFor({ timeout: 10_000 });
    const gapId = await wang.getByTestId('gap-editor').getAttribute('data-gap-id');

    // The examples are prefilled from the gap; a new answer is written.
    expect((await wang.getByTestId('examples').inputValue()).split('\n').length).toBe(UNANSWERABLE.length);
    await wang.getByTestId('mode-new').check();
    await wang.getByTestId('answer-id').fill(ANSWER_ID);
    await wang.getByLabel('主题').selectOption('payment');
    await wang.getByTestId('reply-text').fill(REPLY);
    await wang.screenshot({ path: 'test-results/trainer-editor.png' });

    // 4. p previews: the gap's questions are answered, the changed questions are listed.
    await wang.getByTestId('reply-text').press('Escape');
    await wang.keyboard.press('p');
    const preview = wang.getByTestId('preview-result');
    await preview.waitFor({ timeout: 30_000 });
    const [answered, total] = (await wang.getByTestId('preview-gap-answered').textContent())!.split('/').map((n) => Number(n.trim()));
    expect(total).toBe(UNANSWERABLE.length);
    expect(answered).toBeGreaterThanOrEqual(3);
    expect(Number(await wang.getByTestId('preview-newly-answered').textContent())).toBeGreaterThanOrEqual(answered!);
    expect(await wang.getByTestId('preview-changed').locator('tbody tr').count()).toBeGreaterThanOrEqual(answered!);
    await preview.scrollIntoViewIfNeeded();
    await wang.screenshot({ path: 'test-results/trainer-preview.png' });

    // 5. Ctrl+Enter publishes; the bot answers the same question from the new revision.
    await wang.keyboard.press('Control+Enter');
    await wang.getByTestId('watch').filter({ hasText: `${ANSWER_ID}` }).waitFor({ timeout: 15_000 });
    let reply: ChatReply | undefined;
    await waitFor(async () => (reply = await ask(UNANSWERABLE[1]!)).outcome === 'answered', 5_000, () => JSON.stringify(reply));
    expect(reply).toMatchObject({ outcome: 'answered', answer: { answerId: ANSWER_ID, revision: 1 } });

    // 6. The gap shows verified, with its time-to-patch fixed (no longer running).
    await wang.locator('[data-testid="watch"][data-status="verified"]').waitFor({ timeout: 30_000 });
    const ttp = wang.locator('[data-testid="time-to-patch"][data-final="true"]');
    await ttp.waitFor({ timeout: 5_000 });
    expect(await ttp.textContent()).toMatch(/\d+ 秒/);
    const gap = (await call(api.url!, 'GET', `/api/gaps/${gapId}`, tokens.wang!)).body as { status: string; timeToPatchMs: number };
    expect(gap).toMatchObject({ status: 'verified' });
    expect(gap.timeToPatchMs).toBeGreaterThan(0);
    // The watch counts the questions the new revision answered (at least the one just asked).
    await waitFor(async () => Number(await wang.getByTestId('answered-since').textContent()) >= 1, 10_000, async () => `answered since: ${await wang.getByTestId('answered-since').textContent()}`);
    // The history shows revision 1 by wang.
    await wang.locator('[data-testid="history-version"][data-revision="1"]', { hasText: 'wang' }).waitFor({ timeout: 10_000 });
    await wang.getByTestId('watch').scrollIntoViewIfNeeded();
    await wang.screenshot({ path: 'test-results/trainer-verified.png' });

    // 7. A stale edit: li adds the second gap's questions to an answer at the revision she loaded, wang
    //    publishes to that answer first; li sees who, when and what, keeps her text, and publishes again.
    for (const text of SECOND) await ask(text);
    const li = await signedIn('/trainer', 'li');
    const second = gapRow(li, '以旧换新');
    await second.waitFor({ timeout: 30_000 });
    await second.click();
    await li.getByTestId('gap-editor').waitFor({ timeout: 5_000 });
    await li.getByTestId('mode-add').check();
    await li.getByTestId('target-answer').selectOption(ANSWER_ID);
    await li.locator('[data-testid="base-revision"]', { hasText: '基于版本 1' }).waitFor({ timeout: 10_000 });
    const liExamples = `${SECOND.join('\n')}\n李强补充：以旧换新补贴`;
    await li.getByTestId('examples').fill(liExamples);
    // A reload (or a lost connection) loses nothing: the draft of the gap is kept in the tab.
    await li.reload();
    await second.click();
    await li.getByTestId('gap-editor').waitFor({ timeout: 10_000 });
    expect(await li.getByTestId('examples').inputValue()).toBe(liExamples);
    await li.locator('[data-testid="base-revision"]', { hasText: '基于版本 1' }).waitFor({ timeout: 10_000 });

    const first = await call(api.url!, 'POST', '/api/kb/patches', tokens.wang!, {
      patch: { op: 'edit_answer', scope: { pack: 'shop', shopId: SHOP }, answerId: ANSWER_ID, reply: { type: 'text', text: `${REPLY}（王芳补充：红包不找零）` } },
      baseRevision: 1,
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);

    await li.getByTestId('examples').press('Control+Enter');
    const conflict = li.getByTestId('conflict');
    await conflict.waitFor({ timeout: 15_000 });
    expect(await conflict.textContent()).toMatch(/wang 在 \d+ 秒前发布了版本 2/);
    expect(await conflict.textContent()).toContain('新的回复内容');
    expect(await li.getByTestId('conflict-message').textContent()).toMatch(/revision 2 was published by wang/);
    expect(await li.getByTestId('examples').inputValue()).toBe(liExamples);
    await li.screenshot({ path: 'test-results/trainer-conflict.png' });
    await li.getByTestId('rebase').click();
    await li.getByTestId('watch').filter({ hasText: '版本 3' }).waitFor({ timeout: 15_000 });
    const history = z
      .array(z.object({ revision: z.number(), op: z.string(), author: z.object({ login: z.string() }).nullable() }))
      .parse((await call(api.url!, 'GET', `/api/kb/history?target=${encodeURIComponent(`shop:${SHOP}/${ANSWER_ID}`)}`, tokens.li!)).body);
    expect(history.map((version) => [version.revision, version.op, version.author?.login])).toEqual([
      [1, 'new_answer', 'wang'],
      [2, 'edit_answer', 'wang'],
      [3, 'add_examples', 'li'],
    ]);

    // 8. The agent console: a customer the bot missed twice waits; the agent accepts (a), sees the
    //    conversation and the bot's suggestions, answers by hand (Ctrl+Enter) and flags the question (f).
    const customer = 's-antarctica';
    for (const text of HANDED_OFF) await ask(text, customer);
    const xiao = await signedIn('/agent', 'xiao');
    const waiting = xiao.locator(`[data-testid="queue-row"][data-session-id="${customer}"]`);
    await waiting.waitFor({ timeout: 15_000 });
    await waiting.click();
    await xiao.keyboard.press('a');
    await xiao.locator(`[data-testid="chat-panel"][data-session-id="${customer}"]`).waitFor({ timeout: 15_000 });
    await xiao.getByTestId('conversation').getByText(HANDED_OFF[0]!).waitFor({ timeout: 30_000 });
    // 1 takes the bot's first suggestion into the reply box; the agent replaces it with their own answer.
    await xiao.getByTestId('suggestion').first().waitFor({ timeout: 10_000 });
    await xiao.keyboard.press('1');
    expect(await xiao.getByTestId('reply').inputValue()).not.toBe('');
    await xiao.getByTestId('reply').fill('您好，南极科考站暂不在配送范围内，可以寄到最近的国内转运点。');
    await xiao.getByTestId('reply').press('Control+Enter');
    await xiao.getByTestId('agent-notice').filter({ hasText: '已发送' }).waitFor({ timeout: 10_000 });
    await xiao.getByTestId('conversation').getByText('南极科考站暂不在配送范围内', { exact: false }).waitFor({ timeout: 30_000 });
    await xiao.screenshot({ path: 'test-results/agent-console.png' });
    await xiao.getByTestId('reply').press('Escape');
    await xiao.keyboard.press('f');
    await xiao.getByTestId('agent-notice').filter({ hasText: '已送到训练师的收件箱' }).waitFor({ timeout: 10_000 });
    // e ends the chat: it leaves the agent's list. Trainers cannot work the queue.
    await xiao.keyboard.press('e');
    await xiao.locator(`[data-testid="my-chat"][data-session-id="${customer}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    expect((await call(api.url!, 'GET', '/api/agent/queue', tokens.wang!)).status).toBe(403);

    // The flag reaches the trainer's inbox: the gap of that question carries the flag marker.
    await wang.locator('[data-testid="gap-row"]', { hasText: '南极' }).locator('[data-testid="flag-marker"]').waitFor({ timeout: 30_000 });
    await wang.screenshot({ path: 'test-results/trainer-inbox-flag.png' });

    // English on request.
    const english = await browser.newContext();
    contexts.push(english);
    const page = await english.newPage();
    await page.goto(`${api.url!}/agent?lang=en`);
    await page.getByText('Agent console · sign in').waitFor({ timeout: 10_000 });
    await page.goto(`${api.url!}/trainer?lang=en`);
    await page.getByText('Trainer workstation · sign in').waitFor({ timeout: 10_000 });
  }
});
