import { chatEventSchema, eventTimeRangeViolation, issuesText, type ChatEvent } from '@warroom/contracts';

export const EVENT_SINK = Symbol('EVENT_SINK');

/** Where the bot's business logic hands its events: validated, ordered, delivered eventually. */
export interface EventSink {
  publish(events: readonly ChatEvent[]): void;
}

/** The broker side, as the outbox sees it (the Kafka adapter implements it). */
export interface EventTransport {
  /** Resolves when the broker acknowledged every event, in order; rejects otherwise. */
  send(events: readonly ChatEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** A batch read from the front of the spool. */
export interface SpoolBatch {
  events: ChatEvent[];
  /** Lines in the batch that were not valid events (skipped, and counted by the caller). */
  skipped: number;
  /** Where the batch ends: what `commit` records as delivered. */
  end: number;
}

/** The on-disk spool, as the outbox sees it (repositories/file-spool.ts implements it). */
export interface Spool {
  readonly pendingEvents: number;
  readonly pendingBytes: number;
  hasPending(): boolean;
  /** Appends in order (a prefix, up to the size bound); each accepted event's line size in bytes. */
  append(events: readonly ChatEvent[]): { accepted: number; refused: number; lineBytes: number[] };
  /** Makes every append before it durable. At most one at a time, and no append while it runs. */
  sync(): Promise<void>;
  read(maxEvents: number): SpoolBatch;
  commit(batch: SpoolBatch): void;
  /** The first `events` pending events (`bytes` long) were delivered from memory. */
  commitFront(events: number, bytes: number): void;
  close(): void;
}

export interface OutboxLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface OutboxOptions {
  /** Events published within this many ms share one send. */
  lingerMs: number;
  /** Events per send. */
  batchMax: number;
  /** Events mirrored in memory while sends are in flight; past it they are sent from the spool on disk. */
  queueMax: number;
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Give up the last send at shutdown after this long (the events go to the spool). */
  closeTimeoutMs?: number;
}

export class InvalidChatEventError extends Error {}

export interface OutboxStats {
  queued: number;
  spooled: number;
  spoolBytes: number;
  delivered: number;
  dropped: number;
  lastError: string | null;
}

/** An event held in memory, with the size of its line in the spool (to commit it there once sent). */
interface MemoryEvent {
  event: ChatEvent;
  lineBytes: number;
}

/**
 * Validates every event against ChatEvent v1 and delivers it to Kafka, in publish order (so per
 * session, since the key is the session id), losing nothing it was given, even to a `kill -9`.
 *
 * The spool is a write-ahead log: every event is appended to it before the reply it records goes out.
 * Group commit keeps that cheap: the events published in one event-loop turn are appended with one write
 * and made durable with one fdatasync (off the event loop), and the turns that come while a sync runs
 * share the next one; `durable()` resolves once everything published so far is synced, and the HTTP and
 * WebSocket replies wait for it (events/durable-events.interceptor.ts).
 *
 * While the broker answers, events also stay in memory, a mirror of the spool's undelivered events, and
 * are sent from there in batches; an acknowledged batch is committed in the spool. When a send fails (or
 * memory holds `queueMax` events), the mirror is dropped and the spool is replayed from disk with back-off
 * (0.2 s doubling to 5 s) until it is empty; then the mirror starts again. One send is in flight at a
 * time, which is what keeps the order. Delivery is at least once: a crash between the broker's ack and
 * the commit sends the same events (same event ids) again. Events are lost only when the spool is full
 * or cannot be written: each loss is counted and logged as an error, never silent.
 */
export class EventOutbox implements EventSink {
  /** Published in this event-loop turn (or while a sync ran), not yet appended to the spool. */
  private unwritten: ChatEvent[] = [];
  private writeScheduled = false;
  /** The sync in flight; resolves (never rejects) when it is over. */
  private syncing: Promise<void> | null = null;
  /** Resolves the `durable()` callers waiting for the unwritten events. */
  private nextSync: { promise: Promise<void>; resolve: () => void } | null = null;
  /** Events in memory, the same as the spool's undelivered ones while `mirrored`. */
  private queue: MemoryEvent[] = [];
  private mirrored: boolean;
  private flushing: Promise<void> | null = null;
  private lingerTimer: NodeJS.Timeout | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelayMs = 0;
  private retryAtMs = 0;
  private outage = false;
  private closed = false;
  private finished = false;
  private delivered = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private lastDropLogMs = -Infinity;

  constructor(
    private readonly transport: EventTransport,
    private readonly spool: Spool,
    private readonly options: OutboxOptions,
    private readonly logger: OutboxLogger,
    private readonly now: () => number,
  ) {
    this.mirrored = !spool.hasPending();
    // Events spooled by an earlier run go out first, without waiting for a new one.
    if (!this.mirrored) this.armRetry();
  }

  /** Whether the last send failed: the events wait in the spool until Kafka takes them again. */
  get failing(): boolean {
    return this.outage;
  }

  stats(): OutboxStats {
    return {
      queued: this.unwritten.length + this.queue.length,
      spooled: this.spool.pendingEvents,
      spoolBytes: this.spool.pendingBytes,
      delivered: this.delivered,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  publish(events: readonly ChatEvent[]): void {
    const nowMs = this.now();
    for (const event of events) {
      const parsed = chatEventSchema.safeParse(event);
      if (!parsed.success) throw new InvalidChatEventError(`invalid ChatEvent: ${issuesText(parsed.error)}`);
      const range = eventTimeRangeViolation(event.eventTime, nowMs);
      if (range) throw new InvalidChatEventError(`invalid ChatEvent: eventTime: ${range}`);
    }
    if (this.finished) {
      this.drop(events.length, 'they were published after shutdown');
      return;
    }
    for (const event of events) this.unwritten.push(event);
    if (!this.writeScheduled) {
      this.writeScheduled = true;
      // After this turn's other callbacks: every event they publish shares one write and one sync.
      setImmediate(() => {
        this.writeScheduled = false;
        this.write();
      });
    }
  }

  /** Resolves once every event published so far is in the spool and synced. */
  durable(): Promise<void> {
    if (this.unwritten.length > 0) {
      if (!this.nextSync) {
        let resolve = (): void => undefined;
        const promise = new Promise<void>((done) => {
          resolve = done;
        });
        this.nextSync = { promise, resolve };
      }
      return this.nextSync.promise;
    }
    return this.syncing ?? Promise.resolve();
  }

  /** Sends (or replays from the spool) what is pending now; resolves when this round is over. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.drain().finally(() => {
        this.flushing = null;
        // What came meanwhile: events in memory, or a spool to replay since memory stopped mirroring it.
        this.schedule();
      });
    }
    return this.flushing;
  }

  /** Shutdown: everything published is spooled, then a last send from memory (bounded in time). */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    await this.flushing;
    await this.settle();
    if (this.mirrored && this.queue.length > 0) {
      const batch = this.queue;
      const timeout = this.options.closeTimeoutMs ?? 3_000;
      let timer: NodeJS.Timeout | undefined;
      const sent = await Promise.race([
        this.transport.send(batch.map((entry) => entry.event)).then(() => true, () => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeout);
        }),
      ]);
      clearTimeout(timer);
      if (sent) this.sent(batch);
    }
    if (this.spool.hasPending()) this.logger.warn(`${this.spool.pendingEvents} events stay in the spool for the next start`);
    this.finished = true;
    this.spool.close();
    await this.transport.close();
  }

  /** Appends the unwritten events with one write, then syncs; the events published meanwhile wait for the next round. */
  private write(): void {
    if (this.syncing || this.unwritten.length === 0) return;
    const events = this.unwritten;
    this.unwritten = [];
    const waiting = this.nextSync;
    this.nextSync = null;
    if (this.append(events)) {
      this.syncing = this.spool.sync().then(
        () => undefined,
        (error: unknown) => this.logger.error(`the spool could not be synced (${errorMessage(error)}): the events are written but a machine crash could lose them`),
      );
    } else {
      this.syncing = Promise.resolve();
    }
    void this.syncing.then(() => {
      this.syncing = null;
      waiting?.resolve();
      this.write();
    });
    if (!this.closed) this.schedule();
  }

  /** Appends to the spool (and to the memory mirror); false when nothing could be written. */
  private append(events: ChatEvent[]): boolean {
    let lineBytes: number[];
    try {
      const appended = this.spool.append(events);
      if (appended.refused > 0) this.drop(appended.refused, `the spool is full (${this.spool.pendingBytes} bytes pending)`);
      lineBytes = appended.lineBytes;
    } catch (error) {
      this.lastError = errorMessage(error);
      this.drop(events.length, `the spool could not be written (${this.lastError})`);
      return false;
    }
    if (!this.mirrored) return lineBytes.length > 0;
    if (this.queue.length + lineBytes.length > this.options.queueMax) {
      // Memory is full (a send hangs): the spool alone carries the events until it is delivered.
      this.unmirror();
    } else {
      lineBytes.forEach((bytes, index) => {
        const event = events[index];
        if (event) this.queue.push({ event, lineBytes: bytes });
      });
    }
    return lineBytes.length > 0;
  }

  /** Waits until everything published is appended and synced. */
  private async settle(): Promise<void> {
    for (;;) {
      if (this.syncing) await this.syncing;
      else if (this.unwritten.length > 0) this.write();
      else return;
    }
  }

  private schedule(): void {
    if (this.closed || this.flushing || this.lingerTimer) return;
    if (!this.mirrored) {
      this.armRetry();
      return;
    }
    if (this.queue.length === 0) return;
    const run = (): void => {
      this.lingerTimer = null;
      void this.flush();
    };
    this.lingerTimer = setTimeout(run, this.queue.length >= this.options.batchMax ? 0 : this.options.lingerMs);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (!this.mirrored) {
        if (this.now() < this.retryAtMs) {
          this.armRetry();
          return;
        }
        const batch = this.spool.read(this.options.batchMax);
        if (batch.skipped > 0) this.drop(batch.skipped, 'unreadable lines in the spool');
        if (batch.events.length > 0) {
          try {
            await this.transport.send(batch.events);
          } catch (error) {
            this.failed(error);
            return;
          }
          this.delivered += batch.events.length;
        }
        this.spool.commit(batch);
        if (!this.spool.hasPending()) {
          // Caught up: memory mirrors the (empty) spool again, and new events are sent from there.
          this.mirrored = true;
          this.recovered();
          return;
        }
        continue;
      }
      if (this.queue.length === 0) return;
      // The batch stays at the head of the queue until it is acknowledged.
      const batch = this.queue.slice(0, this.options.batchMax);
      try {
        await this.transport.send(batch.map((entry) => entry.event));
      } catch (error) {
        this.failed(error);
        this.unmirror();
        return;
      }
      this.sent(batch);
      this.recovered();
      // Less than a full batch waits for the linger (flush's finally schedules it): fewer, fuller sends.
      if (!this.mirrored || this.queue.length < this.options.batchMax) return;
    }
  }

  /** A batch from the front of memory was acknowledged: it leaves the spool (and memory, if still mirrored). */
  private sent(batch: readonly MemoryEvent[]): void {
    this.spool.commitFront(batch.length, batch.reduce((sum, entry) => sum + entry.lineBytes, 0));
    this.delivered += batch.length;
    if (this.mirrored) this.queue = this.queue.length === batch.length ? [] : this.queue.slice(batch.length);
  }

  private unmirror(): void {
    this.mirrored = false;
    this.queue = [];
  }

  private failed(error: unknown): void {
    this.lastError = errorMessage(error);
    const min = this.options.retryMinMs ?? 200;
    this.retryDelayMs = this.retryDelayMs === 0 ? min : Math.min(this.options.retryMaxMs ?? 5_000, this.retryDelayMs * 2);
    this.retryAtMs = this.now() + this.retryDelayMs;
    if (!this.outage) {
      this.outage = true;
      this.logger.warn(`Kafka send failed (${this.lastError}): answering on, events wait in the spool and are retried`);
    }
    this.armRetry();
  }
  private recovered(): void {
    this.retryDelayMs = 0;
    this.retryAtMs = 0;
    if (this.outage) {
      this.outage = false;
      this.logger.log(`Kafka is back: the spool is delivered (${this.delivered} events delivered so far)`);
    }
  }

  private armRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.flush();
    }, Math.max(0, this.retryAtMs - this.now()));
  }

  private drop(count: number, why: string): void {
    this.dropped += count;
    const nowMs = this.now();
    // One line per 10 s at most, with the running total: loud, but not a log flood.
    if (nowMs - this.lastDropLogMs >= 10_000) {
      this.lastDropLogMs = nowMs;
      this.logger.error(`EVENTS LOST: ${count} events dropped because ${why}; ${this.dropped} lost since start`);
    }
  }

  private clearTimers(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.lingerTimer = null;
    this.retryTimer = null;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
