import { Controller, Get } from '@nestjs/common';
import type { SystemStatus } from '@warroom/contracts';
import { Unavailable } from '@warroom/nest-common';
import { SystemStatusService } from './system-status.service';

/**
 * Kubernetes' probes for the `api` role. Readiness does not follow the store or the broker: every
 * replica shares them, and taking all replicas out of the load balancer when the store is down would
 * blank the walls instead of letting them say their figures are stale. A replica is ready once it has
 * looked at the parts, so its first viewers see their states.
 */
@Controller('health')
export class ProbesController {
  constructor(private readonly status: SystemStatusService) {}

  /** Liveness: the process answers (a stuck event loop does not). */
  @Get('live')
  live(): { status: 'live' } {
    return { status: 'live' };
  }

  @Get('ready')
  ready(): { status: 'ready' } & SystemStatus {
    if (!this.status.hasLooked()) throw new Unavailable('The parts have not been looked at yet', { status: 'starting' });
    return { status: 'ready', ...this.status.current() };
  }
}
