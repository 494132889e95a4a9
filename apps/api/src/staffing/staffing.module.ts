import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { StaffingRepository } from '../repositories/staffing.repository';
import { RosterController } from './roster.controller';
import { StaffingController } from './staffing.controller';
import { StaffingService } from './staffing.service';

/**
 * Staffing reports (role `api`). Its repository is registered here rather than in RepositoriesModule; it
 * takes the ClickHouse client that module exports. Global: the live metrics take the wall's "agents needed
 * now" from StaffingService. Reports are read by signed-in managers (AuthModule's session guard).
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [StaffingController, RosterController],
  providers: [StaffingService, StaffingRepository],
  exports: [StaffingService],
})
export class StaffingModule {}
