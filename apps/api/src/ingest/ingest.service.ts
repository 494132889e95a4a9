import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { NonRetriableError, TOPICS } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ChatEventRepository } from '../repositories/chat-event.repository';
import {
  KafkaRepository,
  type BatchControl,
  type BatchOutcome,
  type PartitionBatch,
} from '../repositories/kafka.repository';
import { InsertCoalescer } from './insert-coalescer';
import { planIngest } from './ingest-plan';

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

export interface IngestHealth {
  status: 'ok' | 'degraded' | 'failed';
  consumerCrashes: number;
  stored: number;
  deadLettered: number;
  skippedAsAlreadyStored: number;
  partitions: PartitionHealth[];
}

const MIN_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 5_000;

interface PartitionState {
  /** Offset known to be stored; undefined means "ask ClickHouse", after a start, rebalance or failure. */
  storedOffset: bigint | null | undefined;
  /** Offset the last batch handled through, stored or dead-lettered: lag is measured from it. */
  handledOffset: bigint | null;
  highWatermark: bigint | null;
  consecutiveFailures: number;
  lastError: string | null;
}

/**
 * Ingest: chat events from Kafka into ClickHouse, exactly once in effect.
 *
 * Every row carries its topic, partition and offset; each INSERT is atomic (one table partition, one part)
 * and holds one contiguous offset range per Kafka partition, and a partition's ranges are inserted in
 * offset order, so "highest offset stored" says exactly what is stored. Concurrent partitions share an
 * INSERT (InsertCoalescer), since the store's cost is per INSERT far more than per row. Each batch skips what ClickHouse
 * already holds, sends its dead letters before inserting anything after them, then inserts. A failure
 * pauses the partition with back-off, forgets what it believed was stored and asks ClickHouse again.
 */
@Injectable()
export class IngestService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IngestService.name);
  private readonly partitions = new Map<number, PartitionState>();
  private readonly topic = TOPICS.chatEvents.name;
  private crashes = 0;
  private failed = false;
  private totals = { stored: 0, deadLettered: 0, skippedAsAlreadyStored: 0 };
  private healthLogTimer: NodeJS.Timeout | null = null;
  private readonly coalescer: InsertCoalescer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly chatEvents: ChatEventRepository,
    private readonly kafka: KafkaRepository,
  ) {
    this.coalescer = new InsertCoalescer(
      (rows, token) => this.chatEvents.insertRows(rows, `${this.topic}:${token}`),
      config.ingest.batchMaxRows,
      config.ingest.batchMaxMs,
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.kafka.startConsumer(this.config.ingest.groupId, this.topic, {
      onBatch: (batch, control) => this.handleBatch(batch, control),
      onGroupJoin: (assigned) => this.forgetPartitions(assigned),
      onCrash: (crash) => {
        this.crashes = crash.crashes;
        if (!crash.restart) this.failed = true;
        this.logger.error(`Ingest consumer crashed (restart: ${crash.restart}): ${crash.error.message}`);
      },
    });
    this.healthLogTimer = setInterval(() => this.logHealth(), 10_000);
    this.healthLogTimer.unref();
    this.logger.log(`Ingesting ${this.topic} as group ${this.config.ingest.groupId}`);
  }

  onApplicationShutdown(): void {
    if (this.healthLogTimer) clearInterval(this.healthLogTimer);
  }

  async handleBatch(batch: PartitionBatch, control: BatchControl): Promise<BatchOutcome> {
    const state = this.stateOf(batch.partition);
    state.highWatermark = BigInt(batch.highWatermark);
    let handledThrough: string | null = null;
    try {
      if (state.storedOffset === undefined) {
        const stored = await this.chatEvents.storedOffsets(this.topic);
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
      const plan = planIngest(
        batch.topic,
        batch.partition,
        batch.messages,
        state.storedOffset,
        this.config.ingest.batchMaxRows,
        new Date(),
      );
      this.totals.skippedAsAlreadyStored += plan.alreadyStored;
      // Dead letters first: once a later offset is stored, a restart would skip a bad message unsent.
      if (plan.deadLetters.length > 0) {
        await this.kafka.sendDeadLetters(TOPICS.chatEventsDlq.name, plan.deadLetters);
        this.totals.deadLettered += plan.deadLetters.length;
      }
      for (const chunk of plan.chunks) {
        if (!control.shouldContinue()) break;
        await this.coalescer.add(batch.partition, chunk);
        state.storedOffset = BigInt(chunk.lastOffset);
        handledThrough = chunk.lastOffset;
        this.totals.stored += chunk.rows.length;
        await control.heartbeat();
      }
      if (control.shouldContinue()) handledThrough = batch.messages.at(-1)?.offset ?? handledThrough;
      state.consecutiveFailures = 0;
      state.lastError = null;
      if (handledThrough !== null) state.handledOffset = BigInt(handledThrough);
      return { handledThrough };
    } catch (error) {
      if (error instanceof NonRetriableError) throw error;
      // Whatever landed is found again through ClickHouse; nothing is resolved past what is known stored.
      state.storedOffset = undefined;
      state.consecutiveFailures += 1;
      state.lastError = (error as Error).message;
      const retryAfterMs = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** (state.consecutiveFailures - 1));
      this.logger.warn(
        `Partition ${batch.partition}: ${state.lastError}; pausing ${retryAfterMs} ms (failure ${state.consecutiveFailures})`,
      );
      if (handledThrough !== null) state.handledOffset = BigInt(handledThrough);
      return { handledThrough, retryAfterMs };
    }
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
    const status = this.failed ? 'failed' : partitions.some((partition) => partition.retrying) ? 'degraded' : 'ok';
    return { status, consumerCrashes: this.crashes, ...this.totals, partitions };
  }

  private forgetPartitions(assigned: number[]): void {
    for (const state of this.partitions.values()) state.storedOffset = undefined;
    this.logger.log(`Assigned partitions ${assigned.join(',') || '(none)'} of ${this.topic}`);
  }

  private stateOf(partition: number): PartitionState {
    let state = this.partitions.get(partition);
    if (!state) {
      state = { storedOffset: undefined, handledOffset: null, highWatermark: null, consecutiveFailures: 0, lastError: null };
      this.partitions.set(partition, state);
    }
    return state;
  }

  private logHealth(): void {
    const health = this.health();
    const lag = health.partitions.reduce((sum, partition) => sum + (partition.lag ?? 0), 0);
    this.logger.log(
      `status=${health.status} stored=${health.stored} deadLettered=${health.deadLettered} lag=${lag} ` +
        `retrying=${health.partitions.filter((partition) => partition.retrying).map((p) => p.partition).join(',') || '-'}`,
    );
  }
}
