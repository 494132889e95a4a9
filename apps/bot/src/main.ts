import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { WsAdapter } from '@nestjs/platform-ws';
import { ConfigError, parseBotConfig, type BotConfig } from '@warroom/contracts';
import { AppModule } from './app.module';
import { KnowledgeBase, KnowledgeBaseError } from './knowledge/knowledge-base';
import { loadKnowledgeBase } from './knowledge/load-knowledge';
import { matcherAdapterFactory } from './knowledge/matcher-adapter';
import { readPackFiles } from './repositories/pack-files';

const LOG_LEVELS = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'],
} as const;

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

async function bootstrap(): Promise<void> {
  const config: BotConfig = loadOrExit(() => parseBotConfig(process.env));
  const knowledgeBase: KnowledgeBase = loadOrExit(() =>
    loadKnowledgeBase(readPackFiles(config.packDir), config.shops, matcherAdapterFactory(config.matching)),
  );
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, knowledgeBase), {
    logger: [...LOG_LEVELS[config.logLevel]],
  });
  app.disable('x-powered-by');
  // Replies are never cached; hashing each one for an ETag is wasted work at thousands per second.
  app.set('etag', false);
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
