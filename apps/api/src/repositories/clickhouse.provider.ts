import type { FactoryProvider } from '@nestjs/common';
import { createClickHouseClient, runMigrations, verifyMigrations, type ClickHouseClient } from '@warroom/clickhouse';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/** DI token of the one ClickHouse client a process uses. Only repositories inject it. */
export const CLICKHOUSE = Symbol('CLICKHOUSE');

/**
 * Before any repository uses the client: with CLICKHOUSE_SCHEMA=migrate (one machine) runs the numbered
 * migrations, creating the database if needed, ON CLUSTER when CLICKHOUSE_CLUSTER is set; with `verify`
 * (a deployment whose apps hold no DDL rights) only checks that `npm run migrate` applied them all. A store
 * that cannot be reached fails the start with its URL in the message.
 */
export const clickHouseProvider: FactoryProvider<Promise<ClickHouseClient>> = {
  provide: CLICKHOUSE,
  inject: [APP_CONFIG],
  useFactory: async (config: AppConfig) => {
    const { url, database, username, password, tls, cluster, schema } = config.clickhouse;
    // Migrations run before the database exists, so through a client that names none.
    const bootstrap = createClickHouseClient({ url, username, password, tls });
    try {
      if (schema === 'verify') await verifyMigrations(bootstrap, { database });
      else await runMigrations(bootstrap, { database, ...(cluster === null ? {} : { cluster }) });
    } catch (error) {
      throw new Error(`ClickHouse at ${url}: ${(error as Error).message}`, { cause: error });
    } finally {
      await bootstrap.close();
    }
    return createClickHouseClient({ url, database, username, password, tls });
  },
};
