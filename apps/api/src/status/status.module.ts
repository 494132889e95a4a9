import { Module } from '@nestjs/common';
import { IngestOffsetGapsRepository } from '../repositories/ingest-offset-gaps.repository';
import { PartHealthRepository } from '../repositories/part-health.repository';
import { ProbesController } from './probes.controller';
import { SystemStatusService } from './system-status.service';

/** The parts' health for the walls (`api` role); the live metrics push it. */
@Module({ controllers: [ProbesController], providers: [PartHealthRepository, IngestOffsetGapsRepository, SystemStatusService], exports: [SystemStatusService] })
export class StatusModule {}
