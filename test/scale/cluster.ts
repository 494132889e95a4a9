/**
 * The serving side at scale for phases 2 and 3: the dev broker and dev store with one ingest (the chaos
 * system), three api processes and two bots, all real processes. Every api knows every bot
 * (`WARROOM_BOT_URLS`), and shares the session secret and kiosk token, so a token works on any of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateUserRequest } from '@warroom/contracts';
import { freePort } from '../../infra/dev/ports';
import { oneTimePasswordCatcher, setUpUsers } from '../support/http';
import type { ScenarioContext } from '../chaos/scenario';
import { BOT_SHOPS, INGEST_GROUP_ID, KIOSK_TOKEN, RestartablePart, startSystem, type System } from '../chaos/system';

export const API_PROCESSES = 3;
export const BOT_PROCESSES = 2;
const SESSION_SECRET = 'scale-session-secret-0123456789abcdef0123';
/** The apis' credential on the bots' agent routes. */
const BOT_TOKEN = 'scale-api-on-bot-token-0123456789';

export const TRAINERS = ['scale-trainer-1', 'scale-trainer-2'] as const;
export const AGENTS = ['scale-agent-1', 'scale-agent-2', 'scale-agent-3'] as const;
const USERS: Omit<CreateUserRequest, 'password'>[] = [
  ...TRAINERS.map((login, n) => ({ login, displayName: `训练师${n + 1}`, role: 'trainer' as const, grade: 'senior' as const })),
  ...AGENTS.map((login, n) => ({ login, displayName: `坐席${n + 1}`, role: 'agent' as const })),
];

export interface ServingCluster {
  system: System;
  apis: RestartablePart[];
  bots: RestartablePart[];
  /** Session tokens by login (valid on every api process). */
  tokens: Record<string, string>;
  explain(): string;
  stop(): Promise<void>;
}

export async function startServingCluster(context: ScenarioContext): Promise<ServingCluster> {
  const system = await startSystem({ api: false, bot: false, appLogs: context.appLogs, log: context.log });
  const spoolRoot = mkdtempSync(join(tmpdir(), 'warroom-scale-spool-'));
  const botPorts = await Promise.all(Array.from({ length: BOT_PROCESSES }, () => freePort()));
  const botUrls = botPorts.map((port) => `http://127.0.0.1:${port}`);
  const firstAdmin = oneTimePasswordCatcher();
  const apiPorts = await Promise.all(Array.from({ length: API_PROCESSES }, () => freePort()));
  const apis = apiPorts.map(
    (port, n) =>
      new RestartablePart(
        `api-${n + 1}`,
        'apps/api/src/main.ts',
        {
          KAFKA_BROKERS: system.broker.brokers,
          CLICKHOUSE_URL: system.store.url,
          LOG_LEVEL: 'warn',
          WARROOM_ROLES: 'api',
          PORT: String(port),
          WALL_KIOSK_TOKEN: KIOSK_TOKEN,
          WARROOM_SESSION_SECRET: SESSION_SECRET,
          INGEST_GROUP_ID,
          WARROOM_BOT_URLS: botUrls.join(','),
          WARROOM_BOT_TOKEN: BOT_TOKEN,
        },
        context.appLogs,
        n === 0 ? firstAdmin.onLog : undefined,
      ),
  );
  const bots = botPorts.map(
    (port, n) =>
      new RestartablePart(
        `bot-${n + 1}`,
        'apps/bot/src/main.ts',
        {
          KAFKA_BROKERS: system.broker.brokers,
          PORT: String(port),
          BOT_SHOP_IDS: BOT_SHOPS.join(','),
          BOT_SPOOL_DIR: join(spoolRoot, `bot-${n + 1}`),
          // The name customers are routed by: the bots adopt a dead one's customers as routing moves them.
          BOT_ID: `bot-${n + 1}`,
          BOT_SERVICE_TOKENS: BOT_TOKEN,
          LOG_LEVEL: 'warn',
        },
        context.appLogs,
      ),
  );
  const parts = [...apis, ...bots];
  const explain = (): string => [system.explain(), ...parts.map((part) => `--- ${part.name}, last lines ---\n${part.lastLines()}`)].join('\n');
  const stop = async (): Promise<void> => {
    await Promise.allSettled(parts.map((part) => part.stop()));
    rmSync(spoolRoot, { recursive: true, force: true });
    await system.stop();
  };
  try {
    // The first api alone: it creates the first admin, whom the others then find in the store.
    await apis[0]!.start();
    await Promise.all([...apis.slice(1), ...bots].map((part) => part.start()));
    const tokens = await setUpUsers(apis[0]!.url, firstAdmin.password(), USERS);
    context.log(`serving cluster up: apis ${apis.map((api) => api.url).join(' ')}, bots ${botUrls.join(' ')}`);
    return { system, apis, bots, tokens, explain, stop };
  } catch (error) {
    context.log(explain());
    await stop();
    throw error;
  }
}
