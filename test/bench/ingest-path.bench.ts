/**
 * bench:ingest-path — the CPU that ingest spends per event on its own hot path, in one process with no I/O:
 * planning a Kafka batch (JSON parse, contract validation, event-time check, row) and encoding the rows as
 * the ClickHouse client sends them. The baseline, measured in the same run on the same bytes, is
 * `JSON.parse` alone: the floor that any validating consumer pays.
 *
 *   npm run -s bench:ingest-path -- --events 200000 --json
 *
 * Last line of stdout: {"events","jsonParseUs","planUs","encodeUs","pathUs","pathOverJsonParse","eventsPerCoreSecond"}
 * (microseconds per event, the best of five rounds each; eventsPerCoreSecond = 1e6 / pathUs).
 */
import { parseArgs } from 'node:util';
import { TOPICS } from '@warroom/kafka';
import { toCompactRow } from '../../apps/api/src/repositories/chat-event-row';
import { planIngest } from '../../apps/api/src/ingest/ingest-plan';
import type { IncomingMessage } from '../../apps/api/src/repositories/kafka.repository';
import { TrafficGenerator } from '../../apps/sim/src/traffic';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '200000' }, json: { type: 'boolean', default: false } },
});
const EVENTS = Number(values.events);
if (!(EVENTS > 0)) throw new Error('--events must be a positive number');
/** A partition's record batch as the dev broker hands it to ingest with the bench producer's chunks (1,000 over 24 partitions). */
const BATCH = 42;
const ROUNDS = 5;

const generator = new TrafficGenerator({ shops: ['a', 'b', 'c'], source: 'live', campaignId: 'bench', seed: 1, runId: 'bench' });
const events = [];
while (events.length < EVENTS) events.push(...generator.nextQuestion(new Date()));
events.length = EVENTS;
const batches: IncomingMessage[][] = [];
for (let i = 0; i < EVENTS; i += BATCH) {
  batches.push(
    events.slice(i, i + BATCH).map((event, j) => ({ offset: String(i + j), key: Buffer.from(event.sessionId), value: Buffer.from(JSON.stringify(event)) })),
  );
}

/** Best of ROUNDS, in microseconds per event. */
function perEvent(work: () => void): number {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round += 1) {
    const started = process.hrtime.bigint();
    work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1000 / EVENTS);
  }
  return best;
}

let sink = 0;
const jsonParseUs = perEvent(() => {
  for (const batch of batches) for (const message of batch) sink += (JSON.parse(message.value!.toString('utf8')) as object) ? 1 : 0;
});
const now = new Date();
const plans = batches.map((batch) => planIngest(TOPICS.chatEvents.name, 0, batch, null, 50_000, now));
const planUs = perEvent(() => {
  for (const batch of batches) sink += planIngest(TOPICS.chatEvents.name, 0, batch, null, 50_000, now).chunks.length;
});
if (plans.some((plan) => plan.deadLetters.length > 0)) throw new Error('the generated events must all be valid');
const rows = plans.flatMap((plan) => plan.chunks.flatMap((chunk) => chunk.rows));
// What @clickhouse/client does with JSONCompactEachRow values: one JSON line per row.
const encodeUs = perEvent(() => {
  for (const row of rows) sink += (JSON.stringify(toCompactRow(row)) + '\n').length;
});
const pathUs = planUs + encodeUs;
const round = (value: number): number => Math.round(value * 100) / 100;
const line = {
  events: EVENTS,
  jsonParseUs: round(jsonParseUs),
  planUs: round(planUs),
  encodeUs: round(encodeUs),
  pathUs: round(pathUs),
  pathOverJsonParse: round(pathUs / jsonParseUs),
  eventsPerCoreSecond: Math.round(1e6 / pathUs),
};
if (!values.json) process.stderr.write(`(checksum ${sink})\n`);
console.log(JSON.stringify(line));
