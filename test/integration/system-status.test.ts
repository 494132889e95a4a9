/**
 * The parts' health on `/live` (issue 16), through real processes: the api asks ingest's `/health/ingest`,
 * the bot's `/health` (here a dead address) and the store, judges the broker by its watermark observations,
 * and pushes a `system_status` frame at subscribe and at every change: ingest killed shows down from the
 * moment the api first missed it and up again once it is back; the store frozen shows down while it is; a
 * hole recorded in `ingest_offset_gaps` shows as missing events.
 */
import { serverFrameSchema, type PartStatus, type ServerFrame, type SystemStatus } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { freePort } from '../../infra/dev/ports';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

/** Every system_status frame of one socket, in order. */
async function watchStatus(apiUrl: string): Promise<{ statuses: SystemStatus[]; close: () => void }> {
  const socket = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/live?token=${KIOSK_TOKEN}`);
  const statuses: SystemStatus[] = [];
  socket.on('message', (bytes: Buffer) => {
    const frame: ServerFrame = serverFrameSchema.parse(JSON.parse(bytes.toString('utf8')));
    if (frame.event === 'system_status') statuses.push(frame.data);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  socket.send(JSON.stringify({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } }));
  return { statuses, close: () => socket.close() };
}

const partOf = (status: SystemStatus | undefined, part: PartStatus['part']): PartStatus | undefined => status?.parts.find((each) => each.part === part);

describe('system status', () => {
  const pipeline = usePipeline();

  it('pushes which part is down and since when, and the events lost to offset holes', async () => {
    const p = pipeline();
    const ingestPort = await freePort();
    const deadBotPort = await freePort();
    let ingest = await p.startApp('ingest', { PORT: String(ingestPort) });
    const api = await p.startApp('api', {
      HEALTH_INGEST_URL: `http://127.0.0.1:${ingestPort}/health/ingest`,
      HEALTH_BOT_URL: `http://127.0.0.1:${deadBotPort}/health`,
      HEALTH_POLL_MS: '300',
    });
    const viewer = await watchStatus(api.url ?? '');
    try {
      const newest = (): SystemStatus | undefined => viewer.statuses.at(-1);
      const describeNewest = (): string => JSON.stringify(newest());
      // Waited for rather than taken from the first frame: on a loaded machine the store's first look may be slow.
      const states = (): string => JSON.stringify(newest()?.parts.map((part) => [part.part, part.state]));
      const expected = JSON.stringify([
        ['ingest', 'up'],
        ['bot', 'down'],
        ['store', 'up'],
        ['broker', 'up'],
      ]);
      await waitFor(() => Promise.resolve(states() === expected), 15_000, describeNewest);
      expect(partOf(newest(), 'bot')?.problem).toBe('not answering (ECONNREFUSED)');
      expect(newest()?.missingEvents).toBe(0);

      const killedAt = Date.now();
      await ingest.kill();
      await waitFor(() => Promise.resolve(partOf(newest(), 'ingest')?.state === 'down'), 10_000, describeNewest);
      const down = partOf(newest(), 'ingest');
      expect(Date.parse(down?.since ?? '')).toBeGreaterThanOrEqual(killedAt);
      expect(Date.parse(down?.since ?? '')).toBeLessThan(killedAt + 5_000);

      ingest = await p.startApp('ingest', { PORT: String(ingestPort) });
      await waitFor(() => Promise.resolve(partOf(newest(), 'ingest')?.state === 'up'), 10_000, describeNewest);

      // The store frozen (SIGSTOP): down within a few looks, though its queries hang; up once it thaws.
      p.store.pause();
      try {
        await waitFor(() => Promise.resolve(partOf(newest(), 'store')?.state === 'down'), 5_000, describeNewest);
        expect(partOf(newest(), 'store')?.problem).toBe('no answer within 0.3 s');
      } finally {
        p.store.resume();
      }
      await waitFor(() => Promise.resolve(partOf(newest(), 'store')?.state === 'up'), 10_000, describeNewest);

      // What ingest records when it finds offsets that never reached it (retention, a truncated topic).
      await p.clickhouse.insert({
        table: 'ingest_offset_gaps',
        values: [{ topic: 'chat.events', partition: 3, first_missing_offset: 100, last_missing_offset: 141, missing_count: 42, detected_at: '2026-11-11 20:00:00.000' }],
        format: 'JSONEachRow',
      });
      await waitFor(() => Promise.resolve(newest()?.missingEvents === 42), 10_000, describeNewest);
      // The bot stayed down the whole time: its "since" never moved.
      expect(new Set(viewer.statuses.map((status) => partOf(status, 'bot')?.since)).size).toBe(1);
    } finally {
      viewer.close();
      await ingest.stop();
    }
  });
});
