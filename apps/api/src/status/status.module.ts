import { Module } from '@nestjs/common';
import { IngestOffsetGapsRepository } from '../repositories/ingest-offset-gaps.repository';
import { PartHealthRepository } from '../repositories/part-health.repository';
import { SystemStatusService } from './system-status.service';

/** The parts' health for the walls (`api` role); the live metrics push it. */
@Module({ providers: [PartHealthRepository, IngestOffsetGapsRepository, SystemStatusService], exports: [SystemStatusService] })
export class StatusModule {}
