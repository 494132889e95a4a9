import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * A process' registry: Node's own metrics (CPU, memory, event-loop delay as `nodejs_eventloop_lag_*`,
 * garbage collection) and, registered by the app, its collectors. Every series carries `app`.
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 10 });
  return registry;
}

interface Definition<Label extends string> {
  name: string;
  help: string;
  labelNames?: readonly Label[];
}

/** One value read for each label set at scrape time. */
export type Reading<Label extends string> = { labels?: Partial<Record<Label, string | number>>; value: number };

/**
 * A gauge read from the app's state at every scrape (the collector's `read`), so nothing in the app has
 * to know about metrics. Label sets not read this time disappear (a partition no longer assigned).
 */
export function readGauge<Label extends string>(registry: Registry, definition: Definition<Label>, read: () => readonly Reading<Label>[]): Gauge<Label> {
  return new Gauge<Label>({
    ...definition,
    labelNames: definition.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read()) {
        if (labels) this.set(labels, value);
        else this.set(value);
      }
    },
  });
}

/**
 * A counter read from a running total the app keeps (monotonic within the process, which is what a
 * Prometheus counter is: a restart starts it again at its own total, and rate() takes a restart in stride).
 */
export function readCounter<Label extends string>(registry: Registry, definition: Definition<Label>, read: () => readonly Reading<Label>[]): Counter<Label> {
  return new Counter<Label>({
    ...definition,
    labelNames: definition.labelNames ?? [],
    registers: [registry],
    collect() {
      this.reset();
      for (const { labels, value } of read()) {
        if (labels) this.inc(labels, value);
        else this.inc(value);
      }
    },
  });
}
