import { Inject, Injectable } from '@nestjs/common';
import type { ChatEvent } from '@warroom/contracts';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';
import type { EventTransport } from '../events/event-outbox';

/**
 * The bot's only Kafka code: produces ChatEvents to `chat.events`, keyed by session id, acks from all
 * in-sync replicas, one request in flight.
 *
 * Timeouts are short and a send is never retried here: a broker that does not answer within a few
 * seconds is an outage, and the outbox spools and retries whole batches in order. Retrying inside
 * kafkajs would push the same request again and again into a broker that may only be frozen: every
 * copy it finally reads is a duplicate. After a failure the connection is rebuilt, and connecting
 * (a metadata request) is what probes the broker, so a batch is only sent again once it answers.
 * Delivery is at least once: the batch in flight when the broker stopped answering may arrive twice
 * (same event ids).
 */
@Injectable()
export class KafkaEventsRepository implements EventTransport {
  private readonly kafka: Kafka;
  private producer: Promise<Producer> | null = null;

  constructor(@Inject(BOT_CONFIG) config: BotConfig) {
    this.kafka = createKafka({
      brokers: config.kafka.brokers,
      clientId: config.kafka.clientId,
      security: config.kafka.security,
      // The outbox logs outages once, with their effect; kafkajs would log every retry.
      logLevel: 'nothing',
      overrides: {
        connectionTimeout: 3_000,
        requestTimeout: 5_000,
        retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2_000 },
      },
    });
  }

  async send(events: readonly ChatEvent[]): Promise<void> {
    const producer = await this.connected();
    try {
      await sendBatch(
        producer,
        TOPICS.chatEvents.name,
        events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })),
      );
    } catch (error) {
      // Start over with a fresh connection next time: after an outage the old one may be wedged.
      void this.reset();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.reset();
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
