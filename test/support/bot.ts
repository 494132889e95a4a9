/**
 * The bot as the tests run it: a process of its own on the test's broker, loading the knowledge base from
 * the test's api with the service token, and spooling into a directory of its own.
 */
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';

export interface TestBotOptions {
  brokers: string;
  port: number;
  apiUrl: string;
  serviceToken: string;
  /** BOT_CAMPAIGN_ID, and the name of its spool directory under .data/. */
  campaignId: string;
  /** BOT_SHOP_IDS; default the two demo shops. */
  shops?: string;
  /** BOT_SERVICE_TOKENS (the api's WARROOM_BOT_TOKEN among them); default none: the internal routes open. */
  serviceTokens?: string[];
  /** BOT_ID: the name a router in front of several bots routes by. */
  botId?: string;
}

export function startTestBot(options: TestBotOptions): Promise<AppProcess> {
  return startAppProcess({
    name: 'bot',
    entry: 'apps/bot/src/main.ts',
    env: {
      KAFKA_BROKERS: options.brokers,
      PORT: String(options.port),
      BOT_SHOP_IDS: options.shops ?? 'demo-electronics,demo-home',
      BOT_KB_API_URL: options.apiUrl,
      BOT_KB_API_TOKEN: options.serviceToken,
      BOT_SPOOL_DIR: `.data/test-${options.campaignId}-spool-${options.port}`,
      BOT_CAMPAIGN_ID: options.campaignId,
      LOG_LEVEL: 'warn',
      ...(options.serviceTokens ? { BOT_SERVICE_TOKENS: options.serviceTokens.join(',') } : {}),
      ...(options.botId ? { BOT_ID: options.botId } : {}),
    },
  });
}
