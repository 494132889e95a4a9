import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { DeadLetter } from '@warroom/contracts';
import {
  ConsumerRunner,
  commitThrough,
  createKafka,
  createProducer,
  sendBatch,
  type ConsumerCrash,
} from '@warroom/kafka';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { IncomingMessage } from '../ingest/ingest-plan';

/** One fetched batch of one partition, in plain types: what ingest's logic sees of Kafka. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: IncomingMessage[];
  /** The partition's high watermark when the batch was fetched (next offset to be written). */
  highWatermark: string;
}

export interface BatchControl {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the group is rebalancing: stop early, the rest is refetched. */
  shouldContinue(): boolean;
}

export interface BatchOutcome {
  /** Last offset durably handled; the consumer resolves and commits through it. */
  handledThrough: string | null;
  /** Set when the rest of the batch must be tried again: the partition pauses this long, then refetches. */
  retryAfterMs?: number;
}

export interface ConsumerHooks {
  onBatch(batch: PartitionBatch, control: BatchControl): Promise<BatchOutcome>;
  /** A rebalance: partition ownership may have changed, so anything cached per partition is stale. */
  onGroupJoin(partitions: number[]): void;
  onCrash(crash: ConsumerCrash): void;
}

export interface PartitionProgress {
  partition: number;
  /** Next offset the broker will write. */
  highWatermark: bigint;
  /** Next offset the group will read; -1 when it has committed nothing. */
  committed: bigint;
}

/** Kafka for the api: the ingest consumer, the dead-letter producer and the offsets the watermark needs. */
@Injectable()
export class KafkaRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(KafkaRepository.name);
  private readonly kafka: Kafka;
  // Promises, so that concurrent first callers share one connection instead of racing to open two.
  private producer: Promise<Producer> | null = null;
  private admin: Promise<Admin> | null = null;
  private readonly runners: ConsumerRunner[] = [];
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId });
  }

  async startConsumer(groupId: string, topic: string, hooks: ConsumerHooks): Promise<void> {
    const runner = new ConsumerRunner(this.kafka, {
      groupId,
      topics: [topic],
      // Every partition of a fetch is handled at once, so their rows can share one INSERT.
      partitionsConsumedConcurrently: 24,
      onCrash: (crash) => hooks.onCrash(crash),
      eachBatch: async (payload) => {
        const { batch } = payload;
        const messages: IncomingMessage[] = batch.messages.map((message) => ({
          offset: message.offset,
          key: message.key ?? null,
          value: message.value ?? null,
        }));
        const outcome = await hooks.onBatch(
          { topic: batch.topic, partition: batch.partition, messages, highWatermark: batch.highWatermark },
          { heartbeat: () => payload.heartbeat(), shouldContinue: () => payload.isRunning() && !payload.isStale() },
        );
        if (outcome.handledThrough !== null) await commitThrough(payload, outcome.handledThrough);
        if (outcome.retryAfterMs !== undefined) {
          // Unresolved messages are fetched again after resume: nothing is skipped, nothing buffered.
          const resume = payload.pause();
          const timer = setTimeout(() => {
            this.resumeTimers.delete(timer);
            resume();
          }, outcome.retryAfterMs);
          this.resumeTimers.add(timer);
        }
      },
    });
    await runner.start();
    runner.consumer.on(runner.consumer.events.GROUP_JOIN, (event) => {
      hooks.onGroupJoin(event.payload.memberAssignment[topic] ?? []);
    });
    this.runners.push(runner);
  }

  async sendDeadLetters(topic: string, letters: DeadLetter[]): Promise<void> {
    const producer = await this.getProducer();
    await sendBatch(
      producer,
      topic,
      letters.map((letter) => ({
        // Keyed by source partition so one partition's dead letters stay in order.
        key: `${letter.source.topic}/${letter.source.partition}`,
        value: JSON.stringify(letter),
      })),
    );
  }

  async partitionProgress(topic: string, groupId: string): Promise<PartitionProgress[]> {
    const admin = await this.getAdmin();
    const highs = await admin.fetchTopicOffsets(topic);
    // Committed offsets are read after the highs: if they reach a high, everything below it was stored.
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = new Map(
      (committed?.partitions ?? []).map((entry) => [entry.partition, BigInt(entry.offset)]),
    );
    return highs.map((entry) => ({
      partition: entry.partition,
      highWatermark: BigInt(entry.high),
      committed: committedByPartition.get(entry.partition) ?? -1n,
    }));
  }

  async beforeApplicationShutdown(): Promise<void> {
    for (const timer of this.resumeTimers) clearTimeout(timer);
    // Stopping a runner lets its batch in flight finish (its insert lands and commits) first.
    await Promise.all(this.runners.map((runner) => runner.stop()));
    await Promise.all([
      this.producer?.then((producer) => producer.disconnect()),
      this.admin?.then((admin) => admin.disconnect()),
    ]);
    this.logger.log('Kafka clients disconnected');
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const pending = connected(createProducer(this.kafka, { idempotent: true }));
      this.producer = pending;
      // A failed connect is forgotten so the next call tries again instead of failing forever.
      void pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
    }
    return this.producer;
  }

  private getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const pending = connected(this.kafka.admin());
      this.admin = pending;
      void pending.catch(() => {
        if (this.admin === pending) this.admin = null;
      });
    }
    return this.admin;
  }
}

async function connected<T extends { connect(): Promise<void> }>(client: T): Promise<T> {
  await client.connect();
  return client;
}
