/**
 * The store's errors (issue 16), with ingest in this process on its real repositories, the dev broker and
 * the dev store. The one stand-in is a ChatEventRepository that adds a fault on the way to the real store:
 *
 * - Poison input never stalls a partition: a row the store refuses although the contract accepts it is
 *   found, dead-lettered with the store's code and a masked reason, and everything around it is stored.
 *   The refused row is the incident's: text with a lone surrogate, which JSON carries as "\ud800" and
 *   ClickHouse refuses (CANNOT_PARSE_ESCAPE_SEQUENCE). The contracts now refuse such text before ingest
 *   sees it, so the stand-in gives one chosen row that text.
 * - A timeout after which the INSERT landed anyway stores nothing twice: the stand-in lets the INSERT land,
 *   then throws the client's timeout.
 */
import { createClickHouseClient, runMigrations, type ClickHouseClient } from '@warroom/clickhouse';
import { TOPICS } from '@warroom/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseApiConfig } from '../../apps/api/src/config/api-config';
import type { ChatEventRow } from '../../apps/api/src/repositories/chat-event-row';
import { IngestService } from '../../apps/api/src/ingest/ingest.service';
import { ChatEventRepository } from '../../apps/api/src/repositories/chat-event.repository';
import { IngestOffsetGapsRepository } from '../../apps/api/src/repositories/ingest-offset-gaps.repository';
import { KafkaRepository } from '../../apps/api/src/repositories/kafka.repository';
import { questionEvent } from '../support/events';
import { DATABASE, readDeadLetters, storedCounts, usePipeline, waitFor, type Pipeline } from '../support/pipeline';

const GROUP = 'store-errors-test';
const POISON_ID = 'poison-row';
const LANDS_THEN_TIMES_OUT = 'lands-then-times-out';

/**
 * The real repository, except that the row of POISON_ID reaches the store with the incident's text, and
 * the first INSERT holding LANDS_THEN_TIMES_OUT lands, then fails as a client timeout would.
 */
class FaultyChatEventRepository extends ChatEventRepository {
  timeoutsThrown = 0;

  override async insertRows(rows: ChatEventRow[], deduplicationToken: string): Promise<void> {
    await super.insertRows(
      rows.map((row) => (row.event_id === POISON_ID ? { ...row, text: '退货 \ud800 call me at 13800138000' } : row)),
      deduplicationToken,
    );
    if (this.timeoutsThrown === 0 && rows.some((row) => row.event_id === LANDS_THEN_TIMES_OUT)) {
      this.timeoutsThrown += 1;
      throw new Error('Timeout error.');
    }
  }
}

describe('ingest when the store refuses a row or times out', () => {
  const pipeline = usePipeline();
  let ingest: IngestService;
  let chatEvents: FaultyChatEventRepository;
  let kafkaRepository: KafkaRepository;
  let clickhouse: ClickHouseClient;

  beforeAll(async () => {
    const p = pipeline();
    await runMigrations(createClickHouseClient({ url: p.store.url }), { database: DATABASE });
    const config = parseApiConfig({
      KAFKA_BROKERS: p.broker.brokers,
      CLICKHOUSE_URL: p.store.url,
      WARROOM_ROLES: 'ingest',
      INGEST_GROUP_ID: GROUP,
    });
    clickhouse = createClickHouseClient({ url: p.store.url, database: DATABASE });
    kafkaRepository = new KafkaRepository(config);
    chatEvents = new FaultyChatEventRepository(clickhouse);
    ingest = new IngestService(config, chatEvents, kafkaRepository, new IngestOffsetGapsRepository(clickhouse));
    await ingest.onApplicationBootstrap();
  });

  afterAll(async () => {
    await kafkaRepository?.beforeApplicationShutdown();
    ingest?.onApplicationShutdown();
    await clickhouse?.close();
  });

  async function produceWave(p: Pipeline, prefix: string, count: number, poisonAt?: number): Promise<void> {
    // One session: every event on one partition, so the poison sits between its neighbours' offsets.
    await p.produce(
      Array.from({ length: count }, (_, i) => {
        const event = questionEvent({ eventId: i === poisonAt ? POISON_ID : `${prefix}-${i}`, sessionId: 'poisoned-session' });
        return { key: event.sessionId, value: JSON.stringify(event) };
      }),
    );
  }

  async function lowWatermarkReached(): Promise<boolean> {
    const progress = await kafkaRepository.partitionProgress(TOPICS.chatEvents.name, GROUP);
    return progress.every((partition) => partition.highWatermark === 0n || partition.committed === partition.highWatermark);
  }

  it('stores the rows around it, dead-letters it with the code and a masked reason, and the partition moves on', async () => {
    const p = pipeline();
    await produceWave(p, 'before', 500, 250);
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= 499 && (await lowWatermarkReached()),
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, health ${JSON.stringify(ingest.health())}`,
    );
    // The partition keeps moving: a second wave behind the refused row is stored and committed too.
    await produceWave(p, 'after', 300);
    await waitFor(
      async () => (await storedCounts(p.clickhouse)).rows >= 799 && (await lowWatermarkReached()),
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, health ${JSON.stringify(ingest.health())}`,
    );
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: 799, distinct: 799 });
    const poisonStored = await p.clickhouse.query({
      query: 'SELECT count() AS n FROM chat_events WHERE event_id = {id:String}',
      query_params: { id: POISON_ID },
      format: 'JSONEachRow',
    });
    expect(await poisonStored.json()).toEqual([{ n: 0 }]);
    expect(ingest.health()).toMatchObject({ status: 'ok', refusedByStore: 1, deadLettered: 1, stored: 799 });

    const letters = await readDeadLetters(p.kafka, 1);
    expect(letters).toHaveLength(1);
    const [letter] = letters;
    expect(letter?.source.offset).toBe('250');
    expect(Buffer.from(letter!.original.base64, 'base64').toString('utf8')).toContain(POISON_ID);
    const reason = letter!.reasons.join('\n');
    expect(reason).toMatch(/^ClickHouse refused the row: CANNOT_PARSE_ESCAPE_SEQUENCE \(code 25\): /);
    expect(Buffer.byteLength(reason)).toBeLessThanOrEqual(1_100);
    expect(reason).not.toContain('13800138000');
  });

  it('stores nothing twice when an INSERT landed although the client timed out, and the rollup counts each once', async () => {
    const p = pipeline();
    const before = await storedCounts(p.clickhouse);
    await p.produce(
      Array.from({ length: 200 }, (_, i) => {
        const event = questionEvent({ eventId: i === 100 ? LANDS_THEN_TIMES_OUT : `timeout-${i}`, sessionId: `timeout-session-${i % 20}` });
        return { key: event.sessionId, value: JSON.stringify(event) };
      }),
    );
    await waitFor(
      async () => chatEvents.timeoutsThrown === 1 && (await storedCounts(p.clickhouse)).rows >= before.rows + 200 && (await lowWatermarkReached()),
      60_000,
      async () => `stored ${JSON.stringify(await storedCounts(p.clickhouse))}, health ${JSON.stringify(ingest.health())}`,
    );
    await new Promise((done) => setTimeout(done, 1_000));
    expect(await storedCounts(p.clickhouse)).toEqual({ rows: before.rows + 200, distinct: before.rows + 200 });
    const rollup = await p.clickhouse.query({
      query: `SELECT sum(questions) AS questions FROM question_rollup_1s WHERE facet = 'outcome'`,
      format: 'JSONEachRow',
    });
    expect(await rollup.json()).toEqual([{ questions: before.rows + 200 }]);
    expect(ingest.health().status).toBe('ok');
  });
});
