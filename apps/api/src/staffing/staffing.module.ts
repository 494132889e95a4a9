import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { StaffingRepository } from '../repositories/staffing.repository';
import { WatermarkModule } from '../watermark/watermark.module';
import { RosterController } from './roster.controller';
import { StaffingController } from './staffing.controller';
import { StaffingService } from './staffing.service';

/**
 * Staffing reports (role `api`). Its repository is registered here rather than in RepositoriesModule; it
 * takes the ClickHouse client that module exports. The live metrics import it for the wall's "agents needed
 * now". Reports are read by signed-in managers (AuthModule's session guard).
 */
@Module({
  imports: [AuthModule, WatermarkModule],
  controllers: [StaffingController, RosterController],
  providers: [StaffingService, StaffingRepository],
  exports: [StaffingService],
})
export class StaffingModule {}
