import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import type { NextFunction, Request, Response } from 'express';
import { checkTopicsAtStartOrExit } from '@warroom/kafka';
import { createMetricsRegistry, jsonLoggerModule, MetricsModule, NEST_LOG_LEVELS, useJsonLogger } from '@warroom/observability';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { AppModule } from './app.module';
import { ConfigError, parseApiConfig, type ApiConfig } from './config/api-config';
import { registerApiMetrics } from './metrics/api-metrics';

/** Routes of the single-page web app: each serves index.html, the app routes by path. */
const WEB_ROUTES = new Set(['/', '/wall', '/trainer', '/agent', '/reports']);

function loadConfig(): ApiConfig {
  try {
    return parseApiConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

function serveWeb(app: NestExpressApplication, distDir: string): void {
  const root = resolve(distDir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`WEB_DIST_DIR ${root} has no index.html: build the web app first (npm run build:web)`);
  }
  app.useStaticAssets(root, { index: false });
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.method === 'GET' && WEB_ROUTES.has(request.path.replace(/\/+$/, '') || '/')) {
      response.sendFile(join(root, 'index.html'));
      return;
    }
    next();
  });
}

/**
 * Security headers on every answer, pages and API alike (helmet's defaults: no sniffing, no framing, no
 * referrer leaks…), and a content security policy that lets a page load only the web app's own files and
 * talk only to its own origin (WebSocket /live included): the wall hangs in a room full of visitors' phones
 * on the same network, and the pages show customers' questions. ECharts draws on a canvas and styles
 * through the CSSOM, which a policy without 'unsafe-inline' allows.
 */
function secureHeaders(app: NestExpressApplication): void {
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          fontSrc: ["'self'"],
          connectSrc: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
        },
      },
    }),
  );
}

@Module({})
class ApiProcessModule {
  /** The roles' modules, `GET /metrics`, and in JSON mode the pino logger. */
  static forRoot(config: ApiConfig, registry: Registry): DynamicModule {
    const roles = [...config.roles].join(',');
    return {
      module: ApiProcessModule,
      imports: [
        AppModule.forRoot(config),
        MetricsModule.forRoot(registry),
        ...(config.logFormat === 'json' ? [jsonLoggerModule(config.logLevel, `api:${roles}`)] : []),
      ],
    };
  }
}

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const topics = await checkTopicsAtStartOrExit({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, security: config.kafka.security });
  const registry = createMetricsRegistry(`api:${[...config.roles].join(',')}`);
  const app = await NestFactory.create<NestExpressApplication>(ApiProcessModule.forRoot(config, registry), {
    logger: [...NEST_LOG_LEVELS[config.logLevel]],
    bufferLogs: config.logFormat === 'json',
  });
  if (config.logFormat === 'json') useJsonLogger(app);
  new Logger('Kafka').log(topics);
  registerApiMetrics(registry, app, config);
  app.useWebSocketAdapter(new WsAdapter(app));
  // A campaign's plan (up to two weeks, a point a minute) is larger than Express's default 100 kB.
  app.useBodyParser('json', { limit: '4mb' });
  app.enableShutdownHooks();
  secureHeaders(app);
  if (config.roles.has('api')) serveWeb(app, config.web.distDir);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  // One machine-readable line, so launchers and tests know where we listen.
  console.log(JSON.stringify({ event: 'ready', roles: [...config.roles], url: `http://${config.http.host}:${port}` }));
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
