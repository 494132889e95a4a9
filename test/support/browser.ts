/**
 * Headless Chromium for browser tests, driven by playwright-core (which downloads nothing).
 * The binary comes from CHROMIUM_PATH, else Debian's /usr/bin/chromium. Outside CI a missing browser
 * skips the suite with the reason in its name; in CI it fails.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { describe } from 'vitest';
import { CHROMIUM_PATH, launchChromium } from './chromium';

const skipReason = process.env.CI === 'true' || existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}`;

export function describeWithBrowser(name: string, body: () => void): void {
  if (skipReason === undefined) describe(name, body);
  else describe.skip(`${name} [skipped: ${skipReason}]`, body);
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await launchChromium();
  process.stderr.write(`[browser] Chromium ${browser.version()}\n`);
  return browser;
}
