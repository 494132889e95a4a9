export { logFormatEnvShape, logFormatFrom, type LogFormat } from './log-format';
export { jsonLoggerModule, NEST_LOG_LEVELS, pathOf, useJsonLogger, type AppLogLevel } from './json-logger';
export { MetricsController, METRICS_REGISTRY } from './metrics.controller';
export { MetricsModule } from './metrics.module';
export { createMetricsRegistry, readCounter, readGauge, type Reading } from './registry';
