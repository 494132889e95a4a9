import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { GapsModule } from '../gaps/gaps.module';
import { StatusModule } from '../status/status.module';
import { LiveMetricsService } from './live-metrics.service';
import { LiveGateway } from './live.gateway';
import { MetricsController } from './metrics.controller';

@Module({ imports: [AuthModule, CampaignsModule, GapsModule, StatusModule], controllers: [MetricsController], providers: [LiveMetricsService, LiveGateway] })
export class LiveModule {}
