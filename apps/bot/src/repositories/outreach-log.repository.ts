import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { OutreachLogRecord } from '@warroom/contracts';
import { LogFollower, TOPICS, createKafka, createProducer, sendBatch, type LogRecord } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';
import type { OutreachLog } from './outreach-log';

/**
 * The bot's code touching `outreach.contacts`: appends records and follows the log from its beginning
 * (the ledger it builds is all the state: nothing is committed). Records are parsed by the caller.
 */
@Injectable()
export class OutreachLogRepository implements OutreachLog, BeforeApplicationShutdown {
  private readonly logger = new Logger(OutreachLogRepository.name);
  private readonly kafka: Kafka;
  private follower: LogFollower | null = null;
  private producer: Promise<Producer> | null = null;

  constructor(@Inject(BOT_CONFIG) config: BotConfig) {
    this.kafka = createKafka({ brokers: config.kafka.brokers, clientId: `${config.kafka.clientId}-outreach`, security: config.kafka.security });
  }

  async follow(onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    if (this.follower) throw new Error('outreach.contacts is already followed');
    this.follower = new LogFollower(this.kafka, {
      topic: TOPICS.outreachContacts.name,
      label: 'warroom-bot-outreach',
      fromOffset: 0n,
      onRecords,
      onCrash: ({ error, restart }) => this.logger.error(`outreach.contacts follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    await this.follower.start();
  }

  /** Appends records in order; resolves once the broker acknowledged them all. */
  async append(records: readonly OutreachLogRecord[]): Promise<void> {
    if (records.length === 0) return;
    const producer = await this.connected();
    await sendBatch(producer, TOPICS.outreachContacts.name, records.map((record) => ({ value: JSON.stringify(record) })));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower?.stop();
    const pending = this.producer;
    this.producer = null;
    if (pending) await pending.then((producer) => producer.disconnect()).catch(() => undefined);
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const pending = (async () => {
        const producer = createProducer(this.kafka, { idempotent: true });
        await producer.connect();
        return producer;
      })();
      this.producer = pending;
      void pending.catch(() => {
        if (this.producer === pending) this.producer = null;
      });
    }
    return this.producer;
  }
}
