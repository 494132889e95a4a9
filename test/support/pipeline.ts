/**
 * A real pipeline for a test file: the dev broker, a dev store on a fresh data directory, and ingest
 * processes started on demand (real processes, so a test can SIGKILL them).
 */
import { randomUUID } from 'node:crypto';
import { createClickHouseClient, type ClickHouseClient } from '@warroom/clickhouse';
import { deadLetterSchema, type DeadLetter } from '@warroom/contracts';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import type { Kafka, Producer } from 'kafkajs';
import { afterAll, beforeAll } from 'vitest';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { startDevBroker, type DevBroker } from '../../infra/dev/broker/launch';
import { startDevStore, type DevStore } from '../../infra/dev/store/launch';

export const DATABASE = 'warroom';
export const KIOSK_TOKEN = 'test-kiosk-token-0123456789';
export const SESSION_SECRET = 'test-session-secret-0123456789abcdef0123';

export interface Pipeline {
  broker: DevBroker;
  store: DevStore;
  kafka: Kafka;
  producer: Producer;
  /** Connected to the `warroom` database (exists once ingest or api has started). */
  clickhouse: ClickHouseClient;
  /** `onLog` receives every output line of the app (the first admin's one-time password, say). */
  startApp: (
    roles: 'ingest' | 'api' | 'ingest,api',
    env?: Record<string, string>,
    options?: { onLog?: (line: string) => void },
  ) => Promise<AppProcess>;
  produce: (messages: { key: string; value: Buffer | string }[]) => Promise<void>;
}

export function usePipeline(): () => Pipeline {
  let pipeline: Pipeline | undefined;
  const apps: AppProcess[] = [];
  beforeAll(async () => {
    const [broker, store] = await Promise.all([
      startDevBroker(),
      // A fresh temporary data directory, removed again by stop().
      startDevStore(),
    ]);
    const kafka = createKafka({ brokers: broker.brokers, clientId: 'test' });
    const producer = createProducer(kafka, { idempotent: true });
    await producer.connect();
    pipeline = {
      broker,
      store,
      kafka,
      producer,
      clickhouse: createClickHouseClient({ url: store.url, database: DATABASE }),
      startApp: async (roles, env = {}, options = {}) => {
        const app = await startAppProcess({
          name: roles,
          entry: 'apps/api/src/main.ts',
          env: {
            KAFKA_BROKERS: broker.brokers,
            CLICKHOUSE_URL: store.url,
            WARROOM_ROLES: roles,
            PORT: '0',
            WALL_KIOSK_TOKEN: KIOSK_TOKEN,
            WARROOM_SESSION_SECRET: SESSION_SECRET,
            LOG_LEVEL: 'warn',
            ...env,
          },
          onLog: (line) => {
            options.onLog?.(line);
            if (process.env.TEST_APP_LOGS) process.stderr.write(`[${roles}] ${line}\n`);
          },
        });
        apps.push(app);
        return app;
      },
      produce: async (messages) => {
        await sendBatch(producer, TOPICS.chatEvents.name, messages);
      },
    };
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    if (!pipeline) return;
    await pipeline.producer.disconnect();
    await pipeline.clickhouse.close();
    await Promise.all([pipeline.broker.stop(), pipeline.store.stop()]);
  });
  return () => {
    if (!pipeline) throw new Error('usePipeline(): only available inside tests and hooks');
    return pipeline;
  };
}

/** Polls until `check` returns true, or fails with `describe()`'s text after `timeoutMs`. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  describe: () => Promise<string> | string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(`Timed out after ${timeoutMs} ms: ${await describe()}`);
}

/** Rows stored and distinct event ids: the two numbers "exactly once" is checked with. */
export async function storedCounts(clickhouse: ClickHouseClient): Promise<{ rows: number; distinct: number }> {
  const result = await clickhouse.query({
    query: 'SELECT count() AS rows, uniqExact(event_id) AS distinct FROM chat_events',
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ rows: string; distinct: string }>();
  return { rows: Number(row?.rows ?? 0), distinct: Number(row?.distinct ?? 0) };
}

/**
 * Every dead letter on `chat.events.dlq`, read from its beginning until at least `expected` arrived, then a
 * second more so that a letter that should not be there shows too. Keyed by source position: the DLQ is
 * at-least-once, a retried batch may send a letter again.
 */
export async function readDeadLetters(kafka: Kafka, expected: number): Promise<DeadLetter[]> {
  const letters = new Map<string, DeadLetter>();
  const consumer = kafka.consumer({ groupId: `dlq-reader-${randomUUID()}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.chatEventsDlq.name, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ message }) => {
      const letter = deadLetterSchema.parse(JSON.parse(message.value?.toString() ?? 'null'));
      letters.set(`${letter.source.partition}/${letter.source.offset}`, letter);
      return Promise.resolve();
    },
  });
  await waitFor(() => Promise.resolve(letters.size >= expected), 60_000, () => `${letters.size} dead letters of ${expected}`);
  await new Promise((done) => setTimeout(done, 1_000));
  await consumer.disconnect();
  return [...letters.values()];
}
