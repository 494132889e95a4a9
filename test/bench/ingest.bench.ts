/**
 * bench:ingest — how fast ingest drains a loaded topic into the dev store, against raw inserts of the same
 * rows into a second database migrated with the same migrations (so with the same materialized views),
 * measured in the same run:
 *
 * 1. the topic is loaded first (kafkajs through the dev broker), and only then ingest is started: its clock
 *    runs from its consumer's partition assignment until every event is stored, with the producer idle;
 * 2. the baseline inserts the same rows (same Kafka positions, read back from ingest's table), in the row
 *    format and with the settings ingest sends (ChatEventRepository.insertRows), in ingest's own INSERTs
 *    (rows grouped by their insert time, which one INSERT shares), one after another.
 *
 * CPU: ingest's process per event (/proc/<pid>/stat over its drain), and the store's during each side.
 * `--cpu-prof` profiles ingest (V8's sampling profiler, which slows it: its figures are then not the benchmark's)
 * and prints where its CPU went during the drain, by function and by module, on stderr.
 *
 *   npm run -s bench:ingest -- --events 200000 --json [--cpu-prof]
 *
 * Last line of stdout: {"events","seconds","eventsPerSec","rawInsertEventsPerSec","ratio","lost","duplicated",
 * "inserts","rowsPerInsert","rawSeconds","ingestCpuUsPerEvent","storeCpuMsIngest","storeCpuMsRaw","loadSeconds"}
 */
import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClickHouseClient, runMigrations } from '@warroom/clickhouse';
import type { ChatEvent } from '@warroom/contracts';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { z } from 'zod';
import { toChatEventRow, type ChatEventRow } from '../../apps/api/src/repositories/chat-event-row';
import { ChatEventRepository } from '../../apps/api/src/repositories/chat-event.repository';
import { TrafficGenerator } from '../../apps/sim/src/traffic';
import { startAppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';
import { percentile } from './campaign-shape';
import { summarizeProfile } from './cpu-profile';
import { processCpuMs } from './process-cpu';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '200000' },
    json: { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const log = (message: string): void => void process.stderr.write(`${message}\n`);

const DATABASE = 'warroom';
/** The baseline's database: the same migrations, so the same table, projection and materialized views. */
const RAW_DATABASE = 'warroom_raw';
const REPOSITORY_ROOT = resolve(__dirname, '../..');
/** How often the bench looks whether ingest is done: rarely enough that its count() barely queues before ingest's INSERTs. */
const POLL_MS = 200;

const storedRow = z.object({ at: z.coerce.number(), event_id: z.string(), kafka_partition: z.coerce.number(), kafka_offset: z.string() });

/** Monotonic microseconds, the clock of V8's CPU profiles. */
const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([startDevBroker(), startDevStore()]);
  const profileDir = values['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'warroom-ingest-prof-')) : null;
  const admin = createClickHouseClient({ url: store.url });
  const clickhouse = createClickHouseClient({ url: store.url, database: DATABASE });
  const raw = createClickHouseClient({ url: store.url, database: RAW_DATABASE });
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench' });
  const producer = createProducer(kafka);
  await producer.connect();
  let ingest: Awaited<ReturnType<typeof startAppProcess>> | null = null;
  try {
    await runMigrations(admin, { database: RAW_DATABASE });
    // Realistic events (questions with answers, handoffs, orders), generated before any clock starts.
    const generator = new TrafficGenerator({ shops: ['a', 'b', 'c'], source: 'live', campaignId: 'bench', seed: 1, runId: 'bench' });
    const events: ChatEvent[] = [];
    while (events.length < EVENTS) events.push(...generator.nextQuestion(new Date()));
    events.length = EVENTS;
    const messages = events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) }));

    // 1. Load the topic: four concurrent senders, done before ingest exists.
    const loadStarted = performance.now();
    const slices = 4;
    const size = Math.ceil(messages.length / slices);
    await Promise.all(
      Array.from({ length: slices }, async (_, s) => {
        const mine = messages.slice(s * size, (s + 1) * size);
        for (let i = 0; i < mine.length; i += 5_000) await sendBatch(producer, TOPICS.chatEvents.name, mine.slice(i, i + 5_000));
      }),
    );
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    log(`loaded ${messages.length} events in ${loadSeconds.toFixed(1)} s`);
    await producer.disconnect();

    // 2. Ingest drains it; its clock starts when its consumer is assigned the partitions.
    // The drain starts when ingest says it is ingesting: its consumer has joined the group and fetches (the
    // first join's "Assigned partitions" comes before ingest listens for it). That is before its ready line,
    // which hands back its pid: ingest's CPU is read as soon as the pid is known, the clock and the store's
    // CPU at the line itself.
    const drainStart: { at?: number; wallMs?: number; monotonicUs?: number; storeCpuMs?: number; ingestCpuMs?: number } = {};
    let ingestPid: number | null = null;
    ingest = await startAppProcess({
      name: 'ingest',
      entry: 'apps/api/src/main.ts',
      env: {
        KAFKA_BROKERS: broker.brokers,
        CLICKHOUSE_URL: store.url,
        WARROOM_ROLES: 'ingest',
        PORT: '0',
        LOG_LEVEL: 'log',
        // Node refuses --cpu-prof in NODE_OPTIONS: a preloaded module runs the same profiler.
        ...(profileDir
          ? { NODE_OPTIONS: `--require @swc-node/register --require ${resolve(__dirname, 'cpu-profile-preload.ts')}`, BENCH_CPU_PROFILE_DIR: profileDir }
          : {}),
      },
      onLog: (line) => {
        const plain = line.replace(/\x1b\[[0-9;]*m/g, '');
        if (drainStart.at === undefined && /Ingesting \S+ as group|Assigned partitions \d/.test(plain)) {
          drainStart.at = performance.now();
          drainStart.wallMs = Date.now();
          drainStart.monotonicUs = monotonicUs();
          drainStart.storeCpuMs = processCpuMs(store.pid);
          if (ingestPid !== null) drainStart.ingestCpuMs = processCpuMs(ingestPid);
        }
        // Ingest's health line (every 10 s) says where the time goes: rows per INSERT, time waited, INSERT time.
        if (/status=|WARN|ERROR|Assigned|Ingesting/.test(plain)) log(`[ingest] ${plain}`);
      },
    });
    ingestPid = ingest.pid;
    drainStart.ingestCpuMs ??= processCpuMs(ingestPid);
    let stored = 0;
    let lastReport = 0;
    const waitStarted = performance.now();
    for (;;) {
      const result = await clickhouse.query({ query: 'SELECT count() AS n FROM chat_events', format: 'JSONEachRow' });
      stored = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
      if (stored >= EVENTS) break;
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        log(`ingest: ${stored}/${EVENTS} stored (${Math.round((stored / EVENTS) * 100)} %)`);
      }
      if (performance.now() - waitStarted > 600_000) throw new Error(`only ${stored} of ${EVENTS} stored after 10 minutes`);
      await new Promise((done) => setTimeout(done, POLL_MS));
    }
    const drained = { at: performance.now(), monotonicUs: monotonicUs(), ingestCpuMs: processCpuMs(ingestPid), storeCpuMs: processCpuMs(store.pid) };
    const { at: startAt, wallMs: startWallMs, monotonicUs: startUs, storeCpuMs: startStoreCpuMs, ingestCpuMs: startIngestCpuMs } = drainStart;
    if (startAt === undefined || startWallMs === undefined || startUs === undefined || startStoreCpuMs === undefined || startIngestCpuMs === undefined) {
      throw new Error('ingest stored the events without saying it was ingesting');
    }
    const seconds = (drained.at - startAt) / 1000;
    const ingestCpuMs = drained.ingestCpuMs - startIngestCpuMs;
    const storeCpuMsIngest = drained.storeCpuMs - startStoreCpuMs;
    await ingest.stop();
    ingest = null;

    const check = await clickhouse.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS ids FROM chat_events', format: 'JSONEachRow' });
    const [counts] = await check.json<{ rows: string; ids: string }>();
    const rows = Number(counts?.rows ?? 0);
    const ids = Number(counts?.ids ?? 0);

    // 3. The baseline: ingest's INSERTs again, the same rows at the same Kafka positions, into the second database.
    const { batches, firstInsertAtMs } = await ingestBatches(clickhouse, events);
    const repository = new ChatEventRepository(raw);
    const rawStart = { at: performance.now(), storeCpuMs: processCpuMs(store.pid) };
    for (const [index, batch] of batches.entries()) await repository.insertRows(batch, `bench-raw-${index}`);
    const rawEnd = { at: performance.now(), storeCpuMs: processCpuMs(store.pid) };
    const rawSeconds = (rawEnd.at - rawStart.at) / 1000;
    const rawCheck = await raw.query({ query: 'SELECT count() AS rows FROM chat_events', format: 'JSONEachRow' });
    const rawRows = Number((await rawCheck.json<{ rows: string }>())[0]?.rows ?? 0);
    if (rawRows !== rows) throw new Error(`the baseline stored ${rawRows} rows, ingest ${rows}`);

    const sizes = batches.map((batch) => batch.length);
    // How the drain's start compares with ingest's first INSERT (negative: it began inserting before it said so).
    log(`ingest's first INSERT ${firstInsertAtMs - startWallMs} ms after the drain's start`);
    log(`ingest's INSERTs: ${sizes.length}, rows per INSERT p50 ${percentile(sizes, 50)}, p99 ${percentile(sizes, 99)}, max ${Math.max(...sizes)}`);
    const eventsPerSec = Math.round(EVENTS / seconds);
    const rawInsertEventsPerSec = Math.round(EVENTS / rawSeconds);
    const line = {
      events: EVENTS,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSec,
      rawInsertEventsPerSec,
      ratio: Math.round((eventsPerSec / rawInsertEventsPerSec) * 1000) / 1000,
      lost: EVENTS - ids,
      duplicated: rows - ids,
      inserts: sizes.length,
      rowsPerInsert: percentile(sizes, 50),
      rawSeconds: Math.round(rawSeconds * 100) / 100,
      ingestCpuUsPerEvent: Math.round((ingestCpuMs * 1000) / EVENTS),
      storeCpuMsIngest: Math.round(storeCpuMsIngest),
      storeCpuMsRaw: Math.round(rawEnd.storeCpuMs - rawStart.storeCpuMs),
      loadSeconds: Math.round(loadSeconds * 100) / 100,
      cpuProfiled: profileDir !== null,
    };
    if (profileDir) printProfile(profileDir, { fromUs: startUs, toUs: drained.monotonicUs });
    if (!values.json) log(`ingest ${eventsPerSec} events/s vs raw insert ${rawInsertEventsPerSec} events/s`);
    console.log(JSON.stringify(line));
  } finally {
    await ingest?.stop();
    await Promise.all([clickhouse.close(), raw.close(), admin.close()]);
    await Promise.all([broker.stop(), store.stop()]);
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  }
}

/**
 * Ingest's INSERTs, read back from its table: the rows of one INSERT share its insert time (`ingested_at`
 * defaults to now64() once per block, and each of ingest's INSERTs is one block), in the order they came.
 * Each becomes the rows ingest sent, at the Kafka positions it stored.
 */
async function ingestBatches(
  clickhouse: ReturnType<typeof createClickHouseClient>,
  events: ChatEvent[],
): Promise<{ batches: ChatEventRow[][]; firstInsertAtMs: number }> {
  const byId = new Map(events.map((event) => [event.eventId, event]));
  const result = await clickhouse.query({
    query: `SELECT toUnixTimestamp64Milli(ingested_at) AS at, event_id, kafka_partition, toString(kafka_offset) AS kafka_offset
            FROM chat_events ORDER BY ingested_at, kafka_partition, kafka_offset`,
    format: 'JSONEachRow',
  });
  const batches: ChatEventRow[][] = [];
  let batchAt: number | null = null;
  let firstInsertAtMs: number | null = null;
  for (const row of z.array(storedRow).parse(await result.json())) {
    const event = byId.get(row.event_id);
    if (!event) throw new Error(`ingest stored an event the bench did not send: ${row.event_id}`);
    if (row.at !== batchAt) {
      batches.push([]);
      batchAt = row.at;
      firstInsertAtMs ??= row.at;
    }
    batches.at(-1)!.push(toChatEventRow(event, { topic: TOPICS.chatEvents.name, partition: row.kafka_partition, offset: row.kafka_offset }));
  }
  if (firstInsertAtMs === null) throw new Error('ingest stored nothing');
  return { batches, firstInsertAtMs };
}

/** Where ingest's CPU went while it drained the topic (the profile is written when it exits). */
function printProfile(dir: string, window: { fromUs: number; toUs: number }): void {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`ingest wrote no CPU profile into ${dir}`);
  const summary = summarizeProfile(JSON.parse(readFileSync(join(dir, file), 'utf8')), window, REPOSITORY_ROOT);
  log(`ingest's CPU profile over the drain: ${summary.sampledMs} ms sampled`);
  log('  by module (self time):');
  for (const entry of summary.modules) log(`    ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.ms} ms  ${entry.name}`);
  log('  by function (self time):');
  for (const entry of summary.functions) log(`    ${(entry.share * 100).toFixed(1).padStart(5)} %  ${entry.ms} ms  ${entry.name}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
