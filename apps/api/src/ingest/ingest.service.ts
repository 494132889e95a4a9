import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NonRetriableError, TOPICS } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ChatEventRepository } from '../repositories/chat-event.repository';
import { IngestOffsetGapsRepository } from '../repositories/ingest-offset-gaps.repository';
import {
  KafkaRepository,
  type BatchControl,
  type BatchOutcome,
  type PartitionBatch,
} from '../repositories/kafka.repository';
import { buildDeadLetter } from './dead-letter';
import { InsertCoalescer, type OffsetRange, type PartitionFenced, type RefusedRow, type RetryReason } from './insert-coalescer';
import type { ChatEventRow } from '../repositories/chat-event-row';
import { planIngest } from './ingest-plan';
import { findOffsetHoles, type OffsetSpan } from './offset-holes';
import { rowsToAskTheStore, SeenEvents, withoutDuplicates } from './seen-events';
import { toClickHouseTime } from '../repositories/clickhouse-time';
import { TimingStats } from '../common/timing-stats';

export interface PartitionHealth {
  partition: number;
  /** Highest offset ClickHouse holds for this partition; null before the first look. */
  storedOffset: string | null;
  highWatermark: string | null;
  /** Messages that reached the broker and are not stored yet (dead letters count as handled). */
  lag: number | null;
  retrying: boolean;
  consecutiveFailures: number;
  lastError: string | null;
}

/**
 * - `ok`: storing as events arrive.
 * - `catching_up`: working, but more than CATCHING_UP_LAG events wait (after an outage, a restart, a flood).
 * - `store_unavailable`: ClickHouse cannot take rows now (or a view refuses rows the table took); ingest
 *   retries with back-off and waits.
 * - `failed`: the consumer gave up; an operator must act.
 */
export type IngestStatus = 'ok' | 'catching_up' | 'store_unavailable' | 'failed';

export interface IngestHealth {
  status: IngestStatus;
  consumerCrashes: number;
  stored: number;
  /** Messages dead-lettered: invalid by the contract, or refused by the store. */
  deadLettered: number;
  /** Of those, the ones the store refused. */
  refusedByStore: number;
  /** Events delivered again (same event id) and not stored again. */
  duplicatesSkipped: number;
  skippedAsAlreadyStored: number;
  /** Events of the topic lost before they were stored (holes in the offsets, as recorded in the store). */
  missingEvents: number;
  partitions: PartitionHealth[];
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;
/**
 * Events waiting beyond which ingest says it is catching up: a few rounds' worth at a busy evening's rate
 * (thousands a second at 30 ms rounds keep well below it), so it means a backlog, not the normal pipeline.
 */
export const CATCHING_UP_LAG = 1_000;
/**
 * How far back in event time ingest remembers the event ids it stored, per partition, to skip a second
 * delivery without asking the store: a bot's spool re-delivers within minutes. Older repeats are asked of
 * the store (one query per batch that has any).
 */
const DUPLICATE_HORIZON_MS = 5 * 60_000;
/** Ids remembered per partition at most (24 partitions: about half a million ids); past it the horizon shrinks. */
const DUPLICATE_MEMORY_MAX_IDS = 20_000;
const NO_IDS: ReadonlySet<string> = new Set();
/**
 * How long a reading of the store's offsets serves as the check before a partition's INSERT: a round's
 * INSERTs follow its reading, and a process stalled past it reads again before inserting.
 */
const STORE_CHECK_FRESH_MS = 5_000;
/**
 * A round's per-partition INSERTs on their way at once. One for the dev store, which runs one statement at a
 * time in arrival order (about 25 ms an INSERT whatever its size), so a live query waits behind whatever
 * INSERTs are queued: with a round's 24 sent together the live tick's compute went from 0.2-1 s to 0.4-3.6 s
 * in the same bench:live, and a round of 24 took no less two at a time (0.89 s) than one at a time (0.87 s)
 * while a query beside it waited twice as long (p50 60 ms, not 31). A cluster runs them in parallel:
 * there, all of a round's at once.
 */
const INSERTS_IN_FLIGHT = 1;
/**
 * Kafka partitions per round. A round's partitions are committed together after its read-back, and the
 * watermark is the earliest partition's: with all 24 in one round of the dev store (0.6-1.1 s), every
 * partition waited for the slowest and asOf aged between one and two rounds; in rounds of 6 the partitions
 * advance a group at a time, a round's read-back every 6 INSERTs.
 */
const PARTS_PER_ROUND = 6;
/** While a batch waits for room in the coalescer, it heartbeats this often (kafkajs only does between batches). */
const HEARTBEAT_WHILE_WAITING_MS = 1_000;

/** A batch taken over and not yet confirmed stored: its chunks are queued in the coalescer. */
interface InFlightBatch {
  /** First offset of the batch: where to fetch again from if it is not stored. */
  firstOffset: string;
  /** Last offset of the batch: committed once it and every batch before it are stored. */
  lastOffset: string;
}

interface PartitionState {
  /** Offset known to be stored; undefined means "ask ClickHouse", after a start, rebalance or failure. */
  storedOffset: bigint | null | undefined;
  /** Highest offset taken over (queued for storing or dead-lettered); planning skips everything up to it. */
  queuedOffset: bigint | null;
  /** Batches taken over and not yet confirmed, oldest first. */
  inFlight: InFlightBatch[];
  /** Settles when the newest in-flight batch (and so every one before it) is stored. */
  tail: Promise<void>;
  /** Grows when the partition is rewound: work begun under an older generation is dropped. */
  generation: number;
  /** Offset the last batch handled through, stored or dead-lettered: lag is measured from it. */
  handledOffset: bigint | null;
  highWatermark: bigint | null;
  consecutiveFailures: number;
  lastError: string | null;
  /**
   * A batch began past the offset expected next: the partition was sent back there once to tell a position
   * past what the broker still holds (a hole) from one that only skipped ahead (dead-lettered tail, reset).
   */
  probedHoleAt: bigint | null;
}

/**
 * Ingest: chat events from Kafka into ClickHouse, exactly once in effect, with one or several ingest
 * members in the consumer group.
 *
 * Every row carries its topic, partition and offset; each INSERT holds one contiguous offset range of one
 * Kafka partition in one table partition (one part, atomic), continues the store's range of that partition,
 * and is named by where it continues from, so "highest offset stored" says exactly what is stored and two
 * members that continue the same range collide on the deduplication token (see InsertCoalescer). Each
 * batch is checked for holes in its offsets (recorded before anything past them is stored), skips what
 * ClickHouse already holds, sends its dead letters before anything after them is queued, then queues its
 * rows in the InsertCoalescer and hands the batch back to the consumer, which fetches the next one while
 * the store inserts: the dev broker returns only one record batch per partition per fetch, so rounds must
 * outlive fetches to grow. Offsets are committed (one request per round) only once stored and read back.
 * The coalescer retries an INSERT the store cannot take, identically, and splits one it refuses for its
 * data down to the refused rows, which are dead-lettered; a partition whose stored range ends elsewhere
 * than expected (another member stored it) drops what it queued and continues from the store; only
 * shutdown gives up on a round, which rewinds its partitions to their oldest unconfirmed batch and forgets
 * what was believed stored.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private readonly partitions = new Map<number, PartitionState>();
  private readonly topic = TOPICS.chatEvents.name;
  private crashes = 0;
  private failed = false;
  private stopping = false;
  private totals = { stored: 0, deadLettered: 0, refusedByStore: 0, duplicatesSkipped: 0, skippedAsAlreadyStored: 0 };
  private readonly seen = new SeenEvents(DUPLICATE_MEMORY_MAX_IDS);
  /** The store's count of events lost in holes; refreshed at start, after each hole and with the health log. */
  private missingEvents = 0;
  /** Set while the coalescer retries a round the store cannot take; cleared by the next stored round. */
  private storeTrouble: RetryReason | null = null;
  private healthLogTimer: NodeJS.Timeout | null = null;
  private readonly coalescer: InsertCoalescer;
  private readonly insertTimings = { rows: new TimingStats(' rows'), waited: new TimingStats(), insert: new TimingStats() };
  /** Positions to commit in the next commit request, by partition. */
  private readonly toCommit = new Map<number, string>();
  private committing: Promise<void> | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chatEvents: ChatEventRepository,
    private readonly kafka: KafkaRepository,
    private readonly offsetGaps: IngestOffsetGapsRepository,
  ) {
    this.coalescer = new InsertCoalescer(
      this.topic,
      {
        insert: (rows, token) => this.chatEvents.insertRows(rows, token),
        holds: (row) => this.chatEvents.holds(row),
        storedOffsets: () => this.chatEvents.storedOffsets(this.topic),
      },
      {
        maxRows: config.ingest.batchMaxRows,
        maxWaitMs: config.ingest.batchMaxMs,
        retryMinMs: MIN_BACKOFF_MS,
        retryMaxMs: MAX_BACKOFF_MS,
        checkFreshMs: STORE_CHECK_FRESH_MS,
        insertsInFlight: INSERTS_IN_FLIGHT,
        partsPerRound: PARTS_PER_ROUND,
      },
      {
        deadLetter: (refused) => this.deadLetterRefused(refused),
        onRetry: (ranges, reason, attempt, delayMs) => this.noteRetry(ranges, reason, attempt, delayMs),
        onAbandoned: (ranges, error) => {
          for (const partition of new Set(ranges.map((range) => range.partition))) this.rewind(partition, error);
        },
        onFenced: (fenced) => this.resumeFromStore(fenced),
        onInserted: (timing) => {
          this.storeTrouble = null;
          this.totals.stored += timing.rows;
          this.insertTimings.rows.add(timing.rows);
          this.insertTimings.waited.add(timing.waitedMs);
          this.insertTimings.insert.add(timing.insertMs);
        },
      },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.startConsumer(this.config.ingest.groupId, this.topic, {
      onBatch: (batch, control) => this.handleBatch(batch, control),
      beforeStop: () => this.finish(),
      onGroupJoin: (assigned) => this.forgetPartitions(assigned),
      onCrash: (crash) => {
        this.crashes = crash.crashes;
        if (!crash.restart) this.failed = true;
        this.logger.error(`Ingest consumer crashed (restart: ${crash.restart}): ${crash.error.message}`);
      },
    });
    this.healthLogTimer = setInterval(() => {
      this.logHealth();
      void this.refreshMissingEvents();
      // Not while rows wait for the store: queued ids must stay remembered until they are stored.
      if (this.storeTrouble === null) this.seen.forgetBefore(duplicateHorizonStart());
    }, 10_000);
    this.healthLogTimer.unref();
    await this.refreshMissingEvents();
    this.logger.log(`Ingesting ${this.topic} as group ${this.config.ingest.groupId}`);
  }

  onApplicationShutdown(): void {
    if (this.healthLogTimer) clearInterval(this.healthLogTimer);
  }

  async handleBatch(batch: PartitionBatch, control: BatchControl): Promise<BatchOutcome> {
    const state = this.stateOf(batch.partition);
    const generation = state.generation;
    state.highWatermark = BigInt(batch.highWatermark);
    const first = batch.messages[0];
    const last = batch.messages.at(-1);
    if (!first || !last) return { consumedThrough: null };
    try {
      if (state.storedOffset === undefined) {
        const [stored] = await Promise.all([this.chatEvents.storedOffsets(this.topic), this.warmSeenEvents(batch.partition)]);
        if (state.generation !== generation) return { consumedThrough: null };
        state.storedOffset = stored.get(batch.partition) ?? null;
      }
      if (state.storedOffset !== null && state.storedOffset >= state.highWatermark) {
        // The store holds offsets the broker never wrote: the topic was recreated. Skipping "already
        // stored" offsets would silently drop new events, so stop and let an operator decide.
        throw new NonRetriableError(
          `ClickHouse holds ${batch.topic}/${batch.partition} up to offset ${state.storedOffset}, but the broker's ` +
            `high watermark is ${state.highWatermark}: the topic was recreated. Refusing to ingest.`,
        );
      }
      const expectedNext = (maxOffset(state.storedOffset, state.queuedOffset) ?? -1n) + 1n;
      const holes = findOffsetHoles(expectedNext, batch.messages.map((message) => message.offset));
      // A batch fetched before a rewind took effect says nothing about holes.
      if (holes.length > 0 && !control.shouldContinue()) return { consumedThrough: null };
      if (holes[0]?.first === expectedNext && state.probedHoleAt !== expectedNext) {
        // Fetched from past the offset expected next: the group's position may only have skipped ahead (a
        // dead-lettered tail is not in ClickHouse, a consumer reset). Fetch from there once; a broker that no
        // longer holds it answers from its oldest offset, and then the hole is real.
        state.probedHoleAt = expectedNext;
        this.kafka.rewind(this.config.ingest.groupId, this.topic, batch.partition, expectedNext.toString(), 0);
        return { consumedThrough: null };
      }
      // Recorded before anything past them is stored: after that, a restart would no longer see them.
      for (const hole of holes) await this.recordHole(batch.partition, hole);
      state.probedHoleAt = null;
      if (state.generation !== generation) return { consumedThrough: null };
      const plan = planIngest(
        batch.topic,
        batch.partition,
        batch.messages,
        maxOffset(state.storedOffset, state.queuedOffset),
        this.config.ingest.batchMaxRows,
        new Date(),
      );
      const askTheStore = rowsToAskTheStore(batch.partition, plan.chunks, this.seen);
      const storedIds = askTheStore.length === 0 ? NO_IDS : await this.storedIdsAmong(askTheStore);
      // Dead letters first: once a later offset is stored, a restart would skip a bad message unsent.
      if (plan.deadLetters.length > 0) {
        await this.kafka.sendDeadLetters(TOPICS.chatEventsDlq.name, plan.deadLetters);
        this.totals.deadLettered += plan.deadLetters.length;
      }
      // Checked with nothing awaited before the chunks are queued: a rewound partition queues nothing more,
      // and neither does a stopping ingest once it drained.
      if (state.generation !== generation || this.stopping || !control.shouldContinue()) return { consumedThrough: null };
      this.totals.skippedAsAlreadyStored += plan.alreadyStored;
      // Here, with nothing awaited until the chunks are queued: the memory only learns ids that are queued.
      const { chunks, duplicates } = withoutDuplicates(batch.partition, plan.chunks, this.seen, storedIds);
      this.totals.duplicatesSkipped += duplicates;
      const stored = chunks.map((chunk) => this.coalescer.add(batch.partition, chunk, state.storedOffset ?? null));
      const lastChunkOffset = chunks.at(-1)?.lastOffset;
      state.queuedOffset = BigInt(last.offset);
      const entry: InFlightBatch = { firstOffset: first.offset, lastOffset: last.offset };
      state.inFlight.push(entry);
      state.tail = state.tail.then(() => Promise.all(stored)).then(() => {
        if (state.generation !== generation) return;
        state.inFlight.shift();
        // Unless a rebalance made it "ask ClickHouse": another member may have stored more meanwhile.
        if (lastChunkOffset !== undefined && state.storedOffset !== undefined) state.storedOffset = BigInt(lastChunkOffset);
        state.handledOffset = BigInt(last.offset);
        state.consecutiveFailures = 0;
        state.lastError = null;
        this.commitLater(batch.partition, last.offset);
      });
      // A rejection is handled by rewind (the coalescer's onAbandoned); this keeps it from going unobserved.
      state.tail.catch(() => undefined);
    } catch (error) {
      if (error instanceof NonRetriableError) throw error;
      if (state.generation !== generation) return { consumedThrough: null };
      // Nothing of this batch was queued; whatever landed before is found again through ClickHouse.
      state.storedOffset = undefined;
      const retryAfterMs = this.noteFailure(state, error);
      this.logger.warn(
        `Partition ${batch.partition}: ${state.lastError}; pausing ${retryAfterMs} ms (failure ${state.consecutiveFailures})`,
      );
      return { consumedThrough: null, retryAfterMs };
    }
    // Outside the try: a heartbeat that reports a rebalance goes to kafkajs as it is. The batch is queued
    // by then, so it stays taken over (its rows land, or rewind the partition).
    await this.waitForRoom(control);
    return { consumedThrough: last.offset };
  }

  health(): IngestHealth {
    const partitions = [...this.partitions.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partition, state]): PartitionHealth => {
        const handled = state.handledOffset ?? (typeof state.storedOffset === 'bigint' ? state.storedOffset : null);
        return {
          partition,
          storedOffset: typeof state.storedOffset === 'bigint' ? state.storedOffset.toString() : null,
          highWatermark: state.highWatermark?.toString() ?? null,
          lag: state.highWatermark === null ? null : Number(state.highWatermark - 1n - (handled ?? -1n)),
          retrying: state.consecutiveFailures > 0,
          consecutiveFailures: state.consecutiveFailures,
          lastError: state.lastError,
        };
      });
    const lag = partitions.reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
    // A partition retrying a batch failed on a store call (what it holds, a hole's record) or, rarely, on
    // sending dead letters: its lastError says which.
    const storeUnavailable = this.storeTrouble !== null || partitions.some((partition) => partition.retrying);
    const status: IngestStatus = this.failed
      ? 'failed'
      : storeUnavailable
        ? 'store_unavailable'
        : lag > CATCHING_UP_LAG
          ? 'catching_up'
          : 'ok';
    return { status, consumerCrashes: this.crashes, ...this.totals, missingEvents: this.missingEvents, partitions };
  }

  /** Adds to the memory of `partition`'s delivered events what the store holds within the horizon. */
  private async warmSeenEvents(partition: number): Promise<void> {
    const from = duplicateHorizonStart();
    const stored = await this.chatEvents.recentEventIds(this.topic, partition, from, DUPLICATE_MEMORY_MAX_IDS);
    if (stored.length < DUPLICATE_MEMORY_MAX_IDS) {
      this.seen.warm(partition, from, stored);
      return;
    }
    // Cut by the limit (newest first): complete only from the oldest time of which every id came back.
    const cutAt = stored.at(-1)![1];
    const whole = stored.filter(([, time]) => time > cutAt);
    this.seen.warm(partition, whole.at(-1)?.[1] ?? NEVER_COVERED, whole);
  }

  /** Which of `rows` (too old for the memory) the store holds already. */
  private storedIdsAmong(rows: ChatEventRow[]): Promise<Set<string>> {
    let from = rows[0]!.event_time;
    let to = from;
    for (const row of rows) {
      if (row.event_time < from) from = row.event_time;
      if (row.event_time > to) to = row.event_time;
    }
    return this.chatEvents.storedEventIds(
      this.topic,
      rows.map((row) => row.event_id),
      from,
      to,
    );
  }

  /** Dead-letters a row the store refuses, with the store's code and its masked message as the reason. */
  private async deadLetterRefused({ row, source, failure }: RefusedRow): Promise<void> {
    const position = { topic: row.kafka_topic, partition: row.kafka_partition, offset: row.kafka_offset };
    const reason = `ClickHouse refused the row: ${failure.name} (code ${failure.code}): ${failure.message}`;
    await this.kafka.sendDeadLetters(TOPICS.chatEventsDlq.name, [buildDeadLetter(source.value, source.key, position, [reason], new Date())]);
    this.totals.deadLettered += 1;
    this.totals.refusedByStore += 1;
    this.logger.error(`Partition ${position.partition} offset ${position.offset} dead-lettered, the partition moves on: ${reason}`);
  }

  /** The coalescer tries rows again: health says why until a round is stored. */
  private noteRetry(ranges: OffsetRange[], reason: RetryReason, attempt: number, delayMs: number): void {
    this.storeTrouble = reason;
    const why = describeRetry(reason);
    for (const partition of new Set(ranges.map((range) => range.partition))) {
      const state = this.stateOf(partition);
      state.consecutiveFailures = attempt;
      state.lastError = why;
    }
    const where = ranges.map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`).join(',');
    const line = `Offsets ${where}: ${why}; trying the same rows again in ${delayMs} ms (attempt ${attempt + 1})`;
    if (reason.kind === 'view_refused') this.logger.error(line);
    else this.logger.warn(line);
  }

  private async recordHole(partition: number, hole: OffsetSpan): Promise<void> {
    const missing = hole.last - hole.first + 1n;
    this.logger.error(
      `Partition ${partition}: offsets ${hole.first}..${hole.last} (${missing} events) were gone from the broker ` +
        'before ingest stored them (retention, a truncated or recreated topic): recorded as missing',
    );
    await this.offsetGaps.recordHole({
      topic: this.topic,
      partition,
      firstMissingOffset: hole.first,
      lastMissingOffset: hole.last,
      detectedAt: new Date(),
    });
    await this.refreshMissingEvents();
  }

  private async refreshMissingEvents(): Promise<void> {
    try {
      this.missingEvents = await this.offsetGaps.missingEvents(this.topic);
    } catch (error) {
      // Health keeps the last count; the next refresh (every 10 s) asks again.
      this.logger.warn(`Cannot read the missing events count: ${(error as Error).message}`);
    }
  }

  /**
   * A rebalance: what is stored is asked of ClickHouse again. What this process has queued stays skipped:
   * kafkajs fetches again from the committed offsets, and those rows are still on their way (or, failing,
   * rewind the partition).
   */
  private forgetPartitions(assigned: number[]): void {
    for (const state of this.partitions.values()) state.storedOffset = undefined;
    this.logger.log(`Assigned partitions ${assigned.join(',') || '(none)'} of ${this.topic}`);
  }

  /**
   * An INSERT holding `partition`'s rows failed: fetch again from its oldest batch not known stored, after
   * a back-off, and ask ClickHouse what is stored (the INSERT may have landed after all).
   */
  private rewind(partition: number, error: unknown): void {
    const state = this.stateOf(partition);
    const from = this.dropQueued(state, partition);
    const retryAfterMs = this.noteFailure(state, error);
    this.logger.warn(
      `Partition ${partition}: ${state.lastError}; fetching again from ${from ?? 'the last position'} in ${retryAfterMs} ms ` +
        `(failure ${state.consecutiveFailures})`,
    );
    this.refetch(partition, from, retryAfterMs);
  }

  /**
   * The store's range of a partition ends elsewhere than this process expected (another member stored it,
   * a rebalance): what was queued for it is dropped, and it continues from what the store holds, if this
   * process still owns it. Not a failure: nothing waits for the store.
   */
  private resumeFromStore(fenced: PartitionFenced): void {
    const state = this.stateOf(fenced.partition);
    const from = this.dropQueued(state, fenced.partition);
    this.logger.warn(`Partition ${fenced.partition}: ${fenced.message}; dropped what was queued, continuing from the store`);
    this.refetch(fenced.partition, from, 0);
  }

  /**
   * Forgets everything taken over and not confirmed stored for `partition`, and what was believed stored;
   * returns where its oldest such batch began.
   */
  private dropQueued(state: PartitionState, partition: number): string | undefined {
    const from = state.inFlight[0]?.firstOffset;
    state.generation += 1;
    state.inFlight = [];
    state.tail = Promise.resolve();
    state.queuedOffset = null;
    state.storedOffset = undefined;
    // Ids queued and now given up would hide their own re-delivery: ask the store again.
    this.seen.forget(partition);
    return from;
  }

  private refetch(partition: number, from: string | undefined, pauseMs: number): void {
    if (from === undefined) return;
    try {
      this.kafka.rewind(this.config.ingest.groupId, this.topic, partition, from, pauseMs);
    } catch (rewindError) {
      // Without a consumer to rewind there is nothing to refetch into: the next start reads ClickHouse.
      this.logger.error(`Partition ${partition}: cannot rewind: ${(rewindError as Error).message}`);
    }
  }

  private noteFailure(state: PartitionState, error: unknown): number {
    state.consecutiveFailures += 1;
    state.lastError = error instanceof Error ? error.message : String(error);
    return Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (state.consecutiveFailures - 1));
  }

  /** Bounded memory: a batch is handed back only once the coalescer has room, heartbeating meanwhile. */
  private async waitForRoom(control: BatchControl): Promise<void> {
    const room = this.coalescer.whenRoom();
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const waited = await Promise.race([
        room.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), HEARTBEAT_WHILE_WAITING_MS))),
      ]);
      clearTimeout(timer);
      if (waited) return;
      await control.heartbeat();
    }
  }

  /** Commits `offset` of `partition` with whatever else is stored by then, in one request. */
  private commitLater(partition: number, offset: string): void {
    this.toCommit.set(partition, offset);
    this.committing ??= new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      const handled = [...this.toCommit].map(([p, o]) => ({ partition: p, offset: o }));
      this.toCommit.clear();
      try {
        await this.kafka.commitOffsets(this.config.ingest.groupId, this.topic, handled);
      } catch (error) {
        // Only a hint (restarts read ClickHouse), but asOf waits for it: the next commit carries it again.
        for (const { partition: p, offset: o } of handled) if (!this.toCommit.has(p)) this.toCommit.set(p, o);
        this.logger.warn(`Cannot commit offsets: ${(error as Error).message}`);
      } finally {
        this.committing = null;
        const pending = [...this.toCommit][0];
        if (pending && !this.stopping) this.commitLater(...pending);
      }
    });
  }

  /** Shutdown: queue nothing more, store what was taken over, commit it. */
  private async finish(): Promise<void> {
    this.stopping = true;
    await this.coalescer.drain();
    await Promise.allSettled([...this.partitions.values()].map((state) => state.tail));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.committing;
    if (this.toCommit.size > 0) {
      const handled = [...this.toCommit].map(([partition, offset]) => ({ partition, offset }));
      this.toCommit.clear();
      await this.kafka
        .commitOffsets(this.config.ingest.groupId, this.topic, handled)
        .catch((error: unknown) => this.logger.warn(`Cannot commit offsets on shutdown: ${(error as Error).message}`));
    }
  }

  private stateOf(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) {
      state = {
        storedOffset: undefined,
        queuedOffset: null,
        inFlight: [],
        tail: Promise.resolve(),
        generation: 0,
        handledOffset: null,
        highWatermark: null,
        consecutiveFailures: 0,
        lastError: null,
        probedHoleAt: null,
      };
      this.partitions.set(partition, state);
    }
    return state;
  }

  private logHealth(): void {
    const health = this.health();
    const lag = health.partitions.reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
    const { rows, waited, insert } = this.insertTimings;
    this.logger.log(
      `status=${health.status} stored=${health.stored} deadLettered=${health.deadLettered} ` +
        `refusedByStore=${health.refusedByStore} duplicatesSkipped=${health.duplicatesSkipped} missingEvents=${health.missingEvents} lag=${lag} ` +
        `retrying=${health.partitions.filter((partition) => partition.retrying).map((p) => p.partition).join(',') || '-'} ` +
        `insert: rows=${rows.drain()} waited=${waited.drain()} took=${insert.drain()}`,
    );
  }
}

/** A memory start no row reaches: every row is asked of the store. */
const NEVER_COVERED = '9999-12-31 23:59:59.999';

function duplicateHorizonStart(): string {
  return toClickHouseTime(new Date(Date.now() - DUPLICATE_HORIZON_MS).toISOString());
}

function describeRetry(reason: RetryReason): string {
  switch (reason.kind) {
    case 'availability':
      return `the store is unavailable: ${reason.message}`;
    case 'view_refused':
      return (
        `ClickHouse stored the rows but a materialized view refused them (${reason.name}, code ${reason.code}: ` +
        `${reason.message}); retrying identically so the view is filled`
      );
    case 'dead_letter_unsent':
      return `a refused row's dead letter could not be sent: ${reason.message}`;
  }
}

function maxOffset(a: bigint | null | undefined, b: bigint | null): bigint | null {
  if (a === undefined || a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}
