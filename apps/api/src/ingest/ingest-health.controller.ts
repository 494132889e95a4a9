import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IngestService, type IngestHealth } from './ingest.service';

@Controller('health/ingest')
export class IngestHealthController {
  constructor(private readonly ingest: IngestService) {}

  /**
   * 200 while ingest works (even if some partitions are retrying), 503 once its consumer has given up. Both
   * carry the report: the status strip reads why it failed, so a failed consumer is a report, not an error.
   */
  @Get()
  health(@Res({ passthrough: true }) response: Response): IngestHealth {
    const health = this.ingest.health();
    if (health.status === 'failed') response.status(HttpStatus.SERVICE_UNAVAILABLE);
    return health;
  }
}
