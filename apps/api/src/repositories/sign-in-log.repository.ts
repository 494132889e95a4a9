import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { SignInLogEntry } from '@warroom/contracts';
import { LogFollower, TOPICS, createKafka, createProducer, type LogRecord } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Kafka `auth.sign-ins` for the api: appends sign-in attempts, their successes and admins' unlocks (the
 * one partition orders them for every api process) and follows the log from a given offset.
 */
@Injectable()
export class SignInLogRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(SignInLogRepository.name);
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;
  private follower: LogFollower | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-sign-ins`, security: config.kafka.security });
  }

  /** Appends an entry to the log; resolves once the broker acknowledged it (acks all). */
  async propose(entry: SignInLogEntry): Promise<void> {
    const producer = await this.getProducer();
    await producer.send({
      topic: TOPICS.signIns.name,
      acks: -1,
      messages: [{ key: entry.login, value: JSON.stringify(entry) }],
    });
  }

  /** Hands every record from `fromOffset` on to `onRecords`, in log order, until shutdown. */
  async follow(fromOffset: bigint, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    if (this.follower) throw new Error('auth.sign-ins is already followed');
    this.follower = new LogFollower(this.kafka, {
      topic: TOPICS.signIns.name,
      label: 'warroom-api-sign-ins',
      fromOffset,
      onRecords,
      onCrash: ({ error, restart }) => this.logger.error(`auth.sign-ins follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    await this.follower.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([this.follower?.stop(), this.producer?.then((producer) => producer.disconnect())]);
  }

  private getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = createProducer(this.kafka, { idempotent: true });
      const pending = producer.connect().then(() => producer);
      this.producer = pending;
      pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
    }
    return this.producer;
  }
}
