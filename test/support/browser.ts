/**
 * Headless Chromium for browser tests, driven by playwright-core (which downloads nothing).
 * The binary comes from CHROMIUM_PATH, else Debian's /usr/bin/chromium. Outside CI a missing browser
 * skips the suite with the reason in its name; in CI it fails.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const skipReason = process.env.CI === 'true' || existsSync(CHROMIUM_PATH) ? undefined : `no Chromium at ${CHROMIUM_PATH}`;

export function describeWithBrowser(name: string, body: () => void): void {
  if (skipReason === undefined) describe(name, body);
  else describe.skip(`${name} [skipped: ${skipReason}]`, body);
}

export async function launchBrowser(): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Flags that keep Chromium from reaching for the network on a closed machine.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  process.stderr.write(`[browser] Chromium ${browser.version()}\n`);
  return browser;
}
