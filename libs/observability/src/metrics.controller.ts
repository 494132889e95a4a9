import { Controller, Get, Header, Inject } from '@nestjs/common';
import type { Registry } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/**
 * Prometheus' scrape of this process. Unauthenticated like the health probes: Prometheus scrapes the pod
 * itself, and what is here are counts, times and statuses (labels: partitions, statuses, outcomes), never a
 * customer's text, a user or a token. The public entry (ingress, nginx) does not forward `/metrics`.
 */
@Controller('metrics')
export class MetricsController {
  constructor(@Inject(METRICS_REGISTRY) private readonly registry: Registry) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.registry.metrics();
  }
}
