import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChatEvent } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EventOutbox, InvalidChatEventError, type EventTransport, type OutboxLogger } from './event-outbox';
import { FileSpool } from '../repositories/file-spool';
import { testEvent } from '../testing/events';

/** A broker that can be switched off: sends fail while `up` is false. */
class FakeTransport implements EventTransport {
  up = true;
  /** While set, sends wait for it (a broker that is slow to acknowledge). */
  hold: Promise<void> | null = null;
  readonly delivered: ChatEvent[] = [];
  sends = 0;

  async send(events: readonly ChatEvent[]): Promise<void> {
    this.sends += 1;
    if (this.hold) await this.hold;
    if (!this.up) throw new Error('Connection refused');
    this.delivered.push(...events);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

class MemoryLogger implements OutboxLogger {
  readonly lines: string[] = [];
  log(message: string): void {
    this.lines.push(`log ${message}`);
  }
  warn(message: string): void {
    this.lines.push(`warn ${message}`);
  }
  error(message: string): void {
    this.lines.push(`error ${message}`);
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

describe('EventOutbox', () => {
  let dir: string;
  let transport: FakeTransport;
  let logger: MemoryLogger;
  let outbox: EventOutbox;
  const make = (maxBytes = 1024 * 1024, queueMax = 10_000): EventOutbox =>
    new EventOutbox(transport, FileSpool.open({ dir, maxBytes }), { lingerMs: 1, batchMax: 3, queueMax, retryMinMs: 10, retryMaxMs: 40 }, logger, () => Date.now());

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bot-outbox-'));
    transport = new FakeTransport();
    logger = new MemoryLogger();
    outbox = make();
  });
  afterEach(async () => {
    await outbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('delivers published events in order, in batches', async () => {
    outbox.publish([1, 2, 3, 4, 5].map((n) => testEvent(n)));
    await until(() => transport.delivered.length === 5, 'delivery');
    expect(transport.delivered.map((event) => event.eventId)).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5']);
    expect(outbox.stats()).toMatchObject({ queued: 0, spooled: 0, delivered: 5, dropped: 0 });
  });

  it('has every published event in the spool on disk once durable() resolves, with one write and sync per turn', async () => {
    // The broker never acknowledges: the crashed process below never delivers anything.
    transport.hold = new Promise(() => undefined);
    const crashDir = join(dir, 'crashing');
    const spool = FileSpool.open({ dir: crashDir, maxBytes: 1024 * 1024 });
    const syncs = vi.spyOn(spool, 'sync');
    const appends = vi.spyOn(spool, 'append');
    const crashing = new EventOutbox(transport, spool, { lingerMs: 1, batchMax: 3, queueMax: 10_000 }, logger, () => Date.now());
    for (let n = 1; n <= 50; n += 1) crashing.publish([testEvent(n)]);
    await crashing.durable();
    expect(appends).toHaveBeenCalledTimes(1);
    expect(syncs).toHaveBeenCalledTimes(1);
    // The broker has acknowledged nothing yet; the process dies here (kill -9): another opens the spool.
    const afterCrash = FileSpool.open({ dir: crashDir, maxBytes: 1024 * 1024 });
    expect(afterCrash.read(100).events.map((event) => event.eventId)).toEqual(Array.from({ length: 50 }, (_, i) => `e-${i + 1}`));
    afterCrash.close();
  });

  it('resolves durable() at once when nothing is waiting, and after the next sync otherwise', async () => {
    await outbox.durable();
    outbox.publish([testEvent(1)]);
    let done = false;
    const durable = outbox.durable().then(() => {
      done = true;
    });
    expect(done).toBe(false);
    await durable;
    expect(outbox.stats().spooled + transport.delivered.length).toBeGreaterThanOrEqual(1);
  });

  it('keeps every event when memory fills while a send hangs: the spool carries them, in order', async () => {
    await outbox.close();
    outbox = make(1024 * 1024, 4);
    let release = (): void => undefined;
    transport.hold = new Promise((done) => {
      release = done;
    });
    for (let n = 1; n <= 10; n += 1) {
      outbox.publish([testEvent(n)]);
      await outbox.durable();
    }
    transport.hold = null;
    release();
    await until(() => transport.delivered.length === 10, 'delivery from the spool');
    expect(transport.delivered.map((event) => event.eventId)).toEqual(Array.from({ length: 10 }, (_, i) => `e-${i + 1}`));
    expect(outbox.stats()).toMatchObject({ dropped: 0, spooled: 0 });
  });

  it('validates every event before it is queued', () => {
    const bad = { ...testEvent(1), emotion: { name: 'bored', intensity: 2 } } as unknown as ChatEvent;
    expect(() => outbox.publish([bad])).toThrow(InvalidChatEventError);
    expect(() => outbox.publish([{ ...testEvent(2), eventTime: '2020-01-01T00:00:00Z' }])).toThrow(/more than 7 days old/);
    expect(outbox.stats().queued).toBe(0);
  });

  it('spools while the broker is down and delivers everything in order once it is back', async () => {
    transport.up = false;
    outbox.publish([1, 2].map((n) => testEvent(n)));
    await until(() => outbox.stats().spooled === 2, 'spooling');
    outbox.publish([3, 4, 5].map((n) => testEvent(n)));
    await until(() => outbox.stats().spooled === 5, 'later events behind the spooled ones');
    expect(logger.lines.filter((line) => line.startsWith('warn')).length).toBe(1);
    expect(outbox.stats().lastError).toBe('Connection refused');
    expect(outbox.failing).toBe(true);

    transport.up = true;
    outbox.publish([testEvent(6)]);
    await until(() => transport.delivered.length === 6, 'replay');
    expect(transport.delivered.map((event) => event.eventId)).toEqual(['e-1', 'e-2', 'e-3', 'e-4', 'e-5', 'e-6']);
    expect(outbox.stats()).toMatchObject({ spooled: 0, spoolBytes: 0, dropped: 0 });
    expect(outbox.failing).toBe(false);
    expect(logger.lines.some((line) => line.startsWith('log Kafka is back'))).toBe(true);
  });

  it('is not failing while events merely wait in the spool for their first send', async () => {
    let release = (): void => undefined;
    transport.hold = new Promise((done) => {
      release = done;
    });
    outbox.publish([testEvent(1)]);
    await outbox.durable();
    await until(() => transport.sends === 1, 'the send');
    expect(outbox.stats().spooled).toBe(1);
    expect(outbox.failing).toBe(false);
    release();
    await until(() => outbox.stats().spooled === 0, 'the acknowledgement');
  });

  it('sends the same event ids again when an acknowledgement was lost (at least once, never new ids)', async () => {
    let lost = true;
    const send = transport.send.bind(transport);
    transport.send = async (events) => {
      await send(events);
      if (lost) {
        lost = false;
        throw new Error('ack lost');
      }
    };
    outbox.publish([1, 2].map((n) => testEvent(n)));
    await until(() => transport.delivered.length === 4, 'the second delivery');
    expect(transport.delivered.map((event) => event.eventId)).toEqual(['e-1', 'e-2', 'e-1', 'e-2']);
  });

  it('counts and logs, as an error, events refused by a full spool', async () => {
    await outbox.close();
    const lineBytes = Buffer.byteLength(`${JSON.stringify(testEvent(1))}\n`);
    outbox = make(lineBytes * 2);
    transport.up = false;
    outbox.publish([1, 2, 3].map((n) => testEvent(n)));
    await until(() => outbox.stats().dropped === 1, 'the drop');
    expect(outbox.stats().spooled).toBe(2);
    expect(logger.lines.find((line) => line.startsWith('error'))).toMatch(/EVENTS LOST: 1 events dropped because the spool is full/);
  });

  it('counts and logs, as an error, events a full disk refused, and answers on', async () => {
    await outbox.close();
    const fullDir = join(dir, 'full');
    mkdirSync(fullDir);
    // Every write to /dev/full fails with ENOSPC, as a full disk does.
    symlinkSync('/dev/full', join(fullDir, 'events.jsonl'));
    outbox = new EventOutbox(transport, FileSpool.open({ dir: fullDir, maxBytes: 1024 * 1024 }), { lingerMs: 1, batchMax: 3, queueMax: 100 }, logger, () => Date.now());
    outbox.publish([testEvent(1)]);
    await outbox.durable();
    expect(outbox.stats()).toMatchObject({ dropped: 1, spooled: 0 });
    expect(logger.lines.find((line) => line.startsWith('error'))).toMatch(/EVENTS LOST: 1 events dropped because the spool could not be written \(ENOSPC/);
  });

  it('keeps undelivered events in the spool across a restart', async () => {
    transport.up = false;
    outbox.publish([1, 2].map((n) => testEvent(n)));
    await until(() => outbox.stats().spooled === 2, 'spooling');
    await outbox.close();
    transport.up = true;
    outbox = make();
    // Replayed at start, without waiting for a new event.
    await until(() => transport.delivered.length === 2, 'replay after restart');
    outbox.publish([testEvent(3)]);
    await until(() => transport.delivered.length === 3, 'the next event');
    expect(transport.delivered.map((event) => event.eventId)).toEqual(['e-1', 'e-2', 'e-3']);
  });
});
