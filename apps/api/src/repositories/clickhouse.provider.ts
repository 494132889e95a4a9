import type { FactoryProvider } from '@nestjs/common';
import { createClickHouseClient, runMigrations, type ClickHouseClient } from '@warroom/clickhouse';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** DI token of the one ClickHouse client a process uses. Only repositories inject it. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

/**
 * Runs the numbered migrations (creating the database if needed) before any repository uses the client;
 * a store that cannot be reached fails the start with its URL in the message.
 */
export const clickHouseProvider: FactoryProvider<Promise<ClickHouseClient>> = {
  provide: CLICKHOUSE,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig) => {
    const { url, database, username, password, tls } = config.clickhouse;
    // Migrations run before the database exists, so through a client that names none.
    const bootstrap = createClickHouseClient({ url, username, password, tls });
    try {
      await runMigrations(bootstrap, { database });
    } catch (error) {
      throw new Error(`ClickHouse at ${url}: ${(error as Error).message}`, { cause: error });
    } finally {
      await bootstrap.close();
    }
    return createClickHouseClient({ url, database, username, password, tls });
  },
};
