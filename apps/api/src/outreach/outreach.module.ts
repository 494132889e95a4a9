import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { Clock } from '../common/clock';
import { OutreachRepository } from '../repositories/outreach.repository';
import { FollowUpsController, OutreachReportController } from './outreach.controller';
import { OutreachService } from './outreach.service';

/**
 * What outreach earns (issue 22, role `api`): the outreach report, the agents' follow-up list, and the wall's
 * tile, which the live metrics read through OutreachService. Its repository is registered here, on the
 * ClickHouse client RepositoriesModule exports.
 */
@Module({
  imports: [AuthModule],
  controllers: [OutreachReportController, FollowUpsController],
  providers: [OutreachService, OutreachRepository, Clock],
  exports: [OutreachService],
})
export class OutreachModule {}
