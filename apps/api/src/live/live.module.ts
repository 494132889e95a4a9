import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { LiveMetricsService } from './live-metrics.service';
import { LiveGateway } from './live.gateway';
import { MetricsController } from './metrics.controller';

@Module({ imports: [AuthModule, CampaignsModule], controllers: [MetricsController], providers: [LiveMetricsService, LiveGateway] })
export class LiveModule {}
