import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { snapshotQuerySchema, type LiveSnapshot, type SnapshotQuery } from '@warroom/contracts';
import { InvalidInput, Unavailable, ZodValidationPipe } from '@warroom/nest-common';
import { KioskTokenGuard } from '../common/kiosk-token.guard';
import { InvalidMetricsRequest, LiveMetricsService, WatermarkUnknown } from './live-metrics.service';

@Controller('api/metrics')
@UseGuards(KioskTokenGuard)
export class MetricsController {
  constructor(private readonly live: LiveMetricsService) {}

  @Get('snapshot')
  snapshot(@Query(new ZodValidationPipe(snapshotQuerySchema)) query: SnapshotQuery): Promise<LiveSnapshot> {
    return this.live.snapshot(query).catch((error: unknown) => {
      if (error instanceof InvalidMetricsRequest) throw new InvalidInput(error.message);
      if (error instanceof WatermarkUnknown) throw new Unavailable(error.message);
      throw error;
    });
  }
}
