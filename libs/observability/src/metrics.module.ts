import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { MetricsController, METRICS_REGISTRY } from './metrics.controller';

/** `GET /metrics` serving `registry`; the process registers its collectors on it. */
@Module({})
export class MetricsModule {
  static forRoot(registry: Registry): DynamicModule {
    return { module: MetricsModule, controllers: [MetricsController], providers: [{ provide: METRICS_REGISTRY, useValue: registry }] };
  }
}
