/**
 * Starts the whole system on the embedded default (see README): dev broker, dev store, ingest, api and
 * the bot as separate processes, and the simulator's customers talking to the bot (a rehearsal of the
 * double11 curve, looping, at a rate a 2-core laptop carries). Ctrl-C stops everything, newest first.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SimReady } from '@warroom/contracts';
import { oneTimePasswordIn } from '../apps/api/src/auth/first-admin';
import { startAppProcess, type AppProcess } from '../infra/dev/app-process';
import { startDevBroker } from '../infra/dev/broker/launch';
import { freePort } from '../infra/dev/ports';
import { startDevStore } from '../infra/dev/store/launch';
import { setUpDevUsers } from './dev-users';
import { registerRehearsalCampaign, simReady } from './rehearsal-campaign';

const ROOT = resolve(__dirname, '..');
const STORE_DIR = resolve(ROOT, '.data/dev-store');
const BOT_SPOOL_DIR = resolve(ROOT, '.data/dev-bot-spool');
/** The shops the bot answers for and the simulated customers write to. */
const SHOPS = 'demo-electronics,demo-home';

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
    // The simulator's campaign record is written with it (PUT /api/campaigns/:id).
    const serviceToken = randomBytes(24).toString('base64url');
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
    // The api asks the bot for patch previews and the bot loads the knowledge base from the api: the
    // bot's port is chosen first so each can be told the other's address.
    const botPort = await freePort();
    // Printed once by the api at its first start: the first admin's one-time password.
    let oneTimePassword: string | null = null;
    const api = keep(
      await startAppProcess({
        name: 'api',
        entry: 'apps/api/src/main.ts',
        onLog: (line) => {
          oneTimePassword ??= oneTimePasswordIn(line);
          process.stderr.write(`[api] ${line}\n`);
        },
        env: {
          ...common,
          WARROOM_ROLES: 'api',
          WARROOM_SESSION_SECRET: randomBytes(32).toString('base64url'),
          WARROOM_SERVICE_TOKEN: serviceToken,
          WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`,
          PORT: process.env.PORT ?? '3000',
          HOST: process.env.HOST ?? '127.0.0.1',
        },
      }),
      'api',
    );
    // Events the last bot spooled were meant for the last broker: start the spool fresh with the broker.
    rmSync(BOT_SPOOL_DIR, { recursive: true, force: true });
    const bot = keep(
      await startAppProcess({
        name: 'bot',
        entry: 'apps/bot/src/main.ts',
        env: {
          KAFKA_BROKERS: broker.brokers,
          PORT: String(botPort),
          BOT_SHOP_IDS: SHOPS,
          BOT_SOURCE: 'rehearsal',
          BOT_SPOOL_DIR,
          BOT_KB_API_URL: api.url ?? '',
          BOT_KB_API_TOKEN: serviceToken,
          LOG_LEVEL: 'warn',
        },
      }),
      'bot',
    );
    // A night of 11.11 played an hour per real minute, over and over: ~12 questions/s, ~40/s in the rush.
    let ready: SimReady | null = null;
    keep(
      await startAppProcess({
        name: 'sim',
        entry: 'apps/sim/src/main.ts',
        onLog: (line) => {
          ready ??= simReady(line);
          process.stderr.write(`[sim] ${line}\n`);
        },
        env: {
          SIM_BOT_URL: bot.url ?? '',
          // The sim stores its agents' roster there, so the wall's agents needed now shows who is on shift.
          SIM_API_URL: api.url ?? '',
          SIM_SERVICE_TOKEN: serviceToken,
          SIM_SHOPS: SHOPS,
          SIM_PROFILE: process.env.SIM_PROFILE ?? 'double11',
          SIM_SPEED: process.env.SIM_SPEED ?? '60',
          SIM_LOOP: 'true',
          SIM_SOURCE: 'rehearsal',
          SIM_PROGRESS_EVERY: process.env.SIM_PROGRESS_EVERY ?? '30',
        },
      }),
      'sim',
    );
    if (ready && api.url) {
      const started = ready;
      await registerRehearsalCampaign(api.url, serviceToken, started).then(
        (summary) => console.error(`rehearsal campaign: ${summary}`),
        // The wall still runs without it (it says "no campaign running"); say why, loudly.
        (error: unknown) => console.error(`rehearsal campaign NOT registered: ${(error as Error).message}`),
      );
    }

    const wall = `${api.url}/wall?token=${kioskToken}&source=rehearsal`;
    const users = await setUpDevUsers(api.url ?? '', oneTimePassword, process.env.NODE_ENV === 'production').catch(
      (error: unknown) => [`  demo users NOT created: ${(error as Error).message}`],
    );
    console.log(`\n  warroom is running. The wall: ${wall}\n${users.join('\n')}\n  (Ctrl-C stops everything)\n`);
  } catch (error) {
    console.error(`warroom could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
