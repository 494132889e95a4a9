/**
 * Replay through real parts (issue 10): last night's questions (produced to the dev broker, stored by the
 * ingest process) are read back page by page through the api (`GET /api/replay/questions`, service token)
 * and asked again by the sim as its own process, through the bot as its own process, as `source: replay`
 * with `originalEventId`; the sim's summary compares the hit rate then (as stored) with now (today's bot).
 *
 * The questions are the packs' own example questions (answered today whatever the matcher's tuning) and
 * clear nonsense (answered by no matcher); what they were "then" is set by the events produced.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayQuestionsPageSchema, replaySummarySchema, type ChatEvent, type PastQuestion } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { storedCounts, usePipeline, waitFor } from '../support/pipeline';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const SHOP = 'demo-electronics';
const RUN = `rp${process.pid}`;
/** Last night, an hour and a half ago: a 10-minute rush. */
const START = Date.now() - 90 * 60_000;

interface Past {
  text: string;
  then: 'answered' | 'unmatched';
  mode?: 'bot' | 'assist';
}

/** Then: the first four were not known (unmatched); today they are pack questions. The nonsense was "answered". */
const PAST: Past[] = [
  { text: '保修几年', then: 'unmatched' },
  { text: '包邮吗', then: 'unmatched' },
  { text: '什么时候发货', then: 'answered' },
  { text: '能开发票吗', then: 'unmatched' },
  { text: '支持分期吗', then: 'unmatched' },
  { text: '量子纠缠与宇宙膨胀的哲学意义', then: 'answered' },
  { text: '退货运费谁出', then: 'unmatched', mode: 'assist' },
];

function pastEvents(): ChatEvent[] {
  const events = PAST.map((past, i) =>
    questionEvent({
      eventId: `${RUN}-q${i}`,
      eventTime: new Date(START + i * 90_000).toISOString(),
      campaignId: 'double11-2025',
      shopId: SHOP,
      // One customer each: the bot's session state (a second miss hands off) plays no part.
      sessionId: `${RUN}-s${i}`,
      customerId: `${RUN}-c${i}`,
      mode: past.mode ?? 'bot',
      text: past.text,
      ...(past.then === 'answered'
        ? { outcome: 'answered', match: { answerId: 'old-answer', revision: 1, score: 0.9 } }
        : { outcome: 'unmatched', match: undefined, bestCandidate: null }),
    }),
  );
  // Not replayed: a rehearsal question in the range, a live one after it.
  events.push(questionEvent({ eventId: `${RUN}-rehearsal`, eventTime: new Date(START + 60_000).toISOString(), source: 'rehearsal', shopId: SHOP }));
  events.push(questionEvent({ eventId: `${RUN}-later`, eventTime: new Date(START + 20 * 60_000).toISOString(), shopId: SHOP }));
  return events;
}

describe('replay', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let bot: AppProcess;
  let dir: string;
  const range = { from: new Date(START).toISOString(), to: new Date(START + 15 * 60_000).toISOString() };

  beforeAll(async () => {
    const p = pipeline();
    dir = mkdtempSync(join(tmpdir(), 'replay-it-'));
    [api, bot] = await Promise.all([
      p.startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN }),
      startAppProcess({
        name: 'bot',
        entry: 'apps/bot/src/main.ts',
        env: { KAFKA_BROKERS: p.broker.brokers, PORT: '0', BOT_SHOP_IDS: SHOP, BOT_SPOOL_DIR: join(dir, 'spool'), LOG_LEVEL: 'warn' },
        onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
      }),
    ]);
    const events = pastEvents();
    await p.produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    await waitFor(async () => (await storedCounts(p.clickhouse)).distinct >= events.length, 60_000, async () => JSON.stringify(await storedCounts(p.clickhouse)));
  });

  afterAll(async () => {
    await bot?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const page = async (params: Record<string, string>, token: string | null = SERVICE_TOKEN): Promise<Response> =>
    fetch(`${api.url}/api/replay/questions?${new URLSearchParams(params).toString()}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('pages through a range in event-time order with a cursor, only the source asked for', async () => {
    const seen: PastQuestion[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const response = await page({ ...range, limit: '3', ...(after ? { after } : {}) });
      expect(response.status, await response.clone().text()).toBe(200);
      const body = replayQuestionsPageSchema.parse(await response.json());
      seen.push(...body.questions);
      after = body.nextCursor;
      pages += 1;
    } while (after !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen.map((q) => q.eventId)).toEqual(PAST.map((_, i) => `${RUN}-q${i}`));
    expect(seen[6]).toMatchObject({ mode: 'assist', outcome: 'unmatched', campaignId: 'double11-2025', text: '退货运费谁出' });
    expect(seen[2]).toMatchObject({ outcome: 'answered', answerId: 'old-answer' });

    expect((await page(range, null)).status).toBe(401);
    expect((await page({ ...range, to: range.from })).status).toBe(400);
    expect((await page({ ...range, after: 'not a cursor' })).status).toBe(400);
  });

  it('asks them again through the bot as source replay, and compares the hit rate then and now', async () => {
    const lines: string[] = [];
    const sim = await startAppProcess({
      name: 'sim-replay',
      entry: 'apps/sim/src/main.ts',
      env: {
        SIM_BOT_URL: bot.url ?? '',
        SIM_API_URL: api.url ?? '',
        SIM_SERVICE_TOKEN: SERVICE_TOKEN,
        SIM_REPLAY_FROM: range.from,
        SIM_REPLAY_TO: range.to,
        // 9 minutes of questions in about 2 seconds.
        SIM_SPEED: '300',
        SIM_JSON: 'true',
      },
      onLog: (line) => {
        lines.push(line);
        if (process.env.TEST_APP_LOGS) process.stderr.write(`[sim] ${line}\n`);
      },
    });
    const started = Date.now();
    expect(await sim.exited).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
    const summary = replaySummarySchema.parse(JSON.parse(lines.filter((line) => line.startsWith('{')).at(-1)!));
    // 6 bot-mode questions: then 2 answered (one of them nonsense), now the 5 pack questions.
    expect(summary).toEqual({
      questions: 7,
      botQuestions: 6,
      answeredThen: 2,
      answeredNow: 5,
      hitRateThen: 2 / 6,
      hitRateNow: 5 / 6,
      nowAnswered: 4,
      nowMissed: 1,
      errors: 0,
    });

    // In ClickHouse: new events, source replay, each keeping the id of the question it re-asks, asked now.
    const p = pipeline();
    let rows: { original_event_id: string; source: string; t: string; outcome: string }[] = [];
    await waitFor(
      async () => {
        const result = await p.clickhouse.query({
          query:
            "SELECT original_event_id, source, toString(toUnixTimestamp64Milli(event_time)) AS t, outcome FROM chat_events WHERE kind = 'question' AND source = 'replay' " +
            'AND original_event_id IN {ids:Array(String)} LIMIT 1 BY event_id',
          query_params: { ids: PAST.map((_, i) => `${RUN}-q${i}`) },
          format: 'JSONEachRow',
        });
        rows = await result.json();
        return rows.length >= PAST.length;
      },
      30_000,
      () => `${rows.length} of ${PAST.length} replayed questions stored`,
    );
    expect(rows.map((row) => row.original_event_id).sort()).toEqual(PAST.map((_, i) => `${RUN}-q${i}`).sort());
    expect(rows.every((row) => Number(row.t) >= started - 1_000)).toBe(true);
  });
});
