/**
 * Checks read from the real parts: the store through @clickhouse/client, Kafka through kafkajs. Nothing
 * here is assumed from what the harness sent: lost, duplicated and rollup mismatches are counted in the store.
 */
import { botHealthSchema, deadLetterSchema } from '@warroom/contracts';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { TOPICS, createConsumer } from '@warroom/kafka';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import { compareRollups, type RollupBucket } from './rollups';
import type { ProducedLedger } from './load';
import { INGEST_GROUP_ID } from './system';

export interface LedgerCheck {
  lost: number;
  duplicated: number;
  /** A few lost ids, for the report. */
  lostSample: string[];
}

/** Every stored event id with its number of copies, against the ids the ledger says must be stored once. */
export async function checkLedger(clickhouse: ClickHouseClient, ledger: ProducedLedger): Promise<LedgerCheck> {
  const result = await clickhouse.query({
    query: 'SELECT event_id, count() AS copies FROM chat_events GROUP BY event_id',
    format: 'JSONEachRow',
  });
  const copies = new Map<string, number>();
  for (const row of await result.json<{ event_id: string; copies: string }>()) copies.set(row.event_id, Number(row.copies));
  const lostIds = [...ledger.validIds].filter((id) => !copies.has(id));
  const duplicated = [...copies.values()].filter((count) => count > 1).length;
  return { lost: lostIds.length, duplicated, lostSample: lostIds.slice(0, 5) };
}

/** The rollup's measures summed over its key (as every reader sums a SummingMergeTree). */
const STORED_ROLLUPS = `
SELECT source, facet, shop_id, toUnixTimestamp(bucket) AS bucket, mode, stage, outcome, handoff_reason, emotion, answer_id,
       sum(questions) AS questions, sum(answered) AS answered, sum(bot_questions) AS bot_questions,
       sum(bot_answered) AS bot_answered, sum(intensity_sum) AS intensity_sum
FROM question_rollup_1s
GROUP BY source, facet, shop_id, bucket, mode, stage, outcome, handoff_reason, emotion, answer_id`;

/** The same buckets from the raw table, by the rule of migration 0003 written out again. */
const RECOMPUTED_ROLLUPS = `
SELECT source, facet_key.1 AS facet, shop_id, toUnixTimestamp(toDateTime(event_time, 'UTC')) AS bucket,
       facet_key.2 AS mode, facet_key.3 AS stage, facet_key.4 AS outcome, facet_key.5 AS handoff_reason,
       facet_key.6 AS emotion, facet_key.7 AS answer_id,
       count() AS questions, countIf(q_outcome = 'answered') AS answered, countIf(q_mode = 'bot') AS bot_questions,
       countIf(q_mode = 'bot' AND q_outcome = 'answered') AS bot_answered, sum(toFloat64(emotion_intensity)) AS intensity_sum
FROM
(
    SELECT *, mode AS q_mode, outcome AS q_outcome,
        arrayJoin(if(answer_id = '',
            [('outcome', mode, stage, outcome, handoff_reason, '', ''), ('emotion', '', '', '', '', emotion, '')],
            [('outcome', mode, stage, outcome, handoff_reason, '', ''), ('emotion', '', '', '', '', emotion, ''),
             ('answer', '', '', '', '', '', answer_id)])) AS facet_key
    FROM chat_events
    WHERE kind = 'question'
)
GROUP BY source, facet, shop_id, bucket, mode, stage, outcome, handoff_reason, emotion, answer_id`;

interface RollupRow {
  source: string;
  facet: string;
  shop_id: string;
  bucket: string;
  mode: string;
  stage: string;
  outcome: string;
  handoff_reason: string;
  emotion: string;
  answer_id: string;
  questions: string;
  answered: string;
  bot_questions: string;
  bot_answered: string;
  intensity_sum: number;
}

function toBucket(row: RollupRow): RollupBucket {
  return {
    key: [row.source, row.facet, row.shop_id, row.bucket, row.mode, row.stage, row.outcome, row.handoff_reason, row.emotion, row.answer_id].join('|'),
    questions: Number(row.questions),
    answered: Number(row.answered),
    botQuestions: Number(row.bot_questions),
    botAnswered: Number(row.bot_answered),
    intensitySum: Number(row.intensity_sum),
  };
}

export async function countRollupMismatches(clickhouse: ClickHouseClient): Promise<{ mismatches: number; sample: string[] }> {
  const read = async (query: string): Promise<RollupBucket[]> => {
    const result = await clickhouse.query({ query, format: 'JSONEachRow' });
    return (await result.json<RollupRow>()).map(toBucket);
  };
  const [stored, recomputed] = await Promise.all([read(STORED_ROLLUPS), read(RECOMPUTED_ROLLUPS)]);
  const mismatches = compareRollups(stored, recomputed);
  return {
    mismatches: mismatches.length,
    sample: mismatches.slice(0, 3).map((m) => `${m.key}: stored ${m.stored?.questions ?? 'none'}, raw ${m.recomputed?.questions ?? 'none'}`),
  };
}

export interface IngestProgress {
  /** Sum over partitions of (high watermark − committed offset): events not yet stored (or dead-lettered). */
  lag: number;
  /** Sum of committed offsets: grows only when ingest stores (it commits after the INSERT). */
  committed: number;
}

/** The ingest group's position against the broker, as the api's watermark reads it. */
export async function ingestProgress(admin: Admin): Promise<IngestProgress> {
  const topic = TOPICS.chatEvents.name;
  const [highs, groups] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: INGEST_GROUP_ID, topics: [topic] })]);
  const committedByPartition = new Map((groups[0]?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]));
  let lag = 0;
  let committed = 0;
  for (const { partition, high } of highs) {
    const done = committedByPartition.get(partition) ?? 0;
    committed += done;
    lag += Math.max(0, Number(high) - done);
  }
  return { lag, committed };
}

/** Polls until `check` holds or `timeoutMs` passes; says which. */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(everyMs);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Waits until ingest has stored (or dead-lettered) everything the broker held when this was called: each
 * partition's committed offset reaches the high watermark read first. Traffic that keeps arriving (npm
 * start's simulator) does not keep it waiting, as "lag is zero" would.
 */
export async function drained(admin: Admin, timeoutMs: number): Promise<boolean> {
  const topic = TOPICS.chatEvents.name;
  const targets = new Map((await admin.fetchTopicOffsets(topic)).map(({ partition, high }) => [partition, Number(high)]));
  return eventually(async () => {
    const [group] = await admin.fetchOffsets({ groupId: INGEST_GROUP_ID, topics: [topic] });
    const committed = new Map((group?.partitions ?? []).map(({ partition, offset }) => [partition, Number(offset)]));
    return [...targets].every(([partition, high]) => high === 0 || (committed.get(partition) ?? -1) >= high);
  }, timeoutMs);
}

/** Waits until the bot holds nothing back: its queue and spool are empty (everything reached the broker). */
export function botFlushed(botUrl: string, timeoutMs: number): Promise<boolean> {
  return eventually(async () => {
    const response = await fetch(`${botUrl}/health`, { signal: AbortSignal.timeout(5_000) });
    const health = botHealthSchema.parse(await response.json());
    return health.events.queued === 0 && health.events.spooled === 0;
  }, timeoutMs);
}

/**
 * Reads chat.events.dlq from its beginning for as long as the scenario runs: every dead letter parsed with
 * the contract, by the sha256 of the original message. Letters may repeat (at least once), so counts are ≥.
 */
export class DeadLetterCollector {
  /** sha256 of the original → reasons of each letter seen for it. */
  readonly letters = new Map<string, string[][]>();
  readonly malformed: string[] = [];
  private readonly consumer: Consumer;

  constructor(kafka: Kafka, runId: string) {
    this.consumer = createConsumer(kafka, { groupId: `chaos-dlq-${runId}` });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPICS.chatEventsDlq.name, fromBeginning: true });
    await this.consumer.run({
      eachMessage: ({ message }) => {
        const parsed = deadLetterSchema.safeParse(jsonOrUndefined(message.value?.toString('utf8') ?? ''));
        if (!parsed.success) {
          this.malformed.push(message.offset);
          return Promise.resolve();
        }
        const seen = this.letters.get(parsed.data.original.sha256) ?? [];
        seen.push(parsed.data.reasons);
        this.letters.set(parsed.data.original.sha256, seen);
        return Promise.resolve();
      },
    });
  }

  /** Invalid messages of the ledger with no dead letter (or fewer letters than copies sent), and letters without a reason. */
  missing(ledger: ProducedLedger): { missing: number; withoutReason: number } {
    let missing = 0;
    let withoutReason = 0;
    for (const [sha256, sent] of ledger.invalid) {
      const letters = this.letters.get(sha256) ?? [];
      missing += Math.max(0, sent - letters.length);
      withoutReason += letters.filter((reasons) => reasons.every((reason) => reason.trim() === '')).length;
    }
    return { missing, withoutReason };
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}

/** A letter that is not even JSON is reported as malformed, like one that breaks the contract. */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
