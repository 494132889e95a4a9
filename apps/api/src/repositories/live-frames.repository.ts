import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { issuesText, liveViewWantsSchema, serverFrameSchema, type LiveViewWants, type ServerFrame } from '@warroom/contracts';
import { LogFollower, TOPICS, createConsumer, createKafka, createProducer } from '@warroom/kafka';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Presence records read back at start: the leader is decided from the last lease of records, and this many
 * cover it for hundreds of processes.
 */
const PRESENCE_HISTORY = 1_000n;
/** A frame of one live view, as it travels on `live.frames`. */
export type LiveViewFrame = Extract<ServerFrame, { event: 'snapshot' | 'heartbeat' | 'error' }>;

/**
 * Kafka for the live views of a deployment of several api processes: every process's presence and wanted
 * views on `live.leader` (one partition, so every process reads them in the same order and elects the same
 * leader, see LeaderLease), and the leader's frames on `live.frames` (key = the view's room key). Each process
 * follows both from throw-away groups of its own. Every input is checked against its contract here.
 */
@Injectable()
export class LiveFramesRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveFramesRepository.name);
  private readonly kafka: Kafka;
  /** Tells this process's own frames and presence from the others'. */
  readonly processId = randomUUID();
  /** This process's start, in its presence: the oldest process present leads. */
  readonly startedAt = new Date().toISOString();
  private producer: Promise<Producer> | null = null;
  private readonly consumers: Consumer[] = [];
  private readonly followers: LogFollower[] = [];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-live`, security: config.kafka.security });
  }

  /**
   * Follows `live.leader` (every process's presence and wanted views, the leader's election) from a little
   * before its end, so that the last lease of records is read; `onPresence` gets each record in log order.
   */
  async followPresence(onPresence: (wants: LiveViewWants, timestampMs: number) => void): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    let high: bigint;
    try {
      const [partition] = await admin.fetchTopicOffsets(TOPICS.liveLeader.name);
      high = BigInt(partition?.high ?? '0');
    } finally {
      await admin.disconnect();
    }
    const follower = new LogFollower(this.kafka, {
      topic: TOPICS.liveLeader.name,
      label: 'warroom-live-presence',
      fromOffset: high > PRESENCE_HISTORY ? high - PRESENCE_HISTORY : 0n,
      onRecords: (records) => {
        for (const record of records) {
          const wants = this.parse(record.value, (text) => liveViewWantsSchema.safeParse(JSON.parse(text)), 'presence');
          if (wants) onPresence(wants, record.timestampMs);
        }
        return Promise.resolve();
      },
      onCrash: ({ error, restart }) => this.logger.warn(`live.leader follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    this.followers.push(follower);
    await follower.start();
  }

  /** Follows `live.frames` from now on; `onFrame` gets every other process's frame, its text as viewers get it. */
  async followFrames(onFrame: (viewKey: string, frame: LiveViewFrame, text: string) => void): Promise<void> {
    // The consumers' fetch wait (CONSUMER_DEFAULTS) bounds what the hop adds: the dev broker answers an empty
    // fetch only after the whole wait, even when a frame arrives meanwhile; shorter waits cost it more fetches.
    const consumer = createConsumer(this.kafka, { groupId: `warroom-live-frames-${this.processId}` });
    this.consumers.push(consumer);
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.warn(`live.frames consumer crashed (${event.payload.restart ? 'rejoining' : 'stopped'}): ${event.payload.error.message}`);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [TOPICS.liveFrames.name], fromBeginning: false });
    await consumer.run({ autoCommit: false, eachBatch: (payload) => Promise.resolve(this.handleFrames(payload, onFrame)) });
  }

  /** Publishes a frame of a view (not awaited by the tick: a slow broker delays the followers only). */
  async publishFrame(viewKey: string, text: string): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({
      topic: TOPICS.liveFrames.name,
      // One broker's acknowledgement: a frame lost in a broker failover is replaced by the next tick's.
      acks: 1,
      messages: [{ key: viewKey, value: text, headers: { origin: this.processId } }],
    });
  }

  /** Appends this process's presence and wanted views to `live.leader`. */
  async publishPresence(wants: LiveViewWants): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({ topic: TOPICS.liveLeader.name, acks: 1, messages: [{ value: JSON.stringify(wants) }] });
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([
      ...this.consumers.map((consumer) => consumer.disconnect()),
      ...this.followers.map((follower) => follower.stop()),
      this.producer?.then((producer) => producer.disconnect()),
    ]);
  }

  private handleFrames(payload: EachBatchPayload, onFrame: (viewKey: string, frame: LiveViewFrame, text: string) => void): void {
    for (const message of payload.batch.messages) {
      payload.resolveOffset(message.offset);
      if (message.headers?.origin?.toString() === this.processId || !message.key) continue;
      const text = message.value?.toString('utf8');
      const frame = this.parse(message.value, (json) => serverFrameSchema.safeParse(JSON.parse(json)), 'live frame');
      if (!frame || text === undefined) continue;
      if (frame.event !== 'snapshot' && frame.event !== 'heartbeat' && frame.event !== 'error') {
        this.logger.warn(`Ignored a ${frame.event} frame on ${TOPICS.liveFrames.name}: only live view frames travel there`);
        continue;
      }
      onFrame(message.key.toString('utf8'), frame, text);
    }
  }

  /** Parses a message with its contract; a message that breaks it is logged and left out (never retried: it cannot change). */
  private parse<T>(
    value: Buffer | null,
    check: (text: string) => { success: true; data: T } | { success: false; error: Parameters<typeof issuesText>[0] },
    what: string,
  ): T | null {
    if (!value) return null;
    try {
      const result = check(value.toString('utf8'));
      if (result.success) return result.data;
      this.logger.warn(`Ignored ${what} that breaks its contract: ${issuesText(result.error)}`);
    } catch (error) {
      this.logger.warn(`Ignored ${what} that is not JSON: ${(error as Error).message}`);
    }
    return null;
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = createProducer(this.kafka);
      const pending = producer.connect().then(() => producer);
      this.producer = pending;
      // A failed connect is forgotten so that the next frame tries again.
      pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
    }
    return this.producer;
  }
}
