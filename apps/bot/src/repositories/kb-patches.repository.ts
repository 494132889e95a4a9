import { Inject, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { LogFollower, TOPICS, createKafka, type LogRecord } from '@warroom/kafka';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';

/** Follows Kafka `kb.patches` (the knowledge base's sequencer) from a given offset, in log order. */
@Injectable()
export class KbPatchesRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(KbPatchesRepository.name);
  private follower: LogFollower | null = null;

  constructor(@Inject(BOT_CONFIG) private readonly config: BotConfig) {}

  async follow(fromOffset: number, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    if (this.follower) throw new Error('kb.patches is already followed');
    const kafka = createKafka({ brokers: this.config.kafka.brokers, clientId: `${this.config.kafka.clientId}-kb`, security: this.config.kafka.security });
    this.follower = new LogFollower(kafka, {
      topic: TOPICS.kbPatches.name,
      label: 'warroom-bot-kb',
      fromOffset: BigInt(fromOffset),
      onRecords,
      onCrash: ({ error, restart }) => this.logger.error(`kb.patches follower crashed (${restart ? 'restarting' : 'stopped'}): ${error.message}`),
    });
    await this.follower.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.follower?.stop();
  }
}
