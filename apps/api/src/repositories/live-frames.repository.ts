import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { issuesText, liveViewWantsSchema, serverFrameSchema, type LiveViewWants, type ServerFrame } from '@warroom/contracts';
import { TOPICS, createConsumer, createKafka, createProducer } from '@warroom/kafka';
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** The api processes' group on `live.leader`: the member assigned its one partition is the leader. */
const LEADER_GROUP_ID = 'warroom-live-leader';
/**
 * How long a fetch of `live.frames` waits for data: the dev broker answers an empty fetch only after the
 * whole wait, even when a frame arrives meanwhile, so the wait is what the extra hop can add.
 */
const FRAMES_FETCH_WAIT_MS = 20;

/** A frame of one live view, as it travels on `live.frames`. */
export type LiveViewFrame = Extract<ServerFrame, { event: 'snapshot' | 'heartbeat' | 'error' }>;

export interface LeadershipHooks {
  /** True once this process holds `live.leader`'s partition, false once it lost it (rebalance, stop, crash). */
  onLeadership(leader: boolean): void;
  /** A follower's wanted views, read while this process leads. */
  onWants(wants: LiveViewWants): void;
}

/**
 * Kafka for the live views of a deployment of several api processes: the leader's election (the group on
 * `live.leader`), the followers' wanted views (on the same topic, read only by the leader), and the
 * leader's frames on `live.frames` (key = the view's room key), which every process follows from its own
 * throw-away group. Every input is checked against its contract here.
 */
@Injectable()
export class LiveFramesRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(LiveFramesRepository.name);
  private readonly kafka: Kafka;
  /** Tells this process's own frames and wants from the others'. */
  readonly processId = randomUUID();
  private producer: Promise<Producer> | null = null;
  private readonly consumers: Consumer[] = [];
  private stopping = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-live`, security: config.kafka.security });
  }

  /**
   * Joins the leader group; resolves once the first assignment is known (hooks told). Leadership follows
   * each later assignment: a dead leader's partition moves to another member within the group's session timeout.
   */
  async joinLeaderGroup(hooks: LeadershipHooks): Promise<void> {
    const consumer = createConsumer(this.kafka, { groupId: LEADER_GROUP_ID });
    this.consumers.push(consumer);
    let joined: () => void = () => undefined;
    const firstJoin = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      hooks.onLeadership((event.payload.memberAssignment[TOPICS.liveLeader.name] ?? []).length > 0);
      joined();
    });
    // Stopped for the process's shutdown, it leads nothing any more, and tells nobody: it is going away.
    consumer.on(consumer.events.STOP, () => {
      if (!this.stopping) hooks.onLeadership(false);
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.logger.warn(`live.leader consumer crashed (${event.payload.restart ? 'rejoining' : 'stopped'}): ${event.payload.error.message}`);
      hooks.onLeadership(false);
    });
    await consumer.connect();
    // Wanted views are leases renewed every second: a new leader needs only what is sent from now on.
    await consumer.subscribe({ topics: [TOPICS.liveLeader.name], fromBeginning: false });
    await consumer.run({
      autoCommit: true,
      eachBatch: (payload) => {
        for (const message of payload.batch.messages) {
          const wants = this.parse(message.value, (text) => liveViewWantsSchema.safeParse(JSON.parse(text)), 'wanted views');
          if (wants) hooks.onWants(wants);
          payload.resolveOffset(message.offset);
        }
        return Promise.resolve();
      },
    });
    await firstJoin;
  }

  /** Follows `live.frames` from now on; `onFrame` gets every other process's frame, its text as viewers get it. */
  async followFrames(onFrame: (viewKey: string, frame: LiveViewFrame, text: string) => void): Promise<void> {
    const consumer = createConsumer(this.kafka, { groupId: `warroom-live-frames-${this.processId}`, maxWaitTimeInMs: FRAMES_FETCH_WAIT_MS });
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

  async publishWants(wants: LiveViewWants): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({ topic: TOPICS.liveLeader.name, acks: 1, messages: [{ value: JSON.stringify(wants) }] });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    // Leaving the group hands leadership over at once instead of after the session timeout.
    await Promise.all([...this.consumers.map((consumer) => consumer.disconnect()), this.producer?.then((producer) => producer.disconnect())]);
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
