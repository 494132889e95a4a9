/**
 * The system under test for one scenario: the real dev broker and dev store, and the parts the scenario
 * needs (ingest, the api, the bot) as real processes, so that faults are real: SIGKILL, SIGSTOP. Each
 * scenario gets a system of its own, so one scenario's damage or retention budget never leaks into the next.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouseClient, type ClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import type { Admin, Kafka, Producer } from 'kafkajs';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { startDevBroker, type DevBroker } from '../../infra/dev/broker/launch';
import { freePort } from '../../infra/dev/ports';
import { startDevStore, type DevStore } from '../../infra/dev/store/launch';

export const DATABASE = 'warroom';
export const KIOSK_TOKEN = 'chaos-kiosk-token-0123456789';
const SESSION_SECRET = 'chaos-session-secret-0123456789abcdef0123';
/** Named here and passed to ingest, so the harness reads the same group's committed offsets. */
export const INGEST_GROUP_ID = 'warroom-ingest';
export const BOT_SHOPS = ['demo-electronics', 'demo-home'] as const;
const APP_LOG_LINES_KEPT = 40;
/**
 * Scenario 6 produces 1 MB messages on purpose: a produce request may be as large as a broker's default
 * message.max.bytes (1,048,588) allows, above libs/kafka's default, which keeps room for ordinary batches.
 */
const MAX_REQUEST_BYTES = 1_040_000;

export interface SystemOptions {
  api: boolean;
  bot: boolean;
  /** Every output line of the parts goes to our stderr (default: kept, and shown when a start fails). */
  appLogs: boolean;
  log: (line: string) => void;
  /** Receives the api's output lines. */
  onApiLine?: (line: string) => void;
  /** Variables added to ingest's environment (test:scale has its Kafka client log its assignments). */
  ingestEnv?: Record<string, string>;
  /** Receives ingest's output lines. */
  onIngestLine?: (line: string) => void;
}

/** A part that can die and come back on the same port (the api, the bot) or anywhere (ingest). */
export class RestartablePart {
  private process: AppProcess | null = null;
  private readonly tail: string[] = [];

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: Record<string, string>,
    private readonly appLogs: boolean,
    /** Sees every output line (the api's first start prints the first admin's one-time password). */
    private readonly onLine: (line: string) => void = () => undefined,
  ) {}

  get running(): AppProcess {
    if (!this.process) throw new Error(`${this.name} is not running`);
    return this.process;
  }

  get url(): string {
    const url = this.running.url;
    if (url === null) throw new Error(`${this.name} printed no url in its ready line`);
    return url;
  }

  async start(): Promise<void> {
    if (this.process) throw new Error(`${this.name} is already running`);
    this.process = await startAppProcess({
      name: this.name,
      entry: this.entry,
      env: this.env,
      readyTimeoutMs: 90_000,
      onLog: (line) => {
        this.tail.push(line);
        if (this.tail.length > APP_LOG_LINES_KEPT) this.tail.shift();
        if (this.appLogs) process.stderr.write(`[${this.name}] ${line}\n`);
        this.onLine(line);
      },
    });
  }

  /** kill -9: no chance to flush, commit or close anything. */
  async crash(): Promise<void> {
    await this.running.kill();
    this.process = null;
  }

  async stop(): Promise<void> {
    const running = this.process;
    this.process = null;
    await running?.stop();
  }

  /** The part's last output lines, for a failure's explanation. */
  lastLines(): string {
    return this.tail.join('\n');
  }
}

export interface System {
  broker: DevBroker;
  store: DevStore;
  kafka: Kafka;
  admin: Admin;
  producer: Producer;
  clickhouse: ClickHouseClient;
  ingest: RestartablePart;
  api: RestartablePart | null;
  bot: RestartablePart | null;
  produce(messages: { key: string; value: Buffer }[]): Promise<void>;
  /** The last output lines of every part, for a failed scenario's report. */
  explain(): string;
  stop(): Promise<void>;
}

export async function startSystem(options: SystemOptions): Promise<System> {
  const quiet = (): void => undefined;
  const [broker, store] = await Promise.all([
    startDevBroker({ onLog: options.appLogs ? undefined : quiet }),
    startDevStore({ onLog: options.appLogs ? undefined : quiet }),
  ]);
  const spoolDir = mkdtempSync(join(tmpdir(), 'warroom-chaos-spool-'));
  const common = { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, LOG_LEVEL: 'warn' };
  const ingest = new RestartablePart(
    'ingest',
    'apps/api/src/main.ts',
    { ...common, WARROOM_ROLES: 'ingest', PORT: '0', INGEST_GROUP_ID, ...options.ingestEnv },
    options.appLogs,
    options.onIngestLine,
  );
  const api = options.api
    ? new RestartablePart(
        'api',
        'apps/api/src/main.ts',
        {
          ...common,
          WARROOM_ROLES: 'api',
          // A fixed port: walls reconnect to the address they know.
          PORT: String(await freePort()),
          WALL_KIOSK_TOKEN: KIOSK_TOKEN,
          WARROOM_SESSION_SECRET: SESSION_SECRET,
          INGEST_GROUP_ID,
        },
        options.appLogs,
        options.onApiLine,
      )
    : null;
  const bot = options.bot
    ? new RestartablePart(
        'bot',
        'apps/bot/src/main.ts',
        {
          KAFKA_BROKERS: broker.brokers,
          PORT: String(await freePort()),
          BOT_SHOP_IDS: BOT_SHOPS.join(','),
          BOT_SPOOL_DIR: spoolDir,
          LOG_LEVEL: 'warn',
        },
        options.appLogs,
      )
    : null;
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'chaos' });
  const producer = createProducer(kafka, { idempotent: true });
  const admin = kafka.admin();
  const clickhouse = createClickHouseClient({ url: store.url, database: DATABASE });
  try {
    await Promise.all([producer.connect(), admin.connect()]);
    // Ingest first: it runs the migrations the api and the checks rely on.
    await ingest.start();
    await api?.start();
    await bot?.start();
  } catch (error) {
    options.log(explain());
    await stopAll();
    throw error;
  }
  options.log(`system up: broker ${broker.brokers}, store ${store.url}${api ? `, api ${api.url}` : ''}${bot ? `, bot ${bot.url}` : ''}`);

  function explain(): string {
    const parts = [ingest, api, bot].filter((part): part is RestartablePart => part !== null);
    return parts.map((part) => `--- ${part.name}, last lines ---\n${part.lastLines()}`).join('\n');
  }

  async function stopAll(): Promise<void> {
    // Newest first, and each part even if another failed to stop: a leftover process would skew the next scenario.
    const results = await Promise.allSettled([bot?.stop(), api?.stop(), ingest.stop()]);
    await Promise.allSettled([producer.disconnect(), admin.disconnect(), clickhouse.close()]);
    results.push(...(await Promise.allSettled([broker.stop(), store.stop()])));
    rmSync(spoolDir, { recursive: true, force: true });
    const failed = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failed.length > 0) throw new AggregateError(failed.map((result) => result.reason as unknown), 'the system did not stop cleanly');
  }

  return {
    broker,
    store,
    kafka,
    admin,
    producer,
    clickhouse,
    ingest,
    api,
    bot,
    produce: async (messages) => {
      await sendBatch(producer, TOPICS.chatEvents.name, messages, { maxRequestBytes: MAX_REQUEST_BYTES });
    },
    explain,
    stop: stopAll,
  };
}
