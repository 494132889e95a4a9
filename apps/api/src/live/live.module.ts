import { Module } from '@nestjs/common';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { LiveMetricsService } from './live-metrics.service';
import { LiveGateway } from './live.gateway';
import { MetricsController } from './metrics.controller';

@Module({ imports: [CampaignsModule], controllers: [MetricsController], providers: [LiveMetricsService, LiveGateway] })
export class LiveModule {}
