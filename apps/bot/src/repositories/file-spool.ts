import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
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
 * The bot's on-disk spool: the write-ahead log of every event the bot publishes. An event is appended
 * (and synced, see `sync`) before the reply it records goes out, so a `kill -9` loses nothing a customer
 * was answered about; it leaves the spool once Kafka acknowledged it.
 *
 * - `events-<generation>.jsonl`: append-only, one ChatEvent JSON per line, in the order they were
 *   published (`events.jsonl`, generation 0, is what spools of earlier versions left).
 * - `events.offset`: `<byte offset> <data file>`: which file holds the spool, and where in it the first
 *   line not yet delivered starts (written with rename, so it is never torn). Within one data file the
 *   offset only grows, so an offset lost in a crash means events sent again (same event ids), never
 *   events skipped: delivery is at least once.
 * - `spool.lock`: the owning process id; a second live process on the same directory is refused.
 *
 * Compaction (dropping the delivered prefix) starts a new generation and is crash-safe: the pending
 * suffix is written to the new file and synced, the position naming the new file is written and synced,
 * and only the rename of the position switches to it; a crash at any step leaves either the old file
 * and its offset or the new file at offset 0, and the file the position does not name is removed at
 * the next open. It runs at an append, when the file would outgrow `maxBytes` or the delivered prefix
 * passes a quarter of it: the file stays bounded without a copy after every delivery.
 *
 * Bounded: events that do not fit in `maxBytes` after compaction are refused and counted, and the caller
 * logs it. A line torn by a crash mid-write is cut off when the spool is opened again. Synchronous I/O
 * but for `sync`: appends keep publish order, and one sync covers every append before it.
 */

export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  /**
   * Test seam: called after each step of a compaction; a throw there is a crash at that step (the
   * directory is left as that step left it).
   */
  afterCompactionStep?: (step: CompactionStep) => void;
}

export type CompactionStep = 'new-file-synced' | 'new-position-synced' | 'position-renamed';

const LEGACY_DATA = 'events.jsonl';
const DATA_FILE = /^events-(\d+)\.jsonl$/;
const OFFSET = 'events.offset';
const LOCK = 'spool.lock';
const NEWLINE = 10;
const READ_CHUNK = 1024 * 1024;

const dataFileName = (generation: number): string => (generation === 0 ? LEGACY_DATA : `events-${generation}.jsonl`);

function generationOf(file: string): number | null {
  if (file === LEGACY_DATA) return 0;
  const match = DATA_FILE.exec(file);
  return match ? Number(match[1]) : null;
}

export class FileSpool implements Spool {
  private fd: number;
  private generation: number;
  private size: number;
  private readOffset: number;
  private pending: number;
  private syncing = false;
  private closed = false;

  private constructor(private readonly options: SpoolOptions) {
    const position = readPosition(options.dir);
    this.generation = position.generation;
    removeOtherDataFiles(options.dir, this.generation);
    this.fd = openSync(join(options.dir, dataFileName(this.generation)), 'a+');
    this.size = fstatSync(this.fd).size;
    this.repairTornTail();
    this.readOffset = position.offset <= this.size ? position.offset : 0;
    this.pending = this.countLines(this.readOffset, this.size);
  }

  /** Opens (creating it if needed) and locks the spool directory. */
  static open(options: SpoolOptions): FileSpool {
    mkdirSync(options.dir, { recursive: true });
    acquireLock(join(options.dir, LOCK));
    return new FileSpool(options);
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

  /**
   * Appends events in order; a prefix is accepted before the size bound. Returns the size in bytes of
   * each accepted event's line (what `commitFront` is told). Not while a `sync` is in flight: a
   * compaction replaces the file that sync works on.
   */
  append(events: readonly ChatEvent[]): SpoolAppend {
    this.assertOpen();
    if (this.syncing) throw new Error('spool append while a sync is in flight');
    if (events.length === 0) return { accepted: 0, refused: 0, lineBytes: [] };
    const lines = events.map((event) => Buffer.from(`${JSON.stringify(event)}\n`, 'utf8'));
    const total = lines.reduce((sum, line) => sum + line.length, 0);
    if (this.size + total > this.options.maxBytes || this.readOffset >= this.options.maxBytes / 4) this.compact();
    const lineBytes: number[] = [];
    let bytes = 0;
    for (const line of lines) {
      if (this.size + bytes + line.length > this.options.maxBytes) break;
      bytes += line.length;
      lineBytes.push(line.length);
    }
    if (lineBytes.length > 0) {
      const chunk = Buffer.concat(lines.slice(0, lineBytes.length), bytes);
      try {
        let written = 0;
        while (written < chunk.length) written += writeSync(this.fd, chunk, written, chunk.length - written);
      } catch (error) {
        this.cutBackAfter(error);
      }
      this.size += bytes;
      this.pending += lineBytes.length;
    }
    return { accepted: lineBytes.length, refused: events.length - lineBytes.length, lineBytes };
  }

  /** Makes every append so far durable (fdatasync, off the event loop). One sync at a time. */
  async sync(): Promise<void> {
    this.assertOpen();
    if (this.syncing) throw new Error('spool sync while another is in flight');
    this.syncing = true;
    try {
      await new Promise<void>((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
    } finally {
      this.syncing = false;
    }
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

  /** Marks everything before `batch.end` delivered. */
  commit(batch: SpoolBatch): void {
    this.assertOpen();
    if (batch.end <= this.readOffset) return;
    this.advance(batch.end, batch.events.length + batch.skipped);
  }

  /** Marks the first `events` pending events, `bytes` long in all, delivered (they were sent from memory). */
  commitFront(events: number, bytes: number): void {
    this.assertOpen();
    if (events <= 0) return;
    if (bytes > this.pendingBytes || events > this.pending) throw new Error(`commitFront of ${events} events, ${bytes} bytes beyond the ${this.pending} pending`);
    this.advance(this.readOffset + bytes, events);
  }

  /** Releases the lock. Undelivered events stay on disk for the next start. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
    rmSync(join(this.options.dir, LOCK), { force: true });
  }

  /** A failed write (a full disk) may have left part of a line where the next append goes: cut it off. */
  private cutBackAfter(error: unknown): never {
    const message = error instanceof Error ? error.message : String(error);
    try {
      ftruncateSync(this.fd, this.size);
    } catch (cut) {
      throw new Error(`${message}; the spool could not be cut back to its last whole line either (${cut instanceof Error ? cut.message : String(cut)})`, { cause: error });
    }
    throw error;
  }

  private advance(end: number, events: number): void {
    this.pending -= events;
    this.readOffset = end;
    this.storePosition(join(this.options.dir, OFFSET), this.readOffset, this.generation, false);
  }

  /** Moves the undelivered suffix into a new generation's file; see the class comment for why in this order. */
  private compact(): void {
    if (this.readOffset === 0) return;
    const rest = Buffer.alloc(this.size - this.readOffset);
    if (rest.length > 0) readSync(this.fd, rest, 0, rest.length, this.readOffset);
    const next = this.generation + 1;
    const dir = this.options.dir;
    writeSynced(join(dir, dataFileName(next)), rest);
    this.options.afterCompactionStep?.('new-file-synced');
    const offsetPath = join(dir, OFFSET);
    this.storePosition(offsetPath, 0, next, true);
    this.options.afterCompactionStep?.('new-position-synced');
    renameSync(`${offsetPath}.tmp`, offsetPath);
    syncDirectory(dir);
    this.options.afterCompactionStep?.('position-renamed');
    closeSync(this.fd);
    rmSync(join(dir, dataFileName(this.generation)), { force: true });
    this.generation = next;
    this.fd = openSync(join(dir, dataFileName(next)), 'a+');
    this.size = rest.length;
    this.readOffset = 0;
  }

  /**
   * Writes the position through a temporary file. A compaction syncs it and renames it itself (the
   * switch to the new file); a delivery renames at once without a sync, since a lost offset only sends
   * events again.
   */
  private storePosition(path: string, offset: number, generation: number, forCompaction: boolean): void {
    const text = `${offset} ${dataFileName(generation)}`;
    if (forCompaction) {
      writeSynced(`${path}.tmp`, Buffer.from(text));
      return;
    }
    writeFileSync(`${path}.tmp`, text);
    renameSync(`${path}.tmp`, path);
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

/** What `append` took: a prefix of the events, and the size of each one's line. */
export interface SpoolAppend {
  accepted: number;
  refused: number;
  lineBytes: number[];
}

/**
 * The stored position. Unreadable (a crash of a spool of an earlier version, or a disk that lost the
 * file): the newest data file from its start, which sends events again rather than skipping any.
 */
function readPosition(dir: string): { offset: number; generation: number } {
  const path = join(dir, OFFSET);
  const [offsetText, file] = existsSync(path) ? readFileSync(path, 'utf8').trim().split(' ') : [];
  const offset = Number(offsetText);
  const generation = file === undefined ? 0 : generationOf(file);
  if (Number.isInteger(offset) && offset >= 0 && generation !== null) return { offset, generation };
  const newest = readdirSync(dir).reduce((max, name) => Math.max(max, generationOf(name) ?? -1), 0);
  return { offset: 0, generation: newest };
}

/** Data files of other generations are what a compaction interrupted by a crash left behind. */
function removeOtherDataFiles(dir: string, generation: number): void {
  for (const name of readdirSync(dir)) {
    const other = generationOf(name);
    if (other !== null && other !== generation) rmSync(join(dir, name), { force: true });
  }
}

function writeSynced(path: string, data: Buffer): void {
  const fd = openSync(path, 'w');
  try {
    let written = 0;
    while (written < data.length) written += writeSync(fd, data, written, data.length - written);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A rename is durable once its directory is synced. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
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
