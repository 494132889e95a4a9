/**
 * libs/kafka against a real Kafka-protocol broker (the dev broker, librdkafka's mock cluster):
 * topics, the controller patch, produce/consume with explicit commits, group resume, and the
 * retry rules of ConsumerRunner. One broker for the file; each test uses its own group and topic.
 */
import { afterEach, expect, it } from 'vitest';
import type { Admin, Kafka, KafkaMessage, Message } from 'kafkajs';
import {
  ALL_TOPICS,
  ConsumerRunner,
  NonRetriableError,
  TOPICS,
  commitThrough,
  createKafka,
  createProducer,
  ensureTopics,
  sendBatch,
  type ConsumerCrash,
  type KafkaLogLevel,
  type TopicSpec,
} from '@warroom/kafka';
import { describeWithDevBroker, useDevBroker } from '../support/broker';

const RESUME_TOPIC: TopicSpec = { name: 'test.resume', partitions: 8 };
const RETRY_TOPIC: TopicSpec = { name: 'test.retry', partitions: 4 };
const FATAL_TOPIC: TopicSpec = { name: 'test.fatal', partitions: 2 };

interface Received {
  readonly partition: number;
  readonly offset: string;
  readonly key: string;
  readonly seq: number;
}

describeWithDevBroker('kafka round trip on the dev broker', () => {
  const broker = useDevBroker({ extraTopics: [RESUME_TOPIC, RETRY_TOPIC, FATAL_TOPIC] });
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const kafka = (clientId: string, logLevel: KafkaLogLevel = 'error'): Kafka =>
    createKafka({ brokers: broker().brokers, clientId, logLevel });

  async function connectedAdmin(): Promise<Admin> {
    const admin = kafka('test-admin').admin();
    await admin.connect();
    cleanups.push(() => admin.disconnect());
    return admin;
  }

  /** Runs a consumer and stops it after the test even if an assertion fails first. */
  function track(runner: ConsumerRunner): ConsumerRunner {
    cleanups.push(() => runner.stop());
    return runner;
  }

  async function produce(topic: string, messages: readonly Message[], idempotent = false): Promise<void> {
    const producer = createProducer(kafka('test-producer'), { idempotent });
    await producer.connect();
    try {
      await sendBatch(producer, topic, messages);
    } finally {
      await producer.disconnect();
    }
  }

  it('ensureTopics finds the broker-created topics and names the ones it cannot create', async () => {
    const admin = await connectedAdmin();

    // Only works because main.ts patched controller_id: unpatched, the mock reports controller 0.
    const cluster = await admin.describeCluster();
    expect(cluster.controller).toBe(1);
    expect(cluster.brokers.map((b) => b.nodeId)).toContain(cluster.controller);

    const result = await ensureTopics(admin, [...ALL_TOPICS, RESUME_TOPIC]);
    expect(result.created).toEqual([]);
    expect([...result.existing].sort()).toEqual([...ALL_TOPICS, RESUME_TOPIC].map((t) => t.name).sort());

    const metadata = await admin.fetchTopicMetadata({ topics: ALL_TOPICS.map((t) => t.name) });
    const partitions = Object.fromEntries(metadata.topics.map((t) => [t.name, t.partitions.length]));
    expect(partitions).toEqual(Object.fromEntries(ALL_TOPICS.map((t) => [t.name, t.partitions])));

    // The mock has no CreateTopics: a topic nobody created must be a loud error, not a silent gap.
    await expect(ensureTopics(admin, [{ name: 'not.created', partitions: 3 }])).rejects.toThrow(
      /Kafka topics missing: not\.created \(3 partitions\)/,
    );
  });

  it('delivers 5,000 keyed messages exactly once, in order per key, with explicit commits', async () => {
    const topic = TOPICS.chatEvents.name;
    const keys = 200;
    const perKey = 25;
    const total = keys * perKey;
    // Interleaved (seq outer, key inner) so each key's messages span several produce requests.
    const messages: Message[] = [];
    for (let seq = 0; seq < perKey; seq += 1) {
      for (let k = 0; k < keys; k += 1) {
        const key = `session-${String(k).padStart(3, '0')}`;
        messages.push({ key, value: JSON.stringify({ key, seq, pad: 'x'.repeat(24) }) });
      }
    }

    const t0 = performance.now();
    // Idempotent: needs InitProducerId from the controller, so this also exercises the patch.
    await produce(topic, messages, true);
    const produced = performance.now();

    const received: Received[] = [];
    const runner = track(
      new ConsumerRunner(kafka('test-roundtrip'), {
        groupId: 'roundtrip',
        topics: [topic],
        eachBatch: async (payload) => {
          let last: string | undefined;
          for (const message of payload.batch.messages) {
            received.push(decode(payload.batch.partition, message));
            last = message.offset;
          }
          if (last !== undefined) await commitThrough(payload, last);
        },
      }),
    );
    await runner.start();
    const joined = performance.now();
    await waitFor(() => received.length >= total, 30_000, () => `${received.length}/${total} received`);
    const consumed = performance.now();
    // Anything delivered twice would arrive right behind the rest.
    await sleep(300);
    await runner.stop();
    console.info(
      `[timing] produce ${total} (idempotent): ${ms(produced - t0)}; consumer join: ${ms(joined - produced)}; ` +
        `consume after join: ${ms(consumed - joined)}`,
    );

    expect(received).toHaveLength(total);
    expect(new Set(received.map((r) => `${r.key}/${r.seq}`)).size).toBe(total);
    const byKey = groupBy(received, (r) => r.key);
    expect(byKey.size).toBe(keys);
    for (const [key, list] of byKey) {
      expect(new Set(list.map((r) => r.partition)).size, `${key} stays on one partition`).toBe(1);
      expect(list.map((r) => r.seq), `${key} in order`).toEqual(range(perKey));
    }
    for (const [partition, list] of groupBy(received, (r) => r.partition)) {
      expect(list.map((r) => Number(r.offset)), `partition ${partition} offsets`).toEqual(range(list.length));
    }

    const admin = await connectedAdmin();
    const [committed] = await admin.fetchOffsets({ groupId: 'roundtrip', topics: [topic] });
    const committedTotal = (committed?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(committedTotal).toBe(total);
  });

  it('a new consumer in the same group resumes exactly at the committed offsets', async () => {
    const topic = RESUME_TOPIC.name;
    const total = 1000;
    const stopAfter = 400;
    await produce(
      topic,
      range(total).map((i) => ({ key: `s-${i % 50}`, value: JSON.stringify({ key: `s-${i % 50}`, seq: i }) })),
    );

    const first: Received[] = [];
    const runnerA = track(
      new ConsumerRunner(kafka('test-resume-a'), {
        groupId: 'resume',
        topics: [topic],
        eachBatch: async (payload) => {
          let last: string | undefined;
          for (const message of payload.batch.messages) {
            // Simulates a process that is told to stop part-way: the rest stays unprocessed.
            if (first.length >= stopAfter) break;
            first.push(decode(payload.batch.partition, message));
            last = message.offset;
          }
          if (last !== undefined) await commitThrough(payload, last);
        },
      }),
    );
    await runnerA.start();
    await waitFor(() => first.length >= stopAfter, 30_000, () => `${first.length}/${stopAfter} by consumer A`);
    await runnerA.stop();

    const admin = await connectedAdmin();
    const [offsets] = await admin.fetchOffsets({ groupId: 'resume', topics: [topic] });
    const committed = new Map((offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    // What A processed per partition is a prefix, and exactly that prefix is committed.
    for (let partition = 0; partition < RESUME_TOPIC.partitions; partition += 1) {
      const count = first.filter((r) => r.partition === partition).length;
      expect(committed.get(partition), `partition ${partition}`).toBe(count === 0 ? -1 : count);
    }

    const second: Received[] = [];
    const t0 = performance.now();
    let firstMessageAt: number | undefined;
    const runnerB = track(
      new ConsumerRunner(kafka('test-resume-b'), {
        groupId: 'resume',
        topics: [topic],
        eachBatch: async (payload) => {
          firstMessageAt ??= performance.now();
          let last: string | undefined;
          for (const message of payload.batch.messages) {
            second.push(decode(payload.batch.partition, message));
            last = message.offset;
          }
          if (last !== undefined) await commitThrough(payload, last);
        },
      }),
    );
    await runnerB.start();
    await waitFor(() => first.length + second.length >= total, 30_000, () => `${first.length}+${second.length}/${total}`);
    await sleep(300);
    await runnerB.stop();
    console.info(`[timing] replacement consumer: first message ${ms((firstMessageAt ?? NaN) - t0)} after start()`);

    for (const [partition, list] of groupBy(second, (r) => r.partition)) {
      const resumeAt = Math.max(0, committed.get(partition) ?? 0);
      expect(Number(list[0]?.offset), `partition ${partition} resumes at its commit`).toBe(resumeAt);
    }
    const seen = [...first, ...second].map((r) => `${r.partition}@${r.offset}`);
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
  });

  it('retries a batch whose handler throws a retriable error, skipping nothing', async () => {
    const topic = RETRY_TOPIC.name;
    const total = 200;
    await produce(topic, range(total).map((i) => ({ key: `k-${i % 20}`, value: JSON.stringify({ key: `k-${i % 20}`, seq: i }) })));

    const done = new Set<string>();
    const failedBatches: string[] = [];
    const deliveries: string[] = [];
    const crashes: ConsumerCrash[] = [];
    const runner = track(
      new ConsumerRunner(kafka('test-retry', 'nothing'), {
        groupId: 'retry',
        topics: [topic],
        // Short back-off keeps the test fast; the rule under test is "same batch again".
        consumerConfig: { retry: { initialRetryTime: 50, retries: 5 } },
        onCrash: (crash) => crashes.push(crash),
        eachBatch: async (payload) => {
          const id = `${payload.batch.partition}@${payload.batch.firstOffset() ?? '?'}`;
          deliveries.push(id);
          if (failedBatches.length === 0) {
            failedBatches.push(id);
            throw new Error('ClickHouse unavailable (simulated)');
          }
          for (const message of payload.batch.messages) done.add(`${payload.batch.partition}@${message.offset}`);
          const last = payload.batch.lastOffset();
          await commitThrough(payload, last);
        },
      }),
    );
    await runner.start();
    await waitFor(() => done.size >= total, 30_000, () => `${done.size}/${total} processed`);
    await runner.stop();

    expect(done.size).toBe(total);
    // The failed batch came back from the same offset, instead of being skipped.
    expect(deliveries.filter((id) => id === failedBatches[0]).length).toBeGreaterThanOrEqual(2);
    expect(crashes).toEqual([]);
    expect(runner.state).toBe('stopped');
  });

  it('stops for good on a non-retriable error and commits nothing past it', async () => {
    const topic = FATAL_TOPIC.name;
    await produce(topic, range(20).map((i) => ({ key: `k-${i}`, value: JSON.stringify({ key: `k-${i}`, seq: i }) })));

    const crashes: ConsumerCrash[] = [];
    const deliveries: string[] = [];
    const runner = track(
      new ConsumerRunner(kafka('test-fatal', 'nothing'), {
        groupId: 'fatal',
        topics: [topic],
        onCrash: (crash) => crashes.push(crash),
        eachBatch: (payload) => {
          deliveries.push(`${payload.batch.partition}@${payload.batch.firstOffset() ?? '?'}`);
          return Promise.reject(new NonRetriableError('event schema v9 is unknown (simulated bug)'));
        },
      }),
    );
    await runner.start();
    await waitFor(() => runner.state === 'failed', 15_000, () => `state ${runner.state}`);
    // Let a wrongly scheduled retry or restart show up before asserting there was none.
    await sleep(500);

    // Both partitions' batches may be in flight when the first one fails, but none comes back.
    expect(deliveries.length).toBeGreaterThanOrEqual(1);
    expect(new Set(deliveries).size).toBe(deliveries.length);
    expect(crashes).toHaveLength(1);
    expect(crashes[0]?.restart).toBe(false);
    expect(runner.failure?.message).toMatch(/will not be retried/);
    const admin = await connectedAdmin();
    const [offsets] = await admin.fetchOffsets({ groupId: 'fatal', topics: [topic] });
    expect((offsets?.partitions ?? []).map((p) => p.offset)).toEqual(['-1', '-1']);
  });
});

function decode(partition: number, message: KafkaMessage): Received {
  const body = JSON.parse(message.value?.toString('utf8') ?? 'null') as { key: string; seq: number };
  expect(message.key?.toString('utf8')).toBe(body.key);
  return { partition, offset: message.offset, key: body.key, seq: body.seq };
}

function groupBy<T, K>(items: readonly T[], keyOf: (item: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function sleep(msToWait: number): Promise<void> {
  return new Promise((resolveSleep) => setTimeout(resolveSleep, msToWait));
}

async function waitFor(condition: () => boolean, timeoutMs: number, progress: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${progress()}`);
    await sleep(20);
  }
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}
