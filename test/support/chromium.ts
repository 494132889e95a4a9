/**
 * Headless Chromium through playwright-core (which downloads nothing), without vitest, so that tests,
 * test:chaos and benchmarks launch it alike. The binary comes from CHROMIUM_PATH, else Debian's.
 */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that keep Chromium from reaching for the network on a closed machine. */
const OFFLINE_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** `extraArgs`: more flags, e.g. `--js-flags=--expose-gc` for a heap soak. */
export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...OFFLINE_ARGS, ...extraArgs] });
}
