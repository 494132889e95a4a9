import type * as Fs from 'node:fs';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatEvent } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { testEvent } from '../testing/events';
import { FileSpool } from './file-spool';

/** Set: the next write stops half-way and fails, as on a disk that just filled up. */
const faults = vi.hoisted(() => ({ failNextWrite: false }));
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof Fs>();
  const writeSync = (fd: number, buffer: Buffer, offset: number, length: number): number => {
    if (!faults.failNextWrite) return actual.writeSync(fd, buffer, offset, length);
    faults.failNextWrite = false;
    actual.writeSync(fd, buffer, offset, Math.floor(length / 2));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  return { ...actual, writeSync };
});

const ids = (events: readonly ChatEvent[]) => events.map((event) => event.eventId);

describe('FileSpool', () => {
  let dir: string;
  const spools: FileSpool[] = [];
  const open = (maxBytes = 1024 * 1024): FileSpool => {
    const spool = FileSpool.open({ dir, maxBytes });
    spools.push(spool);
    return spool;
  };

  const dataFiles = (): string[] => readdirSync(dir).filter((file) => file.endsWith('.jsonl'));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bot-spool-'));
  });
  afterEach(() => {
    for (const spool of spools.splice(0)) spool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replays appended events in order, batch by batch, until every one is delivered', () => {
    const spool = open();
    spool.append([1, 2, 3].map((n) => testEvent(n)));
    spool.append([4, 5].map((n) => testEvent(n)));
    expect(spool.pendingEvents).toBe(5);
    const first = spool.read(2);
    expect(ids(first.events)).toEqual(['e-1', 'e-2']);
    // Reading again without a commit gives the same batch: nothing is lost on a failed send.
    expect(ids(spool.read(2).events)).toEqual(['e-1', 'e-2']);
    spool.commit(first);
    expect(spool.pendingEvents).toBe(3);
    const rest = spool.read(10);
    expect(ids(rest.events)).toEqual(['e-3', 'e-4', 'e-5']);
    spool.commit(rest);
    expect(spool.hasPending()).toBe(false);
    expect(spool.pendingBytes).toBe(0);
  });

  it('commits a front sent from memory by its size, and keeps it committed across a restart', () => {
    const spool = open();
    const { lineBytes } = spool.append([1, 2, 3].map((n) => testEvent(n)));
    spool.commitFront(2, (lineBytes[0] ?? 0) + (lineBytes[1] ?? 0));
    expect(spool.pendingEvents).toBe(1);
    expect(() => spool.commitFront(2, 10_000)).toThrow(/beyond/);
    spool.close();
    expect(ids(open().read(10).events)).toEqual(['e-3']);
  });

  it('syncs, and refuses an append while a sync is in flight (a compaction would replace its file)', async () => {
    const spool = open();
    spool.append([testEvent(1)]);
    const syncing = spool.sync();
    expect(() => spool.append([testEvent(2)])).toThrow(/sync is in flight/);
    await syncing;
    expect(spool.append([testEvent(2)]).accepted).toBe(1);
  });

  it('cuts off what a failed write left, so the next append starts on a whole line', () => {
    const spool = open();
    spool.append([testEvent(1)]);
    faults.failNextWrite = true;
    expect(() => spool.append([testEvent(2)])).toThrow(/ENOSPC/);
    spool.append([testEvent(3)]);
    expect(spool.pendingEvents).toBe(2);
    spool.close();
    const again = open();
    expect(ids(again.read(10).events)).toEqual(['e-1', 'e-3']);
    expect(again.read(10).skipped).toBe(0);
  });

  it('reads a spool left by an earlier version (events.jsonl and a bare offset)', () => {
    const lines = [1, 2, 3].map((n) => `${JSON.stringify(testEvent(n))}\n`);
    writeFileSync(join(dir, 'events.jsonl'), lines.join(''));
    writeFileSync(join(dir, 'events.offset'), String(Buffer.byteLength(lines[0] ?? '')));
    expect(ids(open().read(10).events)).toEqual(['e-2', 'e-3']);
  });

  it('survives a restart: undelivered events are replayed from the stored offset', () => {
    const spool = open();
    spool.append([1, 2, 3].map((n) => testEvent(n)));
    spool.commit(spool.read(1));
    spool.close();
    const again = open();
    expect(again.pendingEvents).toBe(2);
    expect(ids(again.read(10).events)).toEqual(['e-2', 'e-3']);
  });

  it('cuts off a line torn by a crash mid-write, and skips a corrupt one', () => {
    const spool = open();
    spool.append([testEvent(1)]);
    spool.close();
    appendFileSync(join(dir, 'events.jsonl'), 'not json\n{"v":1,"eventId":"torn"');
    const again = open();
    expect(again.pendingEvents).toBe(2);
    const batch = again.read(10);
    expect(ids(batch.events)).toEqual(['e-1']);
    expect(batch.skipped).toBe(1);
    again.commit(batch);
    expect(again.pendingEvents).toBe(0);
  });

  it('is bounded: compacts the delivered prefix first, then refuses what does not fit', () => {
    const lineBytes = Buffer.byteLength(`${JSON.stringify(testEvent(1))}\n`);
    const spool = open(lineBytes * 4);
    expect(spool.append([1, 2, 3].map((n) => testEvent(n)))).toMatchObject({ accepted: 3, refused: 0 });
    spool.commit(spool.read(2));
    // 3 more fit once e-1 and e-2 are compacted away; the 4th does not.
    expect(spool.append([4, 5, 6, 7].map((n) => testEvent(n)))).toMatchObject({ accepted: 3, refused: 1 });
    expect(dataFiles().map((file) => statSync(join(dir, file)).size)).toEqual([lineBytes * 4]);
    expect(ids(spool.read(10).events)).toEqual(['e-3', 'e-4', 'e-5', 'e-6']);
  });

  it.each(['new-file-synced', 'new-position-synced', 'position-renamed'] as const)(
    'loses and repeats nothing when a compaction crashes at %s',
    (crashAt) => {
      const lineBytes = Buffer.byteLength(`${JSON.stringify(testEvent(1))}\n`);
      const crashing = FileSpool.open({
        dir,
        maxBytes: lineBytes * 4,
        afterCompactionStep: (step) => {
          if (step === crashAt) throw new Error(`crash at ${step}`);
        },
      });
      crashing.append([1, 2, 3].map((n) => testEvent(n)));
      crashing.commit(crashing.read(2));
      // This append needs the room of e-1 and e-2: the compaction it starts "crashes" (the process dies here).
      expect(() => crashing.append([4, 5].map((n) => testEvent(n)))).toThrow(`crash at ${crashAt}`);

      const restarted = open(lineBytes * 4);
      expect(ids(restarted.read(10).events)).toEqual(['e-3']);
      expect(dataFiles()).toHaveLength(1);
      restarted.append([4, 5].map((n) => testEvent(n)));
      restarted.close();
      expect(ids(open(lineBytes * 4).read(10).events)).toEqual(['e-3', 'e-4', 'e-5']);
    },
  );

  it('refuses a second live process on the same directory, but takes over a stale lock', () => {
    writeFileSync(join(dir, 'spool.lock'), String(process.ppid));
    expect(() => open()).toThrow(/held by running process/);
    writeFileSync(join(dir, 'spool.lock'), '99999999');
    open();
    expect(readFileSync(join(dir, 'spool.lock'), 'utf8')).toBe(String(process.pid));
  });
});
