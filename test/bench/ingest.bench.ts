/**
 * bench:ingest — events/s from kafkajs through the dev broker and ingest into the dev store, against
 * raw batch inserts of the same rows into a fresh table of the same store, measured in the same run.
 *
 *   npm run -s bench:ingest -- --events 200000 --json
 *
 * Last line of stdout: {"events","seconds","eventsPerSec","rawInsertEventsPerSec","ratio","lost","duplicated"}
 */
import { parseArgs } from 'node:util';
import { createClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createKafka, createProducer, sendBatch } from '@warroom/kafka';
import { CHAT_EVENT_COLUMNS, toChatEventRow, toCompactRow } from '../../apps/api/src/repositories/chat-event-row';
import { TrafficGenerator } from '../../apps/sim/src/traffic';
import { startAppProcess } from '../../infra/dev/app-process';
import { startDevBroker } from '../../infra/dev/broker/launch';
import { startDevStore } from '../../infra/dev/store/launch';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } },
});
const EVENTS = Number(values.events);
const log = (message: string): void => void process.stderr.write(`${message}\n`);

async function main(): Promise<void> {
  const [broker, store] = await Promise.all([
    startDevBroker(),
    startDevStore(),
  ]);
  const ingest = await startAppProcess({
    name: 'ingest',
    entry: 'apps/api/src/main.ts',
    env: { KAFKA_BROKERS: broker.brokers, CLICKHOUSE_URL: store.url, WARROOM_ROLES: 'ingest', PORT: '0', LOG_LEVEL: 'log' },
    // Ingest's health line (every 10 s) says where the time goes: rows per INSERT, time waited, INSERT time.
    onLog: (line) => {
      if (/status=|WARN|ERROR/.test(line)) log(`[ingest] ${line.replace(/\x1b\[[0-9;]*m/g, '')}`);
    },
  });
  const clickhouse = createClickHouseClient({ url: store.url, database: 'warroom' });
  const kafka = createKafka({ brokers: broker.brokers, clientId: 'bench' });
  const producer = createProducer(kafka);
  await producer.connect();
  try {
    // Realistic events (questions with answers, handoffs, orders), generated before the clock starts.
    const generator = new TrafficGenerator({ shops: ['a', 'b', 'c'], source: 'live', campaignId: 'bench', seed: 1, runId: 'bench' });
    const events = [];
    while (events.length < EVENTS) events.push(...generator.nextQuestion(new Date()));
    events.length = EVENTS;
    const messages = events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) }));

    const started = performance.now();
    // Four concurrent senders, so the producer side is not what is measured.
    const producing = (async () => {
      const slices = 4;
      const size = Math.ceil(messages.length / slices);
      await Promise.all(
        Array.from({ length: slices }, async (_, s) => {
          const mine = messages.slice(s * size, (s + 1) * size);
          for (let i = 0; i < mine.length; i += 5_000) await sendBatch(producer, TOPICS.chatEvents.name, mine.slice(i, i + 5_000));
        }),
      );
      log(`produced ${messages.length} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    })();
    let stored = 0;
    let lastReport = 0;
    for (;;) {
      const result = await clickhouse.query({ query: 'SELECT count() AS n FROM chat_events', format: 'JSONEachRow' });
      stored = Number((await result.json<{ n: string }>())[0]?.n ?? 0);
      if (stored >= EVENTS) break;
      if (performance.now() - lastReport > 2_000) {
        lastReport = performance.now();
        log(`ingest: ${stored}/${EVENTS} stored (${Math.round((stored / EVENTS) * 100)} %)`);
      }
      if (performance.now() - started > 600_000) throw new Error(`only ${stored} of ${EVENTS} stored after 10 minutes`);
      await new Promise((done) => setTimeout(done, 50));
    }
    await producing;
    const seconds = (performance.now() - started) / 1000;
    const check = await clickhouse.query({ query: 'SELECT count() AS rows, uniqExact(event_id) AS ids FROM chat_events', format: 'JSONEachRow' });
    const [counts] = await check.json<{ rows: string; ids: string }>();
    const rows = Number(counts?.rows ?? 0);
    const ids = Number(counts?.ids ?? 0);

    // Baseline: the same rows, inserted raw in batches of 10,000 into a fresh table of the same shape, in
    // the row format ingest sends (ChatEventRepository), so that the ratio measures the pipeline, not a format.
    await clickhouse.command({ query: 'CREATE TABLE chat_events_raw AS chat_events' });
    const rawRows = events.map((event, i) => toChatEventRow(event, { topic: 'raw', partition: 0, offset: String(i) }));
    const rawStarted = performance.now();
    for (let i = 0; i < rawRows.length; i += 10_000) {
      await clickhouse.insert({
        table: 'chat_events_raw',
        values: rawRows.slice(i, i + 10_000).map(toCompactRow),
        format: 'JSONCompactEachRow',
        columns: [...CHAT_EVENT_COLUMNS],
      });
    }
    const rawSeconds = (performance.now() - rawStarted) / 1000;

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
    };
    if (!values.json) log(`ingest ${eventsPerSec} events/s vs raw insert ${rawInsertEventsPerSec} events/s`);
    console.log(JSON.stringify(line));
  } finally {
    await producer.disconnect();
    await clickhouse.close();
    await ingest.stop();
    await Promise.all([broker.stop(), store.stop()]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
