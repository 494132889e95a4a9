import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { snapshotQuerySchema, type LiveSnapshot, type SnapshotQuery } from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { KioskTokenGuard } from '../common/kiosk-token.guard';
import { LiveMetricsService } from './live-metrics.service';

@Controller('api/metrics')
@UseGuards(KioskTokenGuard)
export class MetricsController {
  constructor(private readonly live: LiveMetricsService) {}

  @Get('snapshot')
  snapshot(@Query(new ZodValidationPipe(snapshotQuerySchema)) query: SnapshotQuery): Promise<LiveSnapshot> {
    return this.live.snapshot(query);
  }
}
