/**
 * Starts the whole system on the embedded default (see README): dev broker, dev store, ingest, api and
 * the bot as separate processes, and the simulator's customers talking to the bot (a rehearsal of the
 * double11 curve, looping, at a rate a 2-core laptop carries). Ctrl-C stops everything, newest first.
 *
 * A part that dies (the store, ingest, the api, the bot, the simulator) is restarted with back-off on the
 * same ports and data (infra/dev/supervisor.ts) while the others keep running, as a shop running the
 * embedded default on its night needs. The dev broker cannot be: it keeps nothing, so a new one would have
 * empty topics on new ports; its death stops the system with that said.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SimReady } from '@warroom/contracts';
import { oneTimePasswordIn } from '../apps/api/src/auth/first-admin';
import { describeExit, startAppProcess, type AppProcess } from '../infra/dev/app-process';
import { claimOwnership } from '../infra/dev/data-owner';
import { startDevBroker } from '../infra/dev/broker/launch';
import { freePort } from '../infra/dev/ports';
import { startDevStore } from '../infra/dev/store/launch';
import { supervise } from '../infra/dev/supervisor';
import { setUpDevUsers } from './dev-users';
import { registerRehearsalCampaign, simReady } from './rehearsal-campaign';

const ROOT = resolve(__dirname, '..');
const STORE_DIR = resolve(ROOT, '.data/dev-store');
const BOT_SPOOL_DIR = resolve(ROOT, '.data/dev-bot-spool');
/**
 * The process id of the npm start that owns STORE_DIR and BOT_SPOOL_DIR while it runs: a second npm start in
 * the same checkout (a chaos run beside a developer's) would wipe them from under the first.
 */
const OWNER_FILE = resolve(ROOT, '.data/dev-stack.pid');
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
    mkdirSync(resolve(ROOT, '.data'), { recursive: true });
    claimOwnership(OWNER_FILE, `${STORE_DIR} and ${BOT_SPOOL_DIR} (another npm start in this checkout)`);
    const broker = await startDevBroker();
    started.push({ name: 'dev broker', stop: () => broker.stop() });
    console.error(`dev broker (Kafka protocol) at ${broker.brokers}`);
    void broker.exitStatus.then((exit) => {
      if (stopping) return;
      console.error(
        `dev broker exited unexpectedly (${describeExit(exit)}). It keeps nothing and a new one would listen on new ` +
          'ports with empty topics, so the other parts cannot carry on: warroom stops. Run npm start again.',
      );
      void stopAll(1);
    });

    // The dev broker keeps nothing across restarts, and its offsets start again at 0: a store that kept
    // rows from a previous run would make ingest skip the new offsets as already stored. Start both fresh.
    // Within one run the store is restarted on the same data directory and port, so nothing is lost and
    // ingest and the api find it where they were told it is.
    rmSync(STORE_DIR, { recursive: true, force: true });
    mkdirSync(STORE_DIR, { recursive: true });
    const storePort = await freePort();
    // Like a server's users.xml: another program on this machine (or a page that reached the port) cannot
    // read or change the store without it. Generated once, so a restarted store takes the same one.
    const storePassword = randomBytes(18).toString('base64url');
    const store = await supervise({ name: 'dev store', start: () => startDevStore({ dataDir: STORE_DIR, port: storePort, password: storePassword }) });
    started.push(store);
    const storeUrl = store.current()?.url ?? `http://127.0.0.1:${storePort}`;
    console.error(`dev store (ClickHouse HTTP) at ${storeUrl}`);

    const kioskToken = randomBytes(18).toString('base64url');
    // The simulator's campaign record is written with it (PUT /api/campaigns/:id).
    const serviceToken = randomBytes(24).toString('base64url');
    // The bot's internal routes (the agents' desk, previews, orders) answer only these: the api's and the
    // simulator's own credentials, each allowed there and nowhere else.
    const apiBotToken = randomBytes(24).toString('base64url');
    const simBotToken = randomBytes(24).toString('base64url');
    // Generated once: a restarted api must accept the sessions its predecessor signed.
    const sessionSecret = randomBytes(32).toString('base64url');
    const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: storeUrl, CLICKHOUSE_PASSWORD: storePassword, WALL_KIOSK_TOKEN: kioskToken };
    // Every port is chosen before its part starts, so that a restarted part comes back where the others
    // (and the printed wall URL) expect it: the api polls ingest's and the bot's health, and asks the bot
    // for previews; the bot loads the knowledge base from the api.
    const host = process.env.HOST ?? '127.0.0.1';
    const [ingestPort, botPort] = [await freePort(), await freePort()];
    // PORT=0 (any free port) is chosen here, so that a restarted api comes back on the same one; any other
    // value goes to the api as it is, to be validated there.
    const apiPort = process.env.PORT === '0' ? String(await freePort()) : (process.env.PORT ?? '3000');
    const botUrl = `http://127.0.0.1:${botPort}`;

    const ingest = await supervise({
      name: 'ingest',
      start: () =>
        startAppProcess({ name: 'ingest', entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', PORT: String(ingestPort) } }),
    });
    started.push(ingest);
    // Printed once by the api at its first start: the first admin's one-time password. A restarted api finds
    // the admin in the store and prints none, so the first one is kept.
    let oneTimePassword: string | null = null;
    const api = await supervise({
      name: 'api',
      start: () =>
        startAppProcess({
          name: 'api',
          entry: 'apps/api/src/main.ts',
          onLog: (line) => {
            oneTimePassword ??= oneTimePasswordIn(line);
            process.stderr.write(`[api] ${line}\n`);
          },
          env: {
            ...common,
            WARROOM_ROLES: 'api',
            WARROOM_SESSION_SECRET: sessionSecret,
            WARROOM_SERVICE_TOKEN: serviceToken,
            WARROOM_BOT_URL: botUrl,
            WARROOM_BOT_TOKEN: apiBotToken,
            // The walls' status strip: where the api asks ingest and the bot how they are.
            HEALTH_INGEST_URL: `http://127.0.0.1:${ingestPort}/health/ingest`,
            HEALTH_BOT_URL: `${botUrl}/health`,
            PORT: apiPort,
            HOST: host,
          },
        }),
    });
    started.push(api);
    const apiUrl = api.current()?.url ?? `http://${host}:${apiPort}`;
    // Events the last bot spooled were meant for the last broker: start the spool fresh with the broker.
    // Only here, never on a restart: a restarted bot sends what its predecessor spooled.
    rmSync(BOT_SPOOL_DIR, { recursive: true, force: true });
    const bot = await supervise({
      name: 'bot',
      start: () =>
        startAppProcess({
          name: 'bot',
          entry: 'apps/bot/src/main.ts',
          env: {
            KAFKA_BROKERS: broker.brokers,
            PORT: String(botPort),
            BOT_SHOP_IDS: SHOPS,
            BOT_SOURCE: 'rehearsal',
            BOT_SPOOL_DIR,
            BOT_KB_API_URL: apiUrl,
            BOT_KB_API_TOKEN: serviceToken,
            BOT_SERVICE_TOKENS: `${apiBotToken},${simBotToken}`,
            LOG_LEVEL: 'warn',
          },
        }),
    });
    started.push(bot);
    // A night of 11.11 played an hour per real minute, over and over: ~12 questions/s, ~40/s in the rush.
    // A restarted simulator begins its curve again, so each start registers the campaign anew from its own
    // ready line: the wall's countdown and plan follow the customers actually being played.
    const startSim = async (): Promise<AppProcess> => {
      let ready: SimReady | null = null;
      const sim = await startAppProcess({
        name: 'sim',
        entry: 'apps/sim/src/main.ts',
        onLog: (line) => {
          ready ??= simReady(line);
          process.stderr.write(`[sim] ${line}\n`);
        },
        env: {
          SIM_BOT_URL: bot.current()?.url ?? botUrl,
          // The sim stores its agents' roster there, so the wall's agents needed now shows who is on shift.
          SIM_API_URL: apiUrl,
          SIM_SERVICE_TOKEN: serviceToken,
          SIM_BOT_TOKEN: simBotToken,
          SIM_SHOPS: SHOPS,
          SIM_PROFILE: process.env.SIM_PROFILE ?? 'double11',
          SIM_SPEED: process.env.SIM_SPEED ?? '60',
          SIM_LOOP: 'true',
          SIM_SOURCE: 'rehearsal',
          SIM_PROGRESS_EVERY: process.env.SIM_PROGRESS_EVERY ?? '30',
        },
      });
      if (ready) {
        await registerRehearsalCampaign(apiUrl, serviceToken, ready).then(
          (summary) => console.error(`rehearsal campaign: ${summary}`),
          // The wall still runs without it (it says "no campaign running"); say why, loudly.
          (error: unknown) => console.error(`rehearsal campaign NOT registered: ${(error as Error).message}`),
        );
      }
      return sim;
    };
    started.push(await supervise({ name: 'sim', start: startSim }));

    const wall = `${apiUrl}/wall?token=${kioskToken}&source=rehearsal`;
    const users = await setUpDevUsers(apiUrl, oneTimePassword, process.env.NODE_ENV === 'production').catch(
      (error: unknown) => [`  demo users NOT created: ${(error as Error).message}`],
    );
    console.log(`\n  warroom is running. The wall: ${wall}\n${users.join('\n')}\n  (Ctrl-C stops everything)\n`);
  } catch (error) {
    console.error(`warroom could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
