import { Module } from '@nestjs/common';
import { StaffingRepository } from '../repositories/staffing.repository';
import { StaffingController } from './staffing.controller';
import { StaffingService } from './staffing.service';

/**
 * Staffing reports (role `api`). Its repository is registered here rather than in RepositoriesModule; it
 * takes the ClickHouse client that module exports.
 */
@Module({ controllers: [StaffingController], providers: [StaffingService, StaffingRepository] })
export class StaffingModule {}
