import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { ChatEvent, DeadLetter } from '@warroom/contracts';
import {
  ConsumerRunner,
  createKafka,
  nextOffset,
  createProducer,
  sendBatch,
  TOPICS,
  type ConsumerCrash,
} from '@warroom/kafka';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** One Kafka message as ingest reads it: its offset and raw bytes. */
export interface IncomingMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

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
  /**
   * False once the consumer is stopping, the group is rebalancing or the partition was rewound: stop early,
   * the rest is fetched again.
   */
  shouldContinue(): boolean;
}

export interface BatchOutcome {
  /**
   * Last offset taken over by the handler (stored, queued for storing, or dead-lettered): the consumer moves
   * its fetch position past it. Nothing is committed here: the handler commits (`commitOffsets`) once it is
   * durable, and rewinds (`rewind`) what it could not store.
   */
  consumedThrough: string | null;
  /** Set when the rest of the batch must be tried again: the partition pauses this long, then refetches. */
  retryAfterMs?: number;
}

/** A partition's position to commit: the last offset whose message is durably handled. */
export interface HandledOffset {
  partition: number;
  offset: string;
}

export interface ConsumerHooks {
  onBatch(batch: PartitionBatch, control: BatchControl): Promise<BatchOutcome>;
  /** The consumer is about to stop (shutdown): finish and commit what was taken over. */
  beforeStop(): Promise<void>;
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
  private readonly runners = new Map<string, { runner: ConsumerRunner; hooks: ConsumerHooks }>();
  private readonly resumeTimers = new Set<NodeJS.Timeout>();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, security: config.kafka.security });
  }

  async startConsumer(groupId: string, topic: string, hooks: ConsumerHooks): Promise<void> {
    const runner = new ConsumerRunner(this.kafka, {
      groupId,
      topics: [topic],
      // Every partition of a fetch is handled at once, so their rows can share one INSERT.
      partitionsConsumedConcurrently: 24,
      onCrash: (crash) => hooks.onCrash(crash),
      onGroupJoin: (assignment) => hooks.onGroupJoin(assignment[topic] ?? []),
      // Several ingest members share the topic: one refused by the broker during a rebalance joins again.
      rejoinAfterBrokerRefusal: true,
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
        // Resolving moves kafkajs' fetch position; unresolved messages are fetched again.
        if (outcome.consumedThrough !== null) payload.resolveOffset(outcome.consumedThrough);
        if (outcome.retryAfterMs !== undefined) {
          // Nothing is skipped and nothing buffered: the partition waits, then refetches.
          const resume = payload.pause();
          this.after(outcome.retryAfterMs, resume);
        }
      },
    });
    this.runners.set(groupId, { runner, hooks });
    await runner.start();
  }

  /**
   * Commits, in one request, each partition's position after `handled` (Kafka stores the next offset to
   * read). A hint for restarts and the watermark that `asOf` is read from, so only durable offsets go here.
   */
  async commitOffsets(groupId: string, topic: string, handled: HandledOffset[]): Promise<void> {
    if (handled.length === 0) return;
    await this.runnerOf(groupId).consumer.commitOffsets(
      handled.map(({ partition, offset }) => ({ topic, partition, offset: nextOffset(offset) })),
    );
  }

  /**
   * Moves a partition's fetch position back to `offset` (messages taken over but not stored), and pauses it
   * for `pauseMs` first. Batches of it already fetched are stale from now on (`shouldContinue` is false).
   */
  rewind(groupId: string, topic: string, partition: number, offset: string, pauseMs: number): void {
    const { consumer } = this.runnerOf(groupId);
    consumer.seek({ topic, partition, offset });
    consumer.pause([{ topic, partitions: [partition] }]);
    this.after(pauseMs, () => consumer.resume([{ topic, partitions: [partition] }]));
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

  /** Produces chat events the api itself records (an agent's follow-up done) to `chat.events`, keyed by session like every producer's. */
  async sendChatEvents(events: ChatEvent[]): Promise<void> {
    const producer = await this.getProducer();
    await sendBatch(
      producer,
      TOPICS.chatEvents.name,
      events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })),
    );
  }

  async partitionProgress(topic: string, groupId: string): Promise<PartitionProgress[]> {
    const pending = this.getAdmin();
    const admin = await pending;
    let highs: Awaited<ReturnType<Admin['fetchTopicOffsets']>>;
    let committed: Awaited<ReturnType<Admin['fetchOffsets']>>[number] | undefined;
    try {
      highs = await admin.fetchTopicOffsets(topic);
      // Committed offsets are read after the highs: if they reach a high, everything below it was stored.
      [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    } catch (error) {
      // kafkajs keeps a topic's metadata until it ages out (minutes): a metadata answer that came back
      // without the topic (a broker under load, a leader moving) would fail every call until then with
      // "Topic metadata not loaded". A fresh admin client fetches fresh metadata on the next call.
      this.dropAdmin(pending, admin);
      throw error;
    }
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
    // What a handler took over lands and is committed while the consumer is still a member; stopping then
    // lets the batch in flight finish.
    await Promise.all(
      [...this.runners.values()].map(async ({ runner, hooks }) => {
        await hooks.beforeStop();
        await runner.stop();
      }),
    );
    await Promise.all([
      this.producer?.then((producer) => producer.disconnect()),
      this.admin?.then((admin) => admin.disconnect()),
    ]);
    this.logger.log('Kafka clients disconnected');
  }

  private runnerOf(groupId: string): ConsumerRunner {
    const entry = this.runners.get(groupId);
    if (!entry) throw new Error(`No consumer of group ${groupId} was started`);
    return entry.runner;
  }

  private after(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.resumeTimers.delete(timer);
      action();
    }, ms);
    this.resumeTimers.add(timer);
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

  private dropAdmin(pending: Promise<Admin>, admin: Admin): void {
    if (this.admin !== pending) return;
    this.admin = null;
    admin.disconnect().catch((error: unknown) => {
      this.logger.warn(`Closing a failed Kafka admin client: ${(error as Error).message}`);
    });
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
