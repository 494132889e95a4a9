import { chatEventSchema, describeIssues, eventTimeRangeViolation, type ChatEvent } from '@warroom/contracts';

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
  append(events: readonly ChatEvent[]): { accepted: number; refused: number };
  read(maxEvents: number): SpoolBatch;
  commit(batch: SpoolBatch): void;
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
  /** Events held in memory while a send is in flight; more are refused (and counted). */
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

/**
 * Validates every event against ChatEvent v1 and delivers it to Kafka, in publish order (so per
 * session, since the key is the session id), without ever making a customer wait for the broker.
 *
 * While the broker answers, events go from memory straight to it in batches. When a send fails, that
 * batch and everything after it go to the on-disk spool, and from then on every new event is appended
 * behind them; the spool is replayed with back-off (0.2 s doubling to 5 s) until it is empty, then
 * sending from memory resumes. One send is in flight at a time, which is what keeps the order.
 * Events are lost only when the spool is full (or memory, while one send hangs): each loss is counted
 * and logged as an error, never silent.
 */
export class EventOutbox implements EventSink {
  private queue: ChatEvent[] = [];
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
    // Events spooled by an earlier run go out first, without waiting for a new one.
    if (spool.hasPending()) this.armRetry();
  }

  stats(): OutboxStats {
    return {
      queued: this.queue.length,
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
      if (!parsed.success) throw new InvalidChatEventError(`invalid ChatEvent: ${describeIssues(parsed.error).join('; ')}`);
      const range = eventTimeRangeViolation(event.eventTime, nowMs);
      if (range) throw new InvalidChatEventError(`invalid ChatEvent: eventTime: ${range}`);
    }
    if (this.finished) {
      this.drop(events.length, 'they were published after shutdown');
      return;
    }
    if (this.closed) {
      this.toSpool(events);
      return;
    }
    if (this.queue.length + events.length > this.options.queueMax) {
      this.drop(events.length, `${this.queue.length} events already wait in memory for a send in flight`);
      return;
    }
    for (const event of events) this.queue.push(event);
    this.schedule();
  }

  /** Sends (or spools) what is pending now; resolves when this round is over. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.drain().finally(() => {
        this.flushing = null;
        if (this.queue.length > 0) this.schedule();
      });
    }
    return this.flushing;
  }

  /** Shutdown: a last send from memory (bounded in time); whatever is not acknowledged stays spooled. */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    await this.flushing;
    if (this.queue.length > 0) {
      if (this.spool.hasPending()) {
        this.toSpool(this.takeQueue());
      } else {
        const batch = this.takeQueue();
        const timeout = this.options.closeTimeoutMs ?? 3_000;
        let timer: NodeJS.Timeout | undefined;
        const sent = await Promise.race([
          this.transport.send(batch).then(() => true, () => false),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeout);
          }),
        ]);
        clearTimeout(timer);
        if (sent) this.delivered += batch.length;
        else this.toSpool(batch);
      }
    }
    if (this.spool.hasPending()) this.logger.warn(`${this.spool.pendingEvents} events stay in the spool for the next start`);
    this.finished = true;
    this.spool.close();
    await this.transport.close();
  }

  private schedule(): void {
    if (this.closed || this.flushing || this.lingerTimer) return;
    const run = (): void => {
      this.lingerTimer = null;
      void this.flush();
    };
    this.lingerTimer = setTimeout(run, this.queue.length >= this.options.batchMax ? 0 : this.options.lingerMs);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.spool.hasPending()) {
        // Behind the spool: new events queue up on disk so that order holds.
        this.toSpool(this.takeQueue());
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
        if (!this.spool.hasPending()) this.recovered();
        continue;
      }
      if (this.queue.length === 0) return;
      // The batch stays at the head of the queue until it is acknowledged.
      const batch = this.queue.slice(0, this.options.batchMax);
      try {
        await this.transport.send(batch);
      } catch (error) {
        this.failed(error);
        this.toSpool(this.takeQueue());
        return;
      }
      this.queue = this.queue.length === batch.length ? [] : this.queue.slice(batch.length);
      this.delivered += batch.length;
      this.recovered();
      // Less than a full batch waits for the linger (flush's finally schedules it): fewer, fuller sends.
      if (this.queue.length < this.options.batchMax) return;
    }
  }

  private takeQueue(): ChatEvent[] {
    const queued = this.queue;
    this.queue = [];
    return queued;
  }

  private toSpool(events: readonly ChatEvent[]): void {
    if (events.length === 0) return;
    const { refused } = this.spool.append(events);
    if (refused > 0) this.drop(refused, `the spool is full (${this.spool.pendingBytes} bytes pending)`);
  }

  private failed(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
    const min = this.options.retryMinMs ?? 200;
    this.retryDelayMs = this.retryDelayMs === 0 ? min : Math.min(this.options.retryMaxMs ?? 5_000, this.retryDelayMs * 2);
    this.retryAtMs = this.now() + this.retryDelayMs;
    if (!this.outage) {
      this.outage = true;
      this.logger.warn(`Kafka send failed (${this.lastError}): answering on, events go to the spool and are retried`);
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
