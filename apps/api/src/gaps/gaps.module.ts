import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { Clock } from '../common/clock';
import { PushModule } from '../push/push.module';
import { GapLifecycleLogRepository } from '../repositories/gap-lifecycle-log.repository';
import { GapsRepository } from '../repositories/gaps.repository';
import { GapReadGuard } from './gap-read.guard';
import { GapsController } from './gaps.controller';
import { GapsService } from './gaps.service';

/** Gaps (issue 7): the engine, its lifecycle REST, its pushes (the hub's gaps view), and `GapsService` for the live metrics and the patch loop. */
@Module({
  imports: [AuthModule, CampaignsModule, PushModule],
  controllers: [GapsController],
  providers: [GapsService, GapsRepository, GapLifecycleLogRepository, GapReadGuard, Clock],
  exports: [GapsService],
})
export class GapsModule {}
