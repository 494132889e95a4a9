import { concurrencyLimit } from '../common/concurrency-limit';
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
  /** Highest offset stored per Kafka partition of the coalescer's topic (absent: none). */
  storedOffsets(): Promise<Map<number, bigint>>;
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

/**
 * The store's range of a Kafka partition does not end where this process's next rows begin: another ingest
 * member stored the partition (a rebalance), or this process's INSERT was dropped because another member's
 * INSERT from the same offset landed first. Nothing queued for the partition is inserted.
 */
export class PartitionFenced extends Error {
  constructor(
    readonly partition: number,
    /** Highest offset the store holds for the partition (null: none). */
    readonly storedOffset: bigint | null,
    /** Highest offset this process expected it to hold. */
    readonly expectedOffset: bigint | null,
  ) {
    super(
      `partition ${partition}: the store holds through offset ${storedOffset ?? 'none'}, this process expected ` +
        `${expectedOffset ?? 'none'}: another ingest member stored it`,
    );
    this.name = 'PartitionFenced';
  }
}

export interface CoalescerHooks {
  /** Sends `refused` to the dead letters; awaited before anything after it is inserted. */
  deadLetter(refused: RefusedRow): Promise<void>;
  /** The rows of `ranges` are tried again, identically, in `delayMs` (`attempt` counts from 1). */
  onRetry(ranges: OffsetRange[], reason: RetryReason, attempt: number, delayMs: number): void;
  /** Shutdown gave up on these ranges: this process stores none of their rows. Heard synchronously. */
  onAbandoned(ranges: OffsetRange[], error: unknown): void;
  /**
   * Everything queued for `fenced.partition` was dropped (its promises reject with `fenced`): the partition
   * must resume from what the store holds. Heard synchronously, before the rejections.
   */
  onFenced(fenced: PartitionFenced): void;
  onInserted(timing: RoundTiming): void;
}

export interface CoalescerOptions {
  maxRows: number;
  maxWaitMs: number;
  /** Back-off between identical retries: doubles from `minMs` up to `maxMs`. */
  retryMinMs: number;
  retryMaxMs: number;
  /**
   * How long a reading of the store's offsets may serve as the check before an INSERT, counted from when it
   * was asked: a process stalled longer asks again, so its INSERT follows a recent check.
   */
  checkFreshMs: number;
  /** A round's INSERTs on their way to the store at once (each is one Kafka partition's). */
  insertsInFlight: number;
  /**
   * Kafka partitions a round holds at most: the partitions that joined first go, the others stay in the
   * round that fills next (and keep growing there), which goes as soon as the store is free.
   */
  partsPerRound: number;
}

/** One finished round, for the ingest's timing log. */
export interface RoundTiming {
  /** Rows stored (the round's rows less the ones the store refused or another member stored). */
  rows: number;
  /** From the round's first chunk to the start of its first INSERT (linger, plus waiting for the round before it). */
  waitedMs: number;
  /** From the round's check to its read-back: its INSERTs, one per Kafka partition. */
  insertMs: number;
}

/** One Kafka partition's rows in a round: one INSERT, one offset range. */
interface Part {
  partition: number;
  rows: ChatEventRow[];
  sources: IncomingMessage[];
  range: OffsetRange;
  /** When its first chunk came. */
  openedAt: number;
  done: Promise<void>;
  settle: { resolve: () => void; reject: (error: unknown) => void };
}

interface Round {
  month: string;
  /** In the order the partitions joined the round. */
  parts: Map<number, Part>;
  rows: number;
  openedAt: number;
  /** The wait since the first chunk has passed: cut as soon as no INSERT is running. */
  lingered: boolean;
  timer: NodeJS.Timeout | null;
}

/** The store's offsets as read, and when the reading was asked (before the answer: a stall in between counts). */
interface StoreReading {
  offsets: Map<number, bigint>;
  askedAt: number;
  /** `InsertCoalescer.insertSteps` when it was asked: an INSERT sent or answered later is not in it for sure. */
  step: number;
}

/**
 * Coalesces the chunks of Kafka partitions into rounds, and keeps the store busy while the next round
 * fills. A round holds one offset range per Kafka partition and is stored as one INSERT per partition,
 * each into one table partition (one part, atomic).
 *
 * Exactly once with several writers of a partition (ingest members across a rebalance, a stalled former
 * owner): a partition's INSERT continues the store's range of that partition, and its deduplication token
 * names only where it continues from (`<topic>/<partition>@<offset after the stored range>`). Before its
 * INSERT, the store's highest offset of the partition is checked to be the one this process expects; after
 * the round it is read back. So two writers that continue the same range collide on the token and the store
 * keeps only the first; the other sees the store's range end elsewhere and drops everything it queued for
 * the partition (`onFenced`), to resume from the store.
 *
 * Rounds are inserted strictly one after another, in the order they were cut, and a partition's chunks are
 * added in offset order. Within a round the partitions' INSERTs follow one check of the store for all of
 * them and go `insertsInFlight` at a time: they continue different partitions' ranges, so nothing orders
 * them. A cluster runs them in parallel; the dev store runs one statement at a time in arrival order, so
 * there a small window keeps it busy without a round trip between INSERTs while a live query waits behind
 * at most that many of them, not behind the whole round. A round is cut when it reaches `maxRows`, when a
 * chunk for another month arrives (a round never spans two table partitions), or once `maxWaitMs` has passed
 * since its first chunk and the round before it is done: while the store is busy the next round keeps
 * growing. A round takes at most `partsPerRound` partitions, those waiting longest; the others stay in the
 * next round, still growing, and go in turn: each round is short and read back (and so committed) soon, so
 * the partitions' stored ranges advance one group after another instead of all together after one long round.
 *
 * An INSERT the store cannot take now (an availability error) is tried again after a back-off with the same
 * rows and the same token, while everything behind it waits: an INSERT that landed in spite of its error is
 * then dropped by the store, and a materialized view that failed after the table's part was written is
 * filled by the retry. An INSERT the store refuses for its data is split in halves, left before right, down
 * to the refused rows, which are dead-lettered: rows stay in offset order, a dead letter is sent before any
 * later row is stored, and each part's token follows from the rows stored before it, so a crash mid-split
 * replays the same INSERTs. Only `drain` (shutdown) gives up on a round; it and everything behind it then
 * fail without being inserted, and `onAbandoned` hears their ranges first.
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
  /** Ends the back-off of every part waiting to try again (shutdown). */
  private readonly retryWakers = new Set<() => void>();
  /**
   * Counts INSERTs sent and answered; per Kafka partition, the count at its last INSERT's send or answer, and
   * whether one is on its way: a reading says where a partition's range ends only if it was asked after that.
   */
  private insertSteps = 0;
  private readonly lastInsertStep = new Map<number, number>();
  private readonly insertsInFlight = new Set<number>();
  private readonly partsAtOnce: <T>(task: () => Promise<T>) => Promise<T>;
  /**
   * Per Kafka partition, the highest offset the store holds once everything this process inserted landed:
   * where its next INSERT continues. Set by a partition's first chunk, dropped when the partition is fenced
   * or abandoned (and nothing of it is queued then).
   */
  private readonly expected = new Map<number, bigint | null>();
  /** The last reading of the store's offsets, taken after this process's last INSERT; null when unknown. */
  private reading: StoreReading | null = null;

  constructor(
    private readonly topic: string,
    private readonly store: RoundStore,
    private readonly options: CoalescerOptions,
    private readonly hooks: CoalescerHooks,
  ) {
    this.partsAtOnce = concurrencyLimit(options.insertsInFlight);
  }

  /** Rows accepted and not yet handed to an INSERT. */
  get backlog(): number {
    return this.queuedRows;
  }

  /**
   * Resolves once `chunk` is stored or dead-lettered (with the rest of its partition's rows in the round);
   * rejects if shutdown gave up on it or another member stored the partition (`PartitionFenced`).
   * `storedOffset` is the store's highest offset of the partition as last read: where a partition with
   * nothing queued continues from.
   */
  add(partition: number, chunk: InsertChunk, storedOffset: bigint | null): Promise<void> {
    if (!this.expected.has(partition)) this.expected.set(partition, storedOffset);
    const month = tablePartitionOf(chunk.rows[0]!);
    while (this.filling && this.filling.month !== month) this.cut();
    const round = (this.filling ??= this.open(month));
    let part = round.parts.get(partition);
    if (!part) {
      part = openPart(partition, chunk);
      round.parts.set(partition, part);
    }
    for (const row of chunk.rows) part.rows.push(row);
    for (const source of chunk.sources) part.sources.push(source);
    part.range.lastOffset = chunk.lastOffset;
    round.rows += chunk.rows.length;
    this.queuedRows += chunk.rows.length;
    if (round.rows >= this.options.maxRows) this.cut();
    return part.done;
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
    for (const wake of [...this.retryWakers]) wake();
    this.cut();
    if (!this.inserting && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private open(month: string): Round {
    const round: Round = { month, parts: new Map(), rows: 0, openedAt: Date.now(), lingered: false, timer: null };
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
    this.filling = this.splitOff(round);
    // A round whose every partition was fenced while it filled has nothing to insert.
    if (round.parts.size > 0) this.queue.push(round);
    void this.next();
  }

  /**
   * Leaves in `round` the `partsPerRound` partitions that joined it first, and returns the others as a round
   * of their own that has waited already (null when there are none).
   */
  private splitOff(round: Round): Round | null {
    if (round.parts.size <= this.options.partsPerRound) return null;
    const left = [...round.parts].slice(this.options.partsPerRound);
    // The parts are in the order they came: the first one left has waited longest.
    const rest: Round = { month: round.month, parts: new Map(), rows: 0, openedAt: left[0]![1].openedAt, lingered: true, timer: null };
    for (const [partition, part] of left) {
      round.parts.delete(partition);
      round.rows -= part.rows.length;
      rest.parts.set(partition, part);
      rest.rows += part.rows.length;
    }
    return rest;
  }

  private async next(): Promise<void> {
    if (this.inserting) return;
    const round = this.queue[0];
    if (!round) {
      for (const wake of this.idleWaiters.splice(0)) wake();
      return;
    }
    this.inserting = true;
    this.queuedRows -= round.rows;
    this.wakeRoomWaiters();
    const startedAt = Date.now();
    let abandoned: { error: unknown } | null = null;
    let stored = 0;
    try {
      stored = await this.storeRound(round);
    } catch (error) {
      abandoned = { error };
    }
    this.queue.shift();
    this.inserting = false;
    if (abandoned) {
      this.failEverything(round, abandoned.error);
    } else {
      this.hooks.onInserted({ rows: stored, waitedMs: startedAt - round.openedAt, insertMs: Date.now() - startedAt });
      // The round that filled meanwhile goes next, if it has waited long enough.
      if (this.filling?.lingered) this.cut();
    }
    await this.next();
  }

  /**
   * Checks every part's partition against the store (one reading for the round, read again for a part whose
   * turn comes after it is no longer fresh), inserts the parts `insertsInFlight` at a time, then reads the
   * store back: a part settles only once the store's range of its partition ends where this process's rows
   * end. Resolves to the rows stored; throws only when shutdown gives up, once every part has finished
   * (nothing of the round is still on its way to the store when its partitions are rewound).
   */
  private async storeRound(round: Round): Promise<number> {
    await this.freshReading(rangesOf(round));
    const storedRows = new Map<Part, number>();
    const outcomes = await Promise.allSettled(
      [...round.parts.values()].map((part) =>
        this.partsAtOnce(async () => {
          // Fenced meanwhile: already rejected.
          if (round.parts.get(part.partition) !== part) return;
          if (this.fencedBy(part.partition, await this.freshReading([part.range]))) return;
          try {
            storedRows.set(part, part.rows.length - (await this.storeExactly(part.partition, part.rows, part.sources)));
          } catch (error) {
            // Fenced while it was split: already rejected.
            if (!(error instanceof PartitionFenced)) throw error;
          }
        }),
      ),
    );
    const givenUp = outcomes.find((outcome) => outcome.status === 'rejected');
    if (givenUp) throw givenUp.reason;
    const readBack = await this.read(rangesOf(round));
    let stored = 0;
    for (const part of [...round.parts.values()]) {
      if (this.fencedBy(part.partition, readBack)) continue;
      stored += storedRows.get(part) ?? 0;
      part.settle.resolve();
    }
    return stored;
  }

  /**
   * Whether the store's range of `partition` ends elsewhere than this process expects, which fences the
   * partition.
   */
  private fencedBy(partition: number, reading: StoreReading): PartitionFenced | null {
    const expected = this.expected.get(partition) ?? null;
    const stored = reading.offsets.get(partition) ?? null;
    if (stored === expected) return null;
    const fenced = new PartitionFenced(partition, stored, expected);
    this.fence(fenced);
    return fenced;
  }

  /**
   * The last reading of the store if it still says where every one of `ranges`' partitions ends and is
   * recent, else one new reading for all of them.
   */
  private async freshReading(ranges: OffsetRange[]): Promise<StoreReading> {
    const last = this.reading;
    const current = last && ranges.every((range) => this.vouchesFor(last, range.partition));
    if (last && current && Date.now() - last.askedAt <= this.options.checkFreshMs) return last;
    return this.read(ranges);
  }

  /** Reads the store's offsets, retried while the store is unavailable. */
  private async read(ranges: OffsetRange[]): Promise<StoreReading> {
    for (let attempt = 1; ; attempt += 1) {
      const askedAt = Date.now();
      try {
        const step = this.insertSteps;
        this.reading = { offsets: await this.store.storedOffsets(), askedAt, step };
        return this.reading;
      } catch (error) {
        const failure = classifyStoreError(error);
        await this.pauseBeforeRetry(ranges, { kind: 'availability', message: failure.message }, attempt);
      }
    }
  }

  /**
   * Stores `rows` (of one partition, with their messages, same index) exactly once: retried identically
   * while the store is unavailable, split while it refuses their data. Resolves to the number of rows
   * dead-lettered; throws only when shutdown gives up.
   */
  private async storeExactly(partition: number, rows: ChatEventRow[], sources: IncomingMessage[]): Promise<number> {
    const ranges = [rangeOfRows(partition, rows)];
    const expected = this.expected.get(partition) ?? null;
    const token = `${this.topic}/${partition}@${(expected ?? -1n) + 1n}`;
    for (let attempt = 1; ; attempt += 1) {
      this.insertSent(partition);
      const failure = await this.tryInsert(rows, token).finally(() => this.insertAnswered(partition));
      if (failure === null) {
        this.expected.set(partition, BigInt(rows.at(-1)!.kafka_offset));
        return 0;
      }
      if (failure.kind === 'data') return this.split(partition, rows, sources, failure);
      await this.pauseBeforeRetry(ranges, failure, attempt);
    }
  }

  /** Whether `reading` says where `partition`'s range ends now: no INSERT of it was on its way or answered since it was asked. */
  private vouchesFor(reading: StoreReading, partition: number): boolean {
    return !this.insertsInFlight.has(partition) && (this.lastInsertStep.get(partition) ?? -1) < reading.step;
  }

  private insertSent(partition: number): void {
    this.insertsInFlight.add(partition);
    this.lastInsertStep.set(partition, this.insertSteps++);
  }

  private insertAnswered(partition: number): void {
    this.insertsInFlight.delete(partition);
    this.lastInsertStep.set(partition, this.insertSteps++);
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

  /**
   * Left half first, then the right: offsets stay in order and a dead letter precedes every later row. Each
   * half is checked against the store first: its token follows from an INSERT of this process that another
   * member's INSERT may have replaced.
   */
  private async split(partition: number, rows: ChatEventRow[], sources: IncomingMessage[], failure: DataFailure): Promise<number> {
    if (rows.length === 1) {
      await this.sendDeadLetter({ row: rows[0]!, source: sources[0]!, failure });
      return 1;
    }
    const middle = Math.ceil(rows.length / 2);
    let refused = 0;
    for (const [half, halfSources] of [
      [rows.slice(0, middle), sources.slice(0, middle)],
      [rows.slice(middle), sources.slice(middle)],
    ] as const) {
      const fenced = this.fencedBy(partition, await this.read([rangeOfRows(partition, half)]));
      if (fenced) throw fenced;
      refused += await this.storeExactly(partition, half, halfSources);
    }
    return refused;
  }

  private async sendDeadLetter(refused: RefusedRow): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.hooks.deadLetter(refused);
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await this.pauseBeforeRetry([rangeOfRows(refused.row.kafka_partition, [refused.row])], { kind: 'dead_letter_unsent', message }, attempt);
      }
    }
  }

  private async pauseBeforeRetry(ranges: OffsetRange[], reason: RetryReason, attempt: number): Promise<void> {
    if (this.stopRetrying) throw new Error(`Given up at shutdown: ${reason.message}`);
    const delayMs = Math.min(this.options.retryMaxMs, this.options.retryMinMs * 2 ** (attempt - 1));
    this.hooks.onRetry(ranges, reason, attempt, delayMs);
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.retryWakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, delayMs);
      this.retryWakers.add(wake);
    });
    if (this.stopRetrying) throw new Error(`Given up at shutdown: ${reason.message}`);
  }

  /** Drops everything queued for the fenced partition, in every round not yet settled. */
  private fence(fenced: PartitionFenced): void {
    this.expected.delete(fenced.partition);
    const dropped: Part[] = [];
    const rounds = this.filling ? [...this.queue, this.filling] : [...this.queue];
    for (const round of rounds) {
      const part = round.parts.get(fenced.partition);
      if (!part) continue;
      round.parts.delete(fenced.partition);
      round.rows -= part.rows.length;
      // The round being inserted no longer counts in the backlog; the others do.
      if (round !== this.queue[0] || !this.inserting) this.queuedRows -= part.rows.length;
      dropped.push(part);
    }
    this.hooks.onFenced(fenced);
    for (const part of dropped) part.settle.reject(fenced);
    this.wakeRoomWaiters();
  }

  /** `failed` and everything accepted after it: none of it is inserted (see the class comment). */
  private failEverything(failed: Round, error: unknown): void {
    const rounds = [failed, ...this.queue.splice(0)];
    if (this.filling) {
      if (this.filling.timer) clearTimeout(this.filling.timer);
      rounds.push(this.filling);
      this.filling = null;
    }
    for (const round of rounds.slice(1)) this.queuedRows -= round.rows;
    const ranges = rounds.flatMap((round) => rangesOf(round));
    for (const range of ranges) this.expected.delete(range.partition);
    this.reading = null;
    this.hooks.onAbandoned(ranges, error);
    for (const round of rounds) for (const part of round.parts.values()) part.settle.reject(error);
    this.wakeRoomWaiters();
  }

  private wakeRoomWaiters(): void {
    if (this.queuedRows >= this.options.maxRows) return;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }
}

function openPart(partition: number, chunk: InsertChunk): Part {
  let settle!: Part['settle'];
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  // Waiters attach their own handlers; this one keeps an unobserved failure from crashing the process.
  done.catch(() => undefined);
  const range = { partition, firstOffset: chunk.firstOffset, lastOffset: chunk.lastOffset };
  return { partition, rows: [], sources: [], range, openedAt: Date.now(), done, settle };
}

function rangesOf(round: Round): OffsetRange[] {
  return [...round.parts.values()].map((part) => part.range);
}

function rangeOfRows(partition: number, rows: ChatEventRow[]): OffsetRange {
  return { partition, firstOffset: rows[0]!.kafka_offset, lastOffset: rows.at(-1)!.kafka_offset };
}
