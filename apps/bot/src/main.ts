import 'reflect-metadata';
import { Logger, Module, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { BOT_MAX_BODY_BYTES } from '@warroom/contracts';
import { checkTopicsAtStartOrExit } from '@warroom/kafka';
import { createMetricsRegistry, jsonLoggerModule, MetricsModule, NEST_LOG_LEVELS, useJsonLogger } from '@warroom/observability';
import type { Registry } from 'prom-client';
import { AppModule } from './app.module';
import { refuseOversizedBodiesBeforeReading } from './common/oversized-body';
import { ConfigError, parseBotConfig, type BotConfig } from './config/bot-config';
import { KbReplica } from './knowledge/kb-replica';
import { replicaGate } from './knowledge/replica-gate';
import { KnowledgeBase, KnowledgeBaseError } from './knowledge/knowledge-base';
import { loadPacks } from './knowledge/load-knowledge';
import { matcherAdapterFactory } from './knowledge/matcher-adapter';
import { AnswerMetricsInterceptor, registerBotMetrics } from './metrics/bot-metrics';
import { outreachRulesOf } from './outreach/rules-from-packs';
import { KbStateRepository } from './repositories/kb-state.repository';

/** Configuration and packs are checked before anything starts; either failing exits 2 naming every problem. */
function loadOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof KnowledgeBaseError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

@Module({})
class BotProcessModule {
  /** The bot, `GET /metrics`, and in JSON mode the pino logger. */
  static forRoot(app: DynamicModule, config: BotConfig, registry: Registry): DynamicModule {
    return {
      module: BotProcessModule,
      imports: [app, MetricsModule.forRoot(registry), ...(config.logFormat === 'json' ? [jsonLoggerModule(config.logLevel, 'bot')] : [])],
    };
  }
}

async function bootstrap(): Promise<void> {
  const config: BotConfig = loadOrExit(() => parseBotConfig(process.env));
  const topics = await checkTopicsAtStartOrExit({ brokers: config.kafka.brokers, clientId: config.kafka.clientId, security: config.kafka.security });
  const kbState = new KbStateRepository(config);
  const state = await kbState.load();
  const packs = loadOrExit(() => loadPacks(state.packFiles));
  const createMatcher = matcherAdapterFactory(config.matching);
  const knowledgeBase = loadOrExit(() => KnowledgeBase.build(packs, config.shops, createMatcher));
  const replica = new KbReplica(packs, knowledgeBase, createMatcher, 0, replicaGate(config, state));
  replica.apply(state.proposals.map((entry) => ({ offset: entry.offset, timestampMs: entry.timestampMs, value: entry.proposal })));
  replica.skipTo(state.nextOffset);
  // Fastify, not Express: the bot answers thousands of questions a second on one event loop, and Express's
  // per-request cost is the larger share of each answer (bench:bot measures both throughput and p99).
  const registry = createMetricsRegistry('bot');
  const app = await NestFactory.create<NestFastifyApplication>(
    BotProcessModule.forRoot(AppModule.forRoot(config, replica, kbState, outreachRulesOf(packs, config.shops)), config, registry),
    new FastifyAdapter({ bodyLimit: BOT_MAX_BODY_BYTES }),
    { logger: [...NEST_LOG_LEVELS[config.logLevel]], bufferLogs: config.logFormat === 'json' },
  );
  if (config.logFormat === 'json') useJsonLogger(app);
  refuseOversizedBodiesBeforeReading(app.getHttpAdapter().getInstance(), BOT_MAX_BODY_BYTES);
  new Logger('Kafka').log(topics);
  app.useGlobalInterceptors(new AnswerMetricsInterceptor(registry));
  registerBotMetrics(registry, app);
  app.useWebSocketAdapter(new WsAdapter(app));
  app.enableShutdownHooks();
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  // One machine-readable line, so launchers and tests know where we listen.
  console.log(
    JSON.stringify({
      event: 'ready',
      url: `http://${config.http.host}:${port}`,
      shops: knowledgeBase.shopIds().map((shopId) => ({ shopId, ...knowledgeBase.stats(shopId) })),
    }),
  );
}

bootstrap().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
