/**
 * One dev store per test file, on a fresh temporary data directory, stopped (and its directory
 * removed) after the file. Call useDevStore() at the top level of a test file.
 *
 * If the store cannot start: with CI set (CI=true), every test of the file fails with the
 * store's own explanation; elsewhere each test is skipped with that reason, visibly.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createClickHouseClient, type ClickHouseClient, type ClickHouseClientOptions } from '@warroom/clickhouse';
import { startDevStore, type DevStore, type StartDevStoreOptions } from '../../infra/dev/store/launch';

export interface StoreFixture {
  /** The running store. Throws when read before beforeAll ran or after the store failed to start. */
  readonly store: DevStore;
  /** Its URL (CLICKHOUSE_URL). */
  readonly url: string;
  /** A client on the store; closed before the store stops. */
  client(options?: Omit<ClickHouseClientOptions, 'url'>): ClickHouseClient;
}

export function isCi(): boolean {
  const ci = process.env.CI;
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export function useDevStore(options: StartDevStoreOptions = {}): StoreFixture {
  let store: DevStore | undefined;
  let startError: Error | undefined;
  const clients: ClickHouseClient[] = [];

  beforeAll(async () => {
    try {
      store = await startDevStore({ onLog: () => undefined, ...options });
    } catch (error) {
      startError = error instanceof Error ? error : new Error(String(error));
      if (isCi()) throw startError;
      process.stderr.write(`dev store did not start; skipping this file's tests:\n${startError.message}\n`);
    }
  });

  beforeEach((context) => {
    if (startError === undefined) return;
    if (isCi()) throw startError;
    context.skip(`dev store did not start: ${startError.message.split('\n')[0] ?? ''}`);
  });

  afterAll(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await store?.stop();
  });

  const running = (): DevStore => {
    if (store === undefined) throw startError ?? new Error('the dev store is not started yet (use it inside tests or hooks)');
    return store;
  };

  return {
    get store(): DevStore {
      return running();
    },
    get url(): string {
      return running().url;
    },
    client(clientOptions: Omit<ClickHouseClientOptions, 'url'> = {}): ClickHouseClient {
      const client = createClickHouseClient({ ...clientOptions, url: running().url });
      clients.push(client);
      return client;
    },
  };
}
