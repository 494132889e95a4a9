import { Module } from '@nestjs/common';
import { IngestHealthController } from './ingest-health.controller';
import { IngestService } from './ingest.service';

@Module({ controllers: [IngestHealthController], providers: [IngestService] })
export class IngestModule {}
