/**
 * Starts the whole system on the embedded default (see README): dev broker, dev store, ingest, api and
 * the bot as separate processes, and the simulator's customers talking to the bot (a rehearsal of the
 * double11 curve, looping, at a rate a 2-core laptop carries). Ctrl-C stops everything, newest first.
 *
 * A part that dies (the store, ingest, the api, the bot, the simulator) is restarted with back-off on the
 * same ports and data (infra/dev/supervisor.ts) while the others keep running, as a shop running the
 * embedded default on its night needs. The dev broker cannot be: it keeps nothing, so a new one would have
 * empty topics on new ports; its death stops the system with that said.
 *
 * `npm start -- --ingest 3 --api 2 --bot 2` runs several processes of an app (infra/dev/topology.ts): the
 * ingest processes share one consumer group; the api processes sit behind a proxy on the wall's address and
 * the bots behind a router that sends each customer's session to the same bot (infra/dev/proxies.ts), each
 * process supervised on its own. No flags: one process of each, no proxy, as before.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SimReady } from '@warroom/contracts';
import { oneTimePasswordIn } from '../apps/api/src/auth/first-admin';
import { describeExit, startAppProcess, type AppProcess } from '../infra/dev/app-process';
import { claimOwnership } from '../infra/dev/data-owner';
import { startDevBroker } from '../infra/dev/broker/launch';
import { freePort } from '../infra/dev/ports';
import { startDevStore } from '../infra/dev/store/launch';
import { startApiProxy, startBotRouter, type Upstream } from '../infra/dev/proxies';
import { supervise, type Supervised } from '../infra/dev/supervisor';
import { parseTopology, SINGLE_PROCESS, TopologyError, type Topology } from '../infra/dev/topology';
import { setUpDevUsers, type DevUsers } from './dev-users';
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
  let topology: Topology;
  try {
    topology = parseTopology(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof TopologyError)) throw error;
    console.error(`npm start: ${error.message}`);
    process.exit(2);
  }
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
    // Each service its own credential on the api, admitted only on its routes: the bot loads the knowledge
    // base with its own, the simulator writes its campaign record and roster with its own.
    const botApiToken = randomBytes(24).toString('base64url');
    const simApiToken = randomBytes(24).toString('base64url');
    // The bot's internal routes (the agents' desk, previews, orders) answer only these: the api's and the
    // simulator's own credentials, each allowed there and nowhere else.
    const apiBotToken = randomBytes(24).toString('base64url');
    const simBotToken = randomBytes(24).toString('base64url');
    // Generated once: a restarted api must accept the sessions its predecessor signed.
    const sessionSecret = randomBytes(32).toString('base64url');
    // Every bot signs and checks customers' session tokens with it, so any bot takes a session another issued.
    const customerSessionSecret = randomBytes(32).toString('base64url');
    // The deployment's kb.patches signing key (issue 17): the api processes sign with it, the bots verify its public half.
    const kbKeys = generateKeyPairSync('ed25519');
    const kbSigningKey = kbKeys.privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    const kbPublicKey = kbKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: storeUrl, CLICKHOUSE_PASSWORD: storePassword, WALL_KIOSK_TOKEN: kioskToken };
    // Every port is chosen before its part starts, so that a restarted part comes back where the others
    // (and the printed wall URL) expect it: the api polls ingest's and the bot's health, and asks the bot
    // for previews; the bot loads the knowledge base from the api.
    const host = process.env.HOST ?? '127.0.0.1';
    const ingestPorts = await freePorts(topology.ingest);
    const botPorts = await freePorts(topology.bot);
    // PORT=0 (any free port) is chosen here, so that a restarted api comes back on the same one; any other
    // value goes to the api as it is, to be validated there. With several api processes it is the proxy's.
    const apiPort = process.env.PORT === '0' ? String(await freePort()) : (process.env.PORT ?? '3000');
    const botUrls = botPorts.map((port) => `http://127.0.0.1:${port}`);
    // Several bots: the simulator's customers (and the walls' status strip) reach them through the router,
    // which routes by session id; its port is chosen now because the api is told it before it starts.
    const botRouterPort = topology.bot > 1 ? await freePort() : null;
    const botEntryUrl = botRouterPort === null ? botUrls[0]! : `http://127.0.0.1:${botRouterPort}`;

    // One consumer group: the ingest processes share the partitions.
    const ingests = await superviseReplicas('ingest', ingestPorts, (name, port) =>
      startAppProcess({ name, entry: 'apps/api/src/main.ts', env: { ...common, WARROOM_ROLES: 'ingest', PORT: String(port) } }),
    );
    started.push(...ingests);
    // Printed once by the api at its first start: the first admin's one-time password. A restarted api finds
    // the admin in the store and prints none, so the first one is kept. The api processes start one after the
    // other, so only the first creates the admin.
    let oneTimePassword: string | null = null;
    const apiPorts = topology.api > 1 ? await freePorts(topology.api) : [Number(apiPort)];
    const apis = await superviseReplicas('api', apiPorts, (name, port) =>
      startAppProcess({
        name,
        entry: 'apps/api/src/main.ts',
        onLog: (line) => {
          oneTimePassword ??= oneTimePasswordIn(line);
          process.stderr.write(`[${name}] ${line}\n`);
        },
        env: {
          ...common,
          WARROOM_ROLES: 'api',
          WARROOM_SESSION_SECRET: sessionSecret,
          KB_SIGNING_KEY: kbSigningKey,
          WARROOM_SERVICE_CREDENTIALS: `bot=${botApiToken},simulator=${simApiToken}`,
          // Each bot's own address: the api reads every bot's handoff queue and finds the bot holding a session.
          ...(topology.bot > 1 ? { WARROOM_BOT_URLS: botUrls.join(',') } : { WARROOM_BOT_URL: botUrls[0]! }),
          WARROOM_BOT_TOKEN: apiBotToken,
          // The walls' status strip: where the api asks ingest and the bot how they are (the first ingest, and
          // with several bots whichever the router reaches).
          HEALTH_INGEST_URL: `http://127.0.0.1:${ingestPorts[0]!}/health/ingest`,
          HEALTH_BOT_URL: `${botEntryUrl}/health`,
          PORT: String(port),
          // Behind the proxy, the api processes listen on loopback only; the proxy on HOST.
          HOST: topology.api > 1 ? '127.0.0.1' : host,
        },
      }),
    );
    started.push(...apis);
    let apiUrl = apis[0]!.current()?.url ?? `http://${host}:${apiPort}`;
    if (topology.api > 1) {
      const apiProxy = await startApiProxy({ host, port: Number(apiPort), upstreams: () => upstreamsOf(apis) });
      started.push(apiProxy);
      apiUrl = apiProxy.url;
    }
    // Events the last bots spooled were meant for the last broker: start the spools fresh with the broker.
    // Only here, never on a restart: a restarted bot sends what its predecessor spooled.
    rmSync(BOT_SPOOL_DIR, { recursive: true, force: true });
    const bots = await superviseReplicas('bot', botPorts, (name, port) =>
      startAppProcess({
        name,
        entry: 'apps/bot/src/main.ts',
        env: {
          KAFKA_BROKERS: broker.brokers,
          PORT: String(port),
          BOT_SHOP_IDS: SHOPS,
          BOT_SOURCE: 'rehearsal',
          // Each bot its own spool: a spool is one process's write-ahead log.
          BOT_SPOOL_DIR: topology.bot > 1 ? resolve(BOT_SPOOL_DIR, name) : BOT_SPOOL_DIR,
          // The router's name for it: the bots adopt a dead bot's queued customers as the router moves them.
          BOT_ID: name,
          BOT_KB_API_URL: apiUrl,
          BOT_KB_API_TOKEN: botApiToken,
          BOT_SERVICE_TOKENS: `${apiBotToken},${simBotToken}`,
          BOT_KB_PUBLIC_KEYS: kbPublicKey,
          BOT_CUSTOMER_SESSION_SECRET: customerSessionSecret,
          LOG_LEVEL: 'warn',
        },
      }),
    );
    started.push(...bots);
    if (botRouterPort !== null) {
      started.push(await startBotRouter({ host: '127.0.0.1', port: botRouterPort, upstreams: () => upstreamsOf(bots) }));
    }
    if (topology.ingest + topology.api + topology.bot > SINGLE_PROCESS.ingest + SINGLE_PROCESS.api + SINGLE_PROCESS.bot) {
      console.error(
        `topology: ${topology.ingest} ingest (one consumer group), ${topology.api} api` +
          `${topology.api > 1 ? ` behind the proxy at ${apiUrl}` : ''}, ${topology.bot} bot${topology.bot > 1 ? `s behind the session router at ${botEntryUrl}` : ''}`,
      );
    }
    // The demo users exist before the simulator starts: its trainers sign in as them (SIM_TRAINERS).
    const users = await setUpDevUsers(apiUrl, oneTimePassword, process.env.NODE_ENV === 'production').catch(
      (error: unknown): DevUsers => ({ lines: [`  demo users NOT created: ${(error as Error).message}`], trainerLogins: [] }),
    );
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
          SIM_BOT_URL: botRouterPort === null ? (bots[0]!.current()?.url ?? botEntryUrl) : botEntryUrl,
          // The sim stores its agents' roster there, so the wall's agents needed now shows who is on shift.
          SIM_API_URL: apiUrl,
          SIM_SERVICE_TOKEN: simApiToken,
          SIM_BOT_TOKEN: simBotToken,
          SIM_SHOPS: SHOPS,
          SIM_PROFILE: process.env.SIM_PROFILE ?? 'double11',
          SIM_SPEED: process.env.SIM_SPEED ?? '60',
          SIM_LOOP: 'true',
          SIM_SOURCE: 'rehearsal',
          SIM_PROGRESS_EVERY: process.env.SIM_PROGRESS_EVERY ?? '30',
          // The demo trainers and lead close gaps as the night goes (SIM_TRAINERS= turns them off).
          ...(users.trainerLogins.length > 0 ? { SIM_TRAINERS: process.env.SIM_TRAINERS ?? users.trainerLogins.join(',') } : {}),
        },
      });
      if (ready) {
        await registerRehearsalCampaign(apiUrl, simApiToken, ready).then(
          (summary) => console.error(`rehearsal campaign: ${summary}`),
          // The wall still runs without it (it says "no campaign running"); say why, loudly.
          (error: unknown) => console.error(`rehearsal campaign NOT registered: ${(error as Error).message}`),
        );
      }
      return sim;
    };
    started.push(await supervise({ name: 'sim', start: startSim }));

    const wall = `${apiUrl}/wall?token=${kioskToken}&source=rehearsal`;
    console.log(`\n  warroom is running. The wall: ${wall}\n${users.lines.join('\n')}\n  (Ctrl-C stops everything)\n`);
  } catch (error) {
    console.error(`warroom could not start: ${(error as Error).message}`);
    await stopAll(1);
  }
}

/** Free ports, one per process. */
async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i += 1) ports.push(await freePort());
  return ports;
}

/**
 * One supervised process per port, started one after the other: `name` alone for one process (today's
 * names in every log line), `name-1`, `name-2`… for several.
 */
async function superviseReplicas(
  app: string,
  ports: number[],
  start: (name: string, port: number) => Promise<AppProcess>,
): Promise<Supervised<AppProcess>[]> {
  const replicas: Supervised<AppProcess>[] = [];
  for (const [index, port] of ports.entries()) {
    const name = ports.length === 1 ? app : `${app}-${index + 1}`;
    replicas.push(await supervise({ name, start: () => start(name, port) }));
  }
  return replicas;
}

/** The processes behind a proxy as it sees them at each request: a restarting one has no address. */
function upstreamsOf(replicas: Supervised<AppProcess>[]): Upstream[] {
  return replicas.map((replica) => ({ name: replica.name, url: replica.current()?.url ?? null }));
}

void main();
