import { Module } from '@nestjs/common';
import { IngestOffsetGapsRepository } from '../repositories/ingest-offset-gaps.repository';
import { IngestHealthController } from './ingest-health.controller';
import { IngestService } from './ingest.service';

@Module({ controllers: [IngestHealthController], providers: [IngestService, IngestOffsetGapsRepository] })
export class IngestModule {}
