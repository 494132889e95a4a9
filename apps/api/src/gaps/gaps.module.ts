import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { GapsRepository } from '../repositories/gaps.repository';
import { GapReadGuard } from './gap-read.guard';
import { GapsController } from './gaps.controller';
import { GapsService } from './gaps.service';

/** Gaps (issue 7): the engine, its lifecycle REST, and `GapsService` for the live gateway and the patch loop. */
@Module({
  imports: [AuthModule, CampaignsModule],
  controllers: [GapsController],
  providers: [GapsService, GapsRepository, GapReadGuard],
  exports: [GapsService],
})
export class GapsModule {}
