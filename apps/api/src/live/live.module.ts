import { Module } from '@nestjs/common';
import { LiveMetricsService } from './live-metrics.service';
import { LiveGateway } from './live.gateway';
import { MetricsController } from './metrics.controller';

@Module({ controllers: [MetricsController], providers: [LiveMetricsService, LiveGateway] })
export class LiveModule {}
