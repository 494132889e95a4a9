import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { botHandoffRecordSchema, issuesText, type BotHandoffRecord } from '@warroom/contracts';
import { LogFollower, TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';

/** A record of `bot.handoffs` as the bots read it: its value parsed, null for a tombstone. */
export interface HandoffLogEntry {
  key: string;
  timestampMs: number;
  value: BotHandoffRecord | null;
}

/**
 * The only code touching Kafka `bot.handoffs` (one partition, compacted): appends this bot's presence and
 * queued sessions (null: a tombstone), and follows everyone's from the log's beginning, so a bot that
 * starts knows every queued session before it adopts any.
 */
@Injectable()
export class HandoffLogRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(HandoffLogRepository.name);
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;
  private follower: LogFollower | null = null;

  constructor(@Inject(BOT_CONFIG) config: BotConfig) {
    this.kafka = createKafka({
      brokers: config.kafka.brokers,
      clientId: `${config.kafka.clientId}-handoffs`,
      security: config.kafka.security,
      logLevel: 'nothing',
      overrides: { connectionTimeout: 3_000, requestTimeout: 5_000, retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 } },
    });
  }

  /** Appends records in this order (one request in flight, so a later state never lands before an earlier one). */
  async append(records: readonly { key: string; value: BotHandoffRecord | null }[]): Promise<void> {
    const producer = await this.connected();
    try {
      await sendBatch(
        producer,
        TOPICS.botHandoffs.name,
        records.map((record) => ({ key: record.key, value: record.value === null ? null : JSON.stringify(record.value) })),
      );
    } catch (error) {
      void this.reset();
      throw error;
    }
  }

  async follow(onRecords: (records: HandoffLogEntry[]) => Promise<void>): Promise<void> {
    if (this.follower) throw new Error('bot.handoffs is already followed');
    this.follower = new LogFollower(this.kafka, {
      topic: TOPICS.botHandoffs.name,
      label: 'warroom-bot-handoffs',
      fromOffset: 0n,
      onRecords: (records) => onRecords(records.flatMap((record) => this.parse(record.offset, record.timestampMs, record.key ?? null, record.value))),
      onCrash: ({ error, restart }) => this.logger.error(`bot.handoffs follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    await this.follower.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower?.stop();
    await this.reset();
  }

  /** A record that breaks the contract is skipped (and said): it cannot hold a customer any bot could continue. */
  private parse(offset: bigint, timestampMs: number, key: Buffer | null, value: Buffer | null): HandoffLogEntry[] {
    if (key === null) {
      this.logger.warn(`bot.handoffs offset ${offset} has no key: skipped`);
      return [];
    }
    if (value === null) return [{ key: key.toString('utf8'), timestampMs, value: null }];
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      this.logger.warn(`bot.handoffs offset ${offset} is not JSON: skipped`);
      return [];
    }
    const parsed = botHandoffRecordSchema.safeParse(json);
    if (!parsed.success) {
      this.logger.warn(`bot.handoffs offset ${offset} breaks its contract (${issuesText(parsed.error)}): skipped`);
      return [];
    }
    return [{ key: key.toString('utf8'), timestampMs, value: parsed.data }];
  }

  private connected(): Promise<Producer> {
    if (!this.producer) {
      const pending = (async () => {
        const producer = createProducer(this.kafka, { retry: { retries: 0 }, maxInFlightRequests: 1 });
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

  private async reset(): Promise<void> {
    const pending = this.producer;
    this.producer = null;
    if (pending) await pending.then((producer) => producer.disconnect()).catch(() => undefined);
  }
}
