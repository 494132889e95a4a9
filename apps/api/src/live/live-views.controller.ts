import { Controller, Get } from '@nestjs/common';
import type { LiveViewCounters } from '@warroom/contracts';
import { LiveMetricsService } from './live-metrics.service';

/**
 * How much live-view work this process does, for operations and the scale test: summed over the api
 * processes, view computations per tick equal the distinct views watched, however many processes serve them.
 */
@Controller('health/live-views')
export class LiveViewsController {
  constructor(private readonly live: LiveMetricsService) {}

  @Get()
  counts(): LiveViewCounters {
    return this.live.counts();
  }
}
