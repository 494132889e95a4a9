import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { IngestService, type IngestHealth } from './ingest.service';

@Controller('health/ingest')
export class IngestHealthController {
  constructor(private readonly ingest: IngestService) {}

  /** 200 while ingest works (even if some partitions are retrying), 503 once its consumer has given up. */
  @Get()
  health(): IngestHealth {
    const health = this.ingest.health();
    if (health.status === 'failed') throw new HttpException(health, HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }
}
