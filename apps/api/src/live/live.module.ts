import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { Clock } from '../common/clock';
import { GapsModule } from '../gaps/gaps.module';
import { KbModule } from '../kb/kb.module';
import { OutreachModule } from '../outreach/outreach.module';
import { PushModule } from '../push/push.module';
import { LiveFramesRepository } from '../repositories/live-frames.repository';
import { StaffingModule } from '../staffing/staffing.module';
import { StatusModule } from '../status/status.module';
import { WatermarkModule } from '../watermark/watermark.module';
import { LiveMetricsService } from './live-metrics.service';
import { LiveGateway } from './live.gateway';
import { LiveViewsController } from './live-views.controller';
import { MetricsController } from './metrics.controller';
import { TopQuestionLabels } from './top-question-labels';

/**
 * The live metrics (REST and `/live`), computed once per view for the deployment by the leading api process,
 * and the `/live` gateway, which hands each subscription to the push hub.
 */
@Module({
  imports: [AuthModule, CampaignsModule, GapsModule, KbModule, OutreachModule, PushModule, StaffingModule, StatusModule, WatermarkModule],
  controllers: [MetricsController, LiveViewsController],
  providers: [LiveMetricsService, LiveGateway, LiveFramesRepository, TopQuestionLabels, Clock],
})
export class LiveModule {}
