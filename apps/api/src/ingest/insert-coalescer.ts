import { createHash } from 'node:crypto';
import { tablePartitionOf, type ChatEventRow } from '../repositories/chat-event-row';
import type { IncomingMessage } from '../repositories/kafka.repository';
import type { InsertChunk } from './ingest-plan';
import { classifyStoreError, type StoreFailure } from './store-errors';

/** Where one Kafka partition's rows in one INSERT start and end (dead-lettered offsets inside hold no row). */
export interface OffsetRange {
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

/** The store, as far as the coalescer needs it. */
export interface RoundStore {
  insert(rows: ChatEventRow[], deduplicationToken: string): Promise<void>;
  /** Whether the store holds `row`: an INSERT can fail in a materialized view after the table's part was written. */
  holds(row: ChatEventRow): Promise<boolean>;
}

export type DataFailure = Extract<StoreFailure, { kind: 'data' }>;

/** Why rows are tried again, identically, after a back-off. */
export type RetryReason =
  | Extract<StoreFailure, { kind: 'availability' }>
  /** The store refused the INSERT with a data error, yet holds its rows: a view refused them, not the table. */
  | (Omit<DataFailure, 'kind'> & { kind: 'view_refused' })
  /** A refused row's dead letter could not be sent: nothing after it may be stored until it is. */
  | { kind: 'dead_letter_unsent'; message: string };

/** A row the store refuses, with the message it came from. */
export interface RefusedRow {
  row: ChatEventRow;
  source: IncomingMessage;
  failure: DataFailure;
}

export interface CoalescerHooks {
  /** Sends `refused` to the dead letters; awaited before anything after it is inserted. */
  deadLetter(refused: RefusedRow): Promise<void>;
  /** The rows of `ranges` are tried again, identically, in `delayMs` (`attempt` counts from 1). */
  onRetry(ranges: OffsetRange[], reason: RetryReason, attempt: number, delayMs: number): void;
  /** Shutdown gave up on these ranges: this process stores none of their rows. Heard synchronously. */
  onAbandoned(ranges: OffsetRange[], error: unknown): void;
  onInserted(timing: RoundTiming): void;
}

export interface CoalescerOptions {
  maxRows: number;
  maxWaitMs: number;
  /** Back-off between identical retries: doubles from `minMs` up to `maxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
}

/** One finished INSERT, for the ingest's timing log. */
export interface RoundTiming {
  /** Rows stored (the round's rows less the ones the store refused). */
  rows: number;
  /** From the round's first chunk to the start of its INSERT (linger, plus waiting for the INSERT before it). */
  waitedMs: number;
  insertMs: number;
}

interface Round {
  month: string;
  rows: ChatEventRow[];
  sources: IncomingMessage[];
  /** One range per Kafka partition, in the order the partitions joined the round. */
  ranges: OffsetRange[];
  rangeOf: Map<number, OffsetRange>;
  openedAt: number;
  done: Promise<void>;
  settle: { resolve: () => void; reject: (error: unknown) => void };
  /** The wait since the first chunk has passed: cut as soon as no INSERT is running. */
  lingered: boolean;
  timer: NodeJS.Timeout | null;
}

/**
 * Coalesces the chunks of Kafka partitions into few INSERTs, and keeps the store busy while the next
 * round fills.
 *
 * An INSERT into one table partition is written as one part, so it is atomic for every Kafka partition it
 * holds. Rounds are inserted strictly one after another, in the order they were cut, and a partition's
 * chunks are added in offset order, so each partition's rows in a round are one offset range that follows
 * its range in the round before. The store's per-INSERT cost (tens of ms for chdb) is paid once per round.
 *
 * A round is cut when it reaches `maxRows`, when a chunk for another month arrives (a round never spans two
 * table partitions), or once `maxWaitMs` has passed since its first chunk and the INSERT before it is done:
 * while the store is busy the next round keeps growing, so rounds grow with the load instead of queueing.
 *
 * A round the store cannot take now (an availability error) is tried again after a back-off with the same
 * rows and the same deduplication token, while the rounds behind it wait: an INSERT that landed in spite of
 * its error is then dropped by the store, and a materialized view that failed after the table's part was
 * written is filled by the retry. A round the store refuses for its data is split in halves, left before
 * right, down to the refused rows, which are dead-lettered: each partition's rows stay contiguous and in
 * offset order, a dead letter is sent before any later row is stored, and each part's token is derived from
 * its own offset ranges, so a crash mid-split replays the same INSERTs. Only `drain` (shutdown) gives up on
 * a round; it and everything behind it then fail without being inserted, and `onAbandoned` hears their
 * ranges first.
 */
export class InsertCoalescer {
  private filling: Round | null = null;
  /** Cut rounds not yet inserted, oldest first; the first one is being inserted when `inserting` is set. */
  private readonly queue: Round[] = [];
  private inserting = false;
  private queuedRows = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private stopRetrying = false;
  private wakeRetry: (() => void) | null = null;

  constructor(
    private readonly store: RoundStore,
    private readonly options: CoalescerOptions,
    private readonly hooks: CoalescerHooks,
  ) {}

  /** Rows accepted and not yet handed to an INSERT. */
  get backlog(): number {
    return this.queuedRows;
  }

  /** Resolves once `chunk` is stored or dead-lettered (with the rest of its round); rejects if shutdown gave up on it. */
  add(partition: number, chunk: InsertChunk): Promise<void> {
    const month = tablePartitionOf(chunk.rows[0]!);
    if (this.filling && this.filling.month !== month) this.cut();
    const round = (this.filling ??= this.open(month));
    for (const row of chunk.rows) round.rows.push(row);
    for (const source of chunk.sources) round.sources.push(source);
    this.queuedRows += chunk.rows.length;
    const range = round.rangeOf.get(partition);
    if (range) {
      range.lastOffset = chunk.lastOffset;
    } else {
      const fresh = { partition, firstOffset: chunk.firstOffset, lastOffset: chunk.lastOffset };
      round.rangeOf.set(partition, fresh);
      round.ranges.push(fresh);
    }
    if (round.rows.length >= this.options.maxRows) this.cut();
    return round.done;
  }

  /**
   * Resolves when fewer than `maxRows` rows wait for an INSERT: the bound on what ingest holds in memory
   * (at most about two rounds, one being inserted and one filling, plus what one fetch brings).
   */
  whenRoom(): Promise<void> {
    if (this.queuedRows < this.options.maxRows) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /**
   * Shutdown: cuts what is filling now, stops retrying (a round the store cannot take is given up, to be
   * fetched again by the next start), and resolves once every round accepted so far is settled.
   */
  async drain(): Promise<void> {
    this.stopRetrying = true;
    this.wakeRetry?.();
    this.cut();
    if (!this.inserting && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private open(month: string): Round {
    let settle!: Round['settle'];
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Waiters attach their own handlers; this one keeps an unobserved failure from crashing the process.
    done.catch(() => undefined);
    const round: Round = {
      month,
      rows: [],
      sources: [],
      ranges: [],
      rangeOf: new Map(),
      openedAt: Date.now(),
      done,
      settle,
      lingered: false,
      timer: null,
    };
    round.timer = setTimeout(() => {
      round.timer = null;
      round.lingered = true;
      if (this.filling === round && !this.inserting) this.cut();
    }, this.options.maxWaitMs);
    return round;
  }

  private cut(): void {
    const round = this.filling;
    if (!round) return;
    this.filling = null;
    if (round.timer) clearTimeout(round.timer);
    this.queue.push(round);
    void this.next();
  }

  private async next(): Promise<void> {
    if (this.inserting) return;
    const round = this.queue[0];
    if (!round) {
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    this.inserting = true;
    this.queuedRows -= round.rows.length;
    this.wakeRoomWaiters();
    const startedAt = Date.now();
    let abandoned: { error: unknown } | null = null;
    let refused = 0;
    try {
      refused = await this.storeExactly(round.rows, round.sources);
    } catch (error) {
      abandoned = { error };
    }
    this.queue.shift();
    this.inserting = false;
    if (abandoned) {
      this.failEverything(round, abandoned.error);
    } else {
      this.hooks.onInserted({ rows: round.rows.length - refused, waitedMs: startedAt - round.openedAt, insertMs: Date.now() - startedAt });
      round.settle.resolve();
      // The round that filled meanwhile goes next, if it has waited long enough.
      if (this.filling?.lingered) this.cut();
    }
    await this.next();
  }

  /**
   * Stores `rows` (with their messages, same index) exactly once: retried identically while the store is
   * unavailable, split while it refuses their data. Resolves to the number of rows dead-lettered; throws only
   * when shutdown gives up.
   */
  private async storeExactly(rows: ChatEventRow[], sources: IncomingMessage[]): Promise<number> {
    const ranges = rangesOf(rows);
    const token = deduplicationTokenOf(ranges);
    for (let attempt = 1; ; attempt += 1) {
      const failure = await this.tryInsert(rows, token);
      if (failure === null) return 0;
      if (failure.kind === 'data') return this.split(rows, sources, failure);
      await this.pauseBeforeRetry(ranges, failure, attempt);
    }
  }

  private async tryInsert(rows: ChatEventRow[], token: string): Promise<DataFailure | RetryReason | null> {
    try {
      await this.store.insert(rows, token);
      return null;
    } catch (error) {
      const failure = classifyStoreError(error);
      if (failure.kind !== 'data') return failure;
      try {
        // The table writes its part before the views run: holding the first row means it holds them all.
        if (await this.store.holds(rows[0]!)) return { ...failure, kind: 'view_refused' };
      } catch (holdsError) {
        // Not knowing whether the rows landed, only an identical retry is safe.
        return { kind: 'availability', message: classifyStoreError(holdsError).message };
      }
      return failure;
    }
  }

  /** Left half first, then the right: offsets stay in order and a dead letter precedes every later row. */
  private async split(rows: ChatEventRow[], sources: IncomingMessage[], failure: DataFailure): Promise<number> {
    if (rows.length === 1) {
      await this.sendDeadLetter({ row: rows[0]!, source: sources[0]!, failure });
      return 1;
    }
    const middle = Math.ceil(rows.length / 2);
    const left = await this.storeExactly(rows.slice(0, middle), sources.slice(0, middle));
    return left + (await this.storeExactly(rows.slice(middle), sources.slice(middle)));
  }

  private async sendDeadLetter(refused: RefusedRow): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.hooks.deadLetter(refused);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await this.pauseBeforeRetry(rangesOf([refused.row]), { kind: 'dead_letter_unsent', message }, attempt);
      }
    }
  }

  private async pauseBeforeRetry(ranges: OffsetRange[], reason: RetryReason, attempt: number): Promise<void> {
    if (this.stopRetrying) throw new Error(`Given up at shutdown: ${reason.message}`);
    const delayMs = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** (attempt - 1));
    this.hooks.onRetry(ranges, reason, attempt, delayMs);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      this.wakeRetry = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeRetry = null;
    if (this.stopRetrying) throw new Error(`Given up at shutdown: ${reason.message}`);
  }

  /** `failed` and everything accepted after it: none of it is inserted (see the class comment). */
  private failEverything(failed: Round, error: unknown): void {
    const rounds = [failed, ...this.queue.splice(0)];
    if (this.filling) {
      if (this.filling.timer) clearTimeout(this.filling.timer);
      rounds.push(this.filling);
      this.filling = null;
    }
    for (const round of rounds.slice(1)) this.queuedRows -= round.rows.length;
    this.hooks.onAbandoned(
      rounds.flatMap((round) => round.ranges),
      error,
    );
    for (const round of rounds) round.settle.reject(error);
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    if (this.queuedRows >= this.options.maxRows) return;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}

/** Each Kafka partition's first and last offset among `rows`, in the order the partitions appear. */
function rangesOf(rows: ChatEventRow[]): OffsetRange[] {
  const byPartition = new Map<number, OffsetRange>();
  for (const row of rows) {
    const range = byPartition.get(row.kafka_partition);
    if (range) range.lastOffset = row.kafka_offset;
    else byPartition.set(row.kafka_partition, { partition: row.kafka_partition, firstOffset: row.kafka_offset, lastOffset: row.kafka_offset });
  }
  return [...byPartition.values()];
}

/** Same ranges, same token: a retried INSERT of the same rows is dropped by the store's deduplication. */
function deduplicationTokenOf(ranges: OffsetRange[]): string {
  const canonical = [...ranges]
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)))
    .map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`)
    .join(',');
  return createHash('sha256').update(canonical).digest('hex');
}
