import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { CampaignRepository } from './campaign.repository';
import { ChatEventRepository } from './chat-event.repository';
import { CLICKHOUSE, clickHouseProvider } from './clickhouse.provider';
import { KafkaRepository } from './kafka.repository';
import { KnowledgePacksRepository } from './knowledge-packs.repository';
import { MetricsRepository } from './metrics.repository';

/** The adapters to external systems, one instance each per process whatever roles it runs. */
@Global()
@Module({
  providers: [clickHouseProvider, ChatEventRepository, MetricsRepository, KafkaRepository, CampaignRepository, KnowledgePacksRepository],
  exports: [CLICKHOUSE, ChatEventRepository, MetricsRepository, KafkaRepository, CampaignRepository, KnowledgePacksRepository],
})
export class RepositoriesModule implements OnApplicationShutdown {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.clickhouse.close();
  }
}
