import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { CampaignsModule } from '../campaigns/campaigns.module';
import { Clock } from '../common/clock';
import { GapReadGuard } from '../gaps/gap-read.guard';
import { GapsModule } from '../gaps/gaps.module';
import { KbModule } from '../kb/kb.module';
import { BotRepository } from '../repositories/bot.repository';
import { BriefingRepository } from '../repositories/briefing.repository';
import { BriefingController } from './briefing.controller';
import { BriefingService } from './briefing.service';

/** The briefing before a promo moment (issue 23): last campaign's questions at the same kind of moment, and the gaps it predicts. */
@Module({
  imports: [AuthModule, CampaignsModule, GapsModule, KbModule],
  controllers: [BriefingController],
  providers: [BriefingService, BriefingRepository, BotRepository, GapReadGuard, Clock],
})
export class BriefingModule {}
