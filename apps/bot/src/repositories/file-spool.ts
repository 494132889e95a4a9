import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { chatEventSchema, type ChatEvent } from '@warroom/contracts';
import type { Spool, SpoolBatch } from '../events/event-outbox';

/**
 * The bot's on-disk spool: where events wait while Kafka is unreachable, delivered later in order.
 *
 * - `events.jsonl`: append-only, one ChatEvent JSON per line, in the order they were published.
 * - `events.offset`: byte offset of the first line not yet delivered (written with rename, so it is
 *   never torn). Delivery is at least once: a crash between the broker's ack and this write sends the
 *   same events (same event ids) again.
 * - `spool.lock`: the owning process id; a second live process on the same directory is refused.
 *
 * Bounded: the file never grows past `maxBytes`. When an append would cross it, the delivered prefix
 * is compacted away first; events that still do not fit are refused and counted, and the caller logs
 * it. A line torn by a crash mid-write is cut off when the spool is opened again.
 * Synchronous I/O on purpose: appends are small, made only during an outage, and keeping them in
 * publish order matters more than the microseconds.
 */

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
}

const DATA = 'events.jsonl';
const OFFSET = 'events.offset';
const LOCK = 'spool.lock';
const NEWLINE = 10;
const READ_CHUNK = 1024 * 1024;

export class FileSpool implements Spool {
  private fd: number;
  private size: number;
  private readOffset: number;
  private pending: number;
  private closed = false;

  private constructor(
    private readonly options: SpoolOptions,
    fd: number,
  ) {
    this.fd = fd;
    this.size = fstatSync(fd).size;
    this.repairTornTail();
    this.readOffset = this.readStoredOffset();
    this.pending = this.countLines(this.readOffset, this.size);
  }

  /** Opens (creating it if needed) and locks the spool directory. */
  static open(options: SpoolOptions): FileSpool {
    mkdirSync(options.dir, { recursive: true });
    acquireLock(join(options.dir, LOCK));
    return new FileSpool(options, openSync(join(options.dir, DATA), 'a+'));
  }

  get pendingEvents(): number {
    return this.pending;
  }

  get pendingBytes(): number {
    return this.size - this.readOffset;
  }

  hasPending(): boolean {
    return this.readOffset < this.size;
  }

  /** Appends events in order; returns how many were accepted (a prefix) before the size bound. */
  append(events: readonly ChatEvent[]): { accepted: number; refused: number } {
    this.assertOpen();
    if (events.length === 0) return { accepted: 0, refused: 0 };
    const lines = events.map((event) => Buffer.from(`${JSON.stringify(event)}\n`, 'utf8'));
    const total = lines.reduce((sum, line) => sum + line.length, 0);
    if (this.size + total > this.options.maxBytes) this.compact();
    let accepted = 0;
    let bytes = 0;
    while (accepted < lines.length && this.size + bytes + (lines[accepted]?.length ?? 0) <= this.options.maxBytes) {
      bytes += lines[accepted]?.length ?? 0;
      accepted += 1;
    }
    if (accepted > 0) {
      const chunk = Buffer.concat(lines.slice(0, accepted), bytes);
      let written = 0;
      while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
      this.size += bytes;
      this.pending += accepted;
    }
    return { accepted, refused: events.length - accepted };
  }

  /** Up to `maxEvents` undelivered events from the front, in order. Nothing changes until `commit`. */
  read(maxEvents: number): SpoolBatch {
    this.assertOpen();
    const events: ChatEvent[] = [];
    let skipped = 0;
    let position = this.readOffset;
    while (events.length + skipped < maxEvents && position < this.size) {
      const length = Math.min(READ_CHUNK, this.size - position);
      const buffer = Buffer.alloc(length);
      readSync(this.fd, buffer, 0, length, position);
      let lineStart = 0;
      for (let i = 0; i < length && events.length + skipped < maxEvents; i += 1) {
        if (buffer[i] !== NEWLINE) continue;
        const event = parseLine(buffer.toString('utf8', lineStart, i));
        if (event) events.push(event);
        else skipped += 1;
        lineStart = i + 1;
      }
      if (lineStart === 0) {
        // One line longer than a chunk cannot be an event (they are at most a few KB): skip it whole.
        const end = this.findNewline(position + length);
        skipped += 1;
        position = end;
        continue;
      }
      position += lineStart;
    }
    return { events, skipped, end: position };
  }

  /** Marks everything before `batch.end` delivered; an emptied spool is truncated to zero. */
  commit(batch: SpoolBatch): void {
    this.assertOpen();
    if (batch.end <= this.readOffset) return;
    this.pending -= batch.events.length + batch.skipped;
    this.readOffset = batch.end;
    if (this.readOffset >= this.size) {
      ftruncateSync(this.fd, 0);
      this.size = 0;
      this.readOffset = 0;
      this.pending = 0;
    }
    this.storeOffset();
  }

  /** Releases the lock. Undelivered events stay on disk for the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(join(this.options.dir, LOCK), { force: true });
  }

  /** Rewrites the file without its delivered prefix. */
  private compact(): void {
    if (this.readOffset === 0) return;
    const rest = Buffer.alloc(this.size - this.readOffset);
    if (rest.length > 0) readSync(this.fd, rest, 0, rest.length, this.readOffset);
    const tmp = join(this.options.dir, `${DATA}.tmp`);
    writeFileSync(tmp, rest);
    closeSync(this.fd);
    renameSync(tmp, join(this.options.dir, DATA));
    this.fd = openSync(join(this.options.dir, DATA), 'a+');
    this.size = rest.length;
    this.readOffset = 0;
    this.storeOffset();
  }

  private repairTornTail(): void {
    if (this.size === 0) return;
    const last = Buffer.alloc(1);
    readSync(this.fd, last, 0, 1, this.size - 1);
    if (last[0] === NEWLINE) return;
    // Search back for the last complete line.
    let end = this.size;
    const buffer = Buffer.alloc(Math.min(READ_CHUNK, this.size));
    while (end > 0) {
      const start = Math.max(0, end - buffer.length);
      readSync(this.fd, buffer, 0, end - start, start);
      const at = buffer.subarray(0, end - start).lastIndexOf(NEWLINE);
      if (at >= 0) {
        end = start + at + 1;
        break;
      }
      end = start;
    }
    ftruncateSync(this.fd, end);
    this.size = end;
  }

  private readStoredOffset(): number {
    const path = join(this.options.dir, OFFSET);
    if (!existsSync(path)) return 0;
    const offset = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(offset) && offset >= 0 && offset <= this.size ? offset : 0;
  }

  private storeOffset(): void {
    const path = join(this.options.dir, OFFSET);
    writeFileSync(`${path}.tmp`, String(this.readOffset));
    renameSync(`${path}.tmp`, path);
  }

  private countLines(from: number, to: number): number {
    let count = 0;
    const buffer = Buffer.alloc(READ_CHUNK);
    for (let position = from; position < to; position += buffer.length) {
      const length = Math.min(buffer.length, to - position);
      readSync(this.fd, buffer, 0, length, position);
      for (let i = 0; i < length; i += 1) if (buffer[i] === NEWLINE) count += 1;
    }
    return count;
  }

  private findNewline(from: number): number {
    const buffer = Buffer.alloc(64 * 1024);
    for (let position = from; position < this.size; position += buffer.length) {
      const length = Math.min(buffer.length, this.size - position);
      readSync(this.fd, buffer, 0, length, position);
      const at = buffer.subarray(0, length).indexOf(NEWLINE);
      if (at >= 0) return position + at + 1;
    }
    return this.size;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('spool is closed');
  }
}

function parseLine(line: string): ChatEvent | null {
  try {
    const parsed = chatEventSchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function acquireLock(path: string): void {
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const owner = Number(readFileSync(path, 'utf8').trim());
  if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && processAlive(owner)) {
    throw new Error(`spool ${path} is held by running process ${owner}: give each bot process its own BOT_SPOOL_DIR`);
  }
  writeFileSync(path, String(process.pid));
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
