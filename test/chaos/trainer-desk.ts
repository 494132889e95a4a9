/**
 * A trainer at the workstation (`/trainer`) in a real headless Chromium, for scenario 5: signed in, with a
 * draft typed into a gap's editor. After the api restarts, the desk must reconnect by itself and the draft
 * must still be there, on screen and after a reload (it is kept in the tab: features/trainer/hooks/use-draft.ts).
 */
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/chromium';

const DRAFT = '数字人民币红包能付款吗\n混沌测试：这段草稿在 api 重启后必须还在';

export class TrainerDesk {
  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly gapText: string,
  ) {}

  /** Signs in at `/trainer`, opens the gap whose row shows `gapText`, and types a draft of its examples. */
  static async open(apiUrl: string, login: string, password: string, gapText: string): Promise<TrainerDesk> {
    // A missing Chromium fails the scenario.
    const browser = await launchChromium();
    try {
      const page = await (await browser.newContext({ viewport: { width: 1600, height: 1000 } })).newPage();
      await page.goto(`${apiUrl}/trainer`);
      await page.locator('input[name="login"]').fill(login);
      await page.locator('input[name="password"]').fill(password);
      await page.locator('input[name="password"]').press('Enter');
      await page.locator('[data-testid="connection"][data-mode="push"]').waitFor({ timeout: 30_000 });
      const desk = new TrainerDesk(browser, page, gapText);
      await desk.openGap();
      await page.getByTestId('examples').fill(DRAFT);
      return desk;
    } catch (error) {
      await browser.close();
      throw error;
    }
  }

  /** After an api restart: what is broken (the desk did not reconnect, or the draft is gone), in words. */
  async survivedRestart(): Promise<string[]> {
    const failures: string[] = [];
    try {
      await this.page.locator('[data-testid="connection"][data-mode="push"]').waitFor({ timeout: 15_000 });
    } catch {
      failures.push(`the trainer's desk did not reconnect within 15 s (it shows "${await this.page.getByTestId('connection').textContent()}")`);
    }
    const onScreen = await this.page.getByTestId('examples').inputValue();
    if (onScreen !== DRAFT) failures.push(`the trainer's draft on screen changed after the api restart: ${JSON.stringify(onScreen)}`);
    await this.page.reload();
    await this.openGap();
    const reloaded = await this.page.getByTestId('examples').inputValue();
    if (reloaded !== DRAFT) failures.push(`the trainer's draft was lost on a reload after the api restart: ${JSON.stringify(reloaded)}`);
    return failures;
  }

  close(): Promise<void> {
    return this.browser.close();
  }

  private async openGap(): Promise<void> {
    await this.page.locator('[data-testid="gap-row"]', { hasText: this.gapText }).click({ timeout: 60_000 });
    await this.page.getByTestId('gap-editor').waitFor({ timeout: 10_000 });
  }
}
