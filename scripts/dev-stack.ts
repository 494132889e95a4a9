/**
 * Starts the whole system on the embedded default (see README): dev broker, dev store, ingest and api
 * as separate processes, and the simulator driving them. Ctrl-C stops everything, newest first.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { startAppProcess, type AppProcess } from '../infra/dev/app-process';
import { startDevBroker } from '../infra/dev/broker/launch';
import { startDevStore } from '../infra/dev/store/launch';

const ROOT = resolve(__dirname, '..');
const STORE_DIR = resolve(ROOT, '.data/dev-store');

interface Stoppable {
  name: string;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const started: Stoppable[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.error('\nStopping warroom…');
      for (const part of started.reverse()) {
        await part.stop().catch((error: unknown) => console.error(`${part.name}: ${(error as Error).message}`));
      }
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const broker = await startDevBroker();
    started.push({ name: 'dev broker', stop: () => broker.stop() });
    console.error(`dev broker (Kafka protocol) at ${broker.brokers}`);

    // The dev broker keeps nothing across restarts, and its offsets start again at 0: a store that kept
    // rows from a previous run would make ingest skip the new offsets as already stored. Start both fresh.
    rmSync(STORE_DIR, { recursive: true, force: true });
    mkdirSync(STORE_DIR, { recursive: true });
    const store = await startDevStore({ dataDir: STORE_DIR });
    started.push({ name: 'dev store', stop: () => store.stop() });
    console.error(`dev store (ClickHouse HTTP) at ${store.url}`);

    const kioskToken = randomBytes(18).toString('base64url');
    const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, WALL_KIOSK_TOKEN: kioskToken };
    const keep = (app: AppProcess, name: string): AppProcess => {
      started.push({ name, stop: () => app.stop() });
      void app.exited.then((code) => {
        if (!stopping) {
          console.error(`${name} exited unexpectedly (code ${code})`);
          void stopAll(1);
        }
      });
      return app;
    };
    keep(await startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', PORT: '0' } }), 'ingest');
    const api = keep(
      await startAppProcess({
        name: 'api',
        entry: 'apps/api/src/main.ts',
        env: { ...common, WARROOM_ROLES: 'api', PORT: process.env.PORT ?? '3000', HOST: process.env.HOST ?? '127.0.0.1' },
      }),
      'api',
    );
    keep(
      await startAppProcess({
        name: 'sim',
        entry: 'apps/sim/src/main.ts',
        env: { KAFKA_BROKERS: broker.brokers, SIM_RATE: process.env.SIM_RATE ?? '40', SIM_SOURCE: 'rehearsal' },
      }),
      'sim',
    );

    const wall = `${api.url}/wall?token=${kioskToken}&source=rehearsal`;
    console.log(`\n  warroom is running. The wall: ${wall}\n  (Ctrl-C stops everything)\n`);
  } catch (error) {
    console.error(`warroom could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
