import { Logger } from '@nestjs/common';
import { LogFollower, createKafka, createProducer, type LogRecord } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import type { AppConfig } from '../config/app-config';

export interface SequencedLogOptions<T> {
  /** A one-partition topic: its order is the order every api process applies. */
  topic: string;
  /** Prefix of the follower's throw-away consumer groups (the Kafka user's ACLs name it). */
  label: string;
  /** The record's Kafka key. */
  keyOf: (record: T) => string;
}

/**
 * One sequencer log as the api uses it (`kb.patches`, `gap.lifecycle`, `auth.sign-ins`): records appended with
 * acks from every in-sync replica, and followed from a given offset in log order. The repositories of the
 * three logs hold one each, so the producing and following rules live in one place.
 */
export class SequencedLog<T> {
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;
  private follower: LogFollower | null = null;

  constructor(
    config: AppConfig,
    private readonly options: SequencedLogOptions<T>,
  ) {
    this.logger = new Logger(`SequencedLog ${options.topic}`);
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-${options.topic}`, security: config.kafka.security });
  }

  /** Appends a record to the log; resolves once the broker acknowledged it (acks all). */
  async append(record: T): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({
      topic: this.options.topic,
      acks: -1,
      messages: [{ key: this.options.keyOf(record), value: JSON.stringify(record) }],
    });
  }

  /** Hands every record from `fromOffset` on to `onRecords`, in log order, until `close`. */
  async follow(fromOffset: bigint, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    if (this.follower) throw new Error(`${this.options.topic} is already followed`);
    const topic = this.options.topic;
    this.follower = new LogFollower(this.kafka, {
      topic,
      label: this.options.label,
      fromOffset,
      onRecords,
      onCrash: ({ error, restart }) => this.logger.error(`${topic} follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    await this.follower.start();
  }

  async close(): Promise<void> {
    await Promise.all([this.follower?.stop(), this.producer?.then((producer) => producer.disconnect())]);
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = createProducer(this.kafka, { idempotent: true });
      const pending = producer.connect().then(() => producer);
      this.producer = pending;
      // A failed connection is not kept: the next append tries again.
      pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
    }
    return this.producer;
  }
}
