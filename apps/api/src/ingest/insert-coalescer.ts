import { createHash } from 'node:crypto';
import { tablePartitionOf, type ChatEventRow } from './chat-event-row';
import type { InsertChunk } from './ingest-plan';

/** Where one Kafka partition's rows in one INSERT start and end (dead-lettered offsets inside hold no row). */
export interface OffsetRange {
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

export type InsertRows = (rows: ChatEventRow[], deduplicationToken: string) => Promise<void>;

/** One finished INSERT, for the ingest's timing log. */
export interface RoundTiming {
  rows: number;
  /** From the round's first chunk to the start of its INSERT (linger, plus waiting for the INSERT before it). */
  waitedMs: number;
  insertMs: number;
}

interface Round {
  month: string;
  rows: ChatEventRow[];
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
 * When an INSERT fails, every round cut after it and the round filling now fail too, without being
 * inserted: they may hold a partition's later offsets, and inserting those after a gap would make "highest
 * offset stored" claim rows that are not there. `onFailure` hears of every failed range first, synchronously.
 */
export class InsertCoalescer {
  private filling: Round | null = null;
  /** Cut rounds not yet inserted, oldest first; the first one is being inserted when `inserting` is set. */
  private readonly queue: Round[] = [];
  private inserting = false;
  private queuedRows = 0;
  private roomWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly insertRows: InsertRows,
    private readonly maxRows: number,
    private readonly maxWaitMs: number,
    private readonly onFailure: (ranges: OffsetRange[], error: unknown) => void = () => undefined,
    private readonly onInserted: (timing: RoundTiming) => void = () => undefined,
  ) {}

  /** Rows accepted and not yet handed to an INSERT. */
  get backlog(): number {
    return this.queuedRows;
  }

  /** Resolves once `chunk` is stored (with the rest of its round); rejects if its round was not stored. */
  add(partition: number, chunk: InsertChunk): Promise<void> {
    const month = tablePartitionOf(chunk.rows[0]!);
    if (this.filling && this.filling.month !== month) this.cut();
    const round = (this.filling ??= this.open(month));
    for (const row of chunk.rows) round.rows.push(row);
    this.queuedRows += chunk.rows.length;
    const range = round.rangeOf.get(partition);
    if (range) {
      range.lastOffset = chunk.lastOffset;
    } else {
      const fresh = { partition, firstOffset: chunk.firstOffset, lastOffset: chunk.lastOffset };
      round.rangeOf.set(partition, fresh);
      round.ranges.push(fresh);
    }
    if (round.rows.length >= this.maxRows) this.cut();
    return round.done;
  }

  /**
   * Resolves when fewer than `maxRows` rows wait for an INSERT: the bound on what ingest holds in memory
   * (at most about two rounds, one being inserted and one filling, plus what one fetch brings).
   */
  whenRoom(): Promise<void> {
    if (this.queuedRows < this.maxRows) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Cuts what is filling now and resolves once every round accepted so far is settled (on shutdown). */
  async drain(): Promise<void> {
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
    }, this.maxWaitMs);
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
    let failure: { error: unknown } | null = null;
    try {
      await this.insertRows(round.rows, deduplicationTokenOf(round.ranges));
    } catch (error) {
      failure = { error };
    }
    this.queue.shift();
    this.inserting = false;
    if (failure) {
      this.failEverything(round, failure.error);
    } else {
      this.onInserted({ rows: round.rows.length, waitedMs: startedAt - round.openedAt, insertMs: Date.now() - startedAt });
      round.settle.resolve();
      // The round that filled meanwhile goes next, if it has waited long enough.
      if (this.filling?.lingered) this.cut();
    }
    await this.next();
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
    this.onFailure(
      rounds.flatMap((round) => round.ranges),
      error,
    );
    for (const round of rounds) round.settle.reject(error);
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    if (this.queuedRows >= this.maxRows) return;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}

/** Same ranges, same token: a retried INSERT of the same rows is dropped by the store's deduplication. */
function deduplicationTokenOf(ranges: OffsetRange[]): string {
  const canonical = [...ranges]
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)))
    .map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`)
    .join(',');
  return createHash('sha256').update(canonical).digest('hex');
}
