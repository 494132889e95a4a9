/**
 * Phase 2a: thousands of walls (kiosk token, the wall's own reconnect rule) spread over the api processes
 * and over a few views, every process serving viewers of every view. Measured over a window once every wall
 * has its first frame: walls that lost their socket or never got a frame (dropped), and how many view
 * computations the whole deployment made per tick, from every process's `GET /health/live-views`.
 */
import { liveViewCountersSchema, type LiveViewCounters, type SnapshotQuery } from '@warroom/contracts';
import { eventually, sleep } from '../chaos/checks';
import { KIOSK_TOKEN, type RestartablePart } from '../chaos/system';
import { WallClient } from '../chaos/wall-client';
import { viewComputationsPerTick, type LiveViewsSample } from './report';

/** Three views, so that "one computation per view" and "per view and process" give different numbers. */
export const VIEWS: readonly SnapshotQuery[] = [
  { shop: 'all', window: '5m', source: 'live' },
  { shop: 'demo-electronics', window: '5m', source: 'live' },
  { shop: 'demo-home', window: '5m', source: 'live' },
];
/** Opened in waves, as walls coming on one after another, not one burst of handshakes. */
const WAVE = 100;
const WAVE_EVERY_MS = 200;
const FIRST_FRAME_TIMEOUT_MS = 120_000;


export interface ViewersResult {
  droppedClients: number;
  viewComputationsPerTick: number | null;
  failures: string[];
}

export async function watchViews(
  apis: readonly RestartablePart[],
  options: { clients: number; windowMs: number; log: (line: string) => void },
): Promise<ViewersResult> {
  const failures: string[] = [];
  const walls = Array.from({ length: options.clients }, (_, n) => new WallClient(apis[n % apis.length]!.url, KIOSK_TOKEN, VIEWS[Math.floor(n / apis.length) % VIEWS.length]));
  try {
    for (let opened = 0; opened < walls.length; opened += WAVE) {
      for (const wall of walls.slice(opened, opened + WAVE)) wall.open();
      await sleep(WAVE_EVERY_MS);
    }
    const everyWallHeard = await eventually(() => Promise.resolve(walls.every((wall) => wall.samples.length > 0)), FIRST_FRAME_TIMEOUT_MS, 500);
    const silent = walls.filter((wall) => wall.samples.length === 0);
    if (!everyWallHeard) failures.push(`${silent.length} of ${walls.length} walls got no frame within ${FIRST_FRAME_TIMEOUT_MS} ms (e.g. ${silent[0]?.lastError ?? 'no error'})`);
    options.log(`${walls.length - silent.length} of ${walls.length} walls receiving; measuring for ${options.windowMs} ms`);

    const before = await readLiveViewCounters(apis, failures);
    await sleep(options.windowMs);
    const after = before === null ? null : await readLiveViewCounters(apis, failures);
    const perTick = before === null || after === null ? null : viewComputationsPerTick(before, after);
    if (before !== null && after !== null) {
      options.log(`live views: ${after.map((sample, n) => `${apis[n]!.name} leader=${sample.leader} views=${sample.views}`).join(', ')}; computations per tick ${perTick ?? 'unmeasured'}`);
      if (perTick === null) failures.push('no api process ticked during the window (or one restarted): views per tick unmeasured');
    }

    const dropped = walls.filter((wall) => wall.closes.length > 0 || wall.samples.length === 0);
    if (dropped.length > 0) options.log(`${dropped.length} walls dropped, e.g. ${dropped[0]?.lastError ?? 'closed by the server'}`);
    const badFrames = walls.reduce((sum, wall) => sum + wall.badFrames, 0);
    if (badFrames > 0) failures.push(`${badFrames} frames broke the contract`);
    return { droppedClients: dropped.length, viewComputationsPerTick: perTick, failures };
  } finally {
    for (const wall of walls) wall.close();
  }
}

/** Every process's counters, or null (with the reason among the failures) when one of them does not say. */
async function readLiveViewCounters(apis: readonly RestartablePart[], failures: string[]): Promise<(LiveViewsSample & LiveViewCounters)[] | null> {
  const samples: LiveViewCounters[] = [];
  for (const api of apis) {
    const response = await fetch(`${api.url}/health/live-views`, { signal: AbortSignal.timeout(10_000) });
    const text = await response.text();
    if (response.status !== 200) {
      failures.push(`${api.name}: GET /health/live-views answered ${response.status} ${text.slice(0, 200)}`);
      return null;
    }
    const parsed = liveViewCountersSchema.safeParse(jsonOrUndefined(text));
    if (!parsed.success) {
      failures.push(`${api.name}: GET /health/live-views is not {leader, ticks, viewComputations, views}: ${text.slice(0, 200)}`);
      return null;
    }
    samples.push(parsed.data);
  }
  return samples;
}

function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
