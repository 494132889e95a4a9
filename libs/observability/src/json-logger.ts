import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DynamicModule, INestApplication, LogLevel } from '@nestjs/common';
import { Logger, LoggerModule } from 'nestjs-pino';

/** The apps' LOG_LEVEL, Nest's names. */
export type AppLogLevel = 'error' | 'warn' | 'log' | 'debug';

/** Nest's levels an app logs at each LOG_LEVEL (the text logger's filter). */
export const NEST_LOG_LEVELS: Record<AppLogLevel, LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
};

const PINO_LEVELS: Record<AppLogLevel, 'error' | 'warn' | 'info' | 'debug'> = { error: 'error', warn: 'warn', log: 'info', debug: 'debug' };

/** Probes and scrapes come every few seconds and say nothing about a customer's request. */
const UNLOGGED_PATHS = /^\/(health|metrics)(\/|$)/;

/** The path of a request without its query string: a query may carry a token (the wall's `?token=`). */
export function pathOf(url: string | undefined): string {
  return (url ?? '').split('?', 1)[0] ?? '';
}

/**
 * JSON logs through pino (nestjs-pino): every Nest logger's line becomes one JSON object with its level
 * name, time, context and message. A request is logged only when it failed (4xx as warn, 5xx as error) or
 * at LOG_LEVEL=debug, as its method, path (no query string), status and duration: never a body, a header
 * (Authorization, cookies, the kiosk token), nor the answer.
 */
export function jsonLoggerModule(level: AppLogLevel, app: string): DynamicModule {
  return LoggerModule.forRoot({
    pinoHttp: {
      level: PINO_LEVELS[level],
      base: { app, pid: process.pid },
      formatters: { level: (label: string) => ({ level: label }) },
      messageKey: 'msg',
      autoLogging: { ignore: (request: IncomingMessage) => UNLOGGED_PATHS.test(pathOf(request.url)) },
      customLogLevel: (_request: IncomingMessage, response: ServerResponse, error: Error | undefined) =>
        error !== undefined || response.statusCode >= 500 ? 'error' : response.statusCode >= 400 ? 'warn' : 'debug',
      serializers: {
        req: (request: { id?: unknown; method?: string; url?: string }) => ({ id: request.id, method: request.method, path: pathOf(request.url) }),
        res: (response: { statusCode?: number }) => ({ statusCode: response.statusCode }),
      },
      // Only the serializers above reach the line; this also catches a header logged by hand.
      redact: { paths: ['req.headers', 'res.headers', 'headers.authorization', 'headers.cookie'], remove: true },
    },
  });
}

/** After NestFactory.create(…, { bufferLogs: true }): Nest's loggers, and what they buffered, go to pino. */
export function useJsonLogger(app: INestApplication): void {
  app.useLogger(app.get(Logger));
}
