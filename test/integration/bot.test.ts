/**
 * The bot through real parts (issue 6): a conversation over the bot's HTTP endpoint (and its WebSocket),
 * the bot as its own process → dev broker → ingest process → dev store, and the ChatEvents it produced
 * read back from ClickHouse with their kinds, outcomes and reasons. Then a broker outage: the bot keeps
 * answering, spools, and delivers everything once the broker is back.
 *
 * The questions are the packs' own example questions (a trained question is answered whatever the
 * matcher's tuning) and clear nonsense (which no matcher should answer).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  agentChatSchema,
  agentErrorSchema,
  agentQueueSchema,
  botHealthSchema,
  botServerFrameSchema,
  chatReplySchema,
  recordedEventSchema,
  type BotHealth,
  type ChatReply,
  type ChatRequest,
} from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { usePipeline, waitFor } from '../support/pipeline';

const CAMPAIGN = 'it-bot';
const SHOP = 'demo-electronics';

interface StoredEvent {
  event_id: string;
  kind: string;
  outcome: string;
  handoff_reason: string;
  answer_id: string;
  stage: string;
  sku: string;
  mode: string;
  emotion: string;
  ref_event_id: string;
  session_id: string;
  agent_id: string;
}

describe('bot', () => {
  const pipeline = usePipeline();
  let bot: AppProcess;
  let url: string;
  let spoolDir: string;

  beforeAll(async () => {
    const p = pipeline();
    spoolDir = mkdtempSync(join(tmpdir(), 'bot-it-spool-'));
    await p.startApp('ingest');
    bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: p.broker.brokers,
        PORT: '0',
        BOT_SHOP_IDS: 'demo-electronics,demo-home',
        BOT_PACK_DIR: 'packs',
        BOT_SPOOL_DIR: spoolDir,
        BOT_SOURCE: 'rehearsal',
        BOT_CAMPAIGN_ID: CAMPAIGN,
        LOG_LEVEL: 'warn',
      },
      onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
    });
    url = bot.url ?? '';
  });

  afterAll(async () => {
    await bot?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  async function post<T>(path: string, body: unknown, parse: (json: unknown) => T): Promise<T> {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json: unknown = await response.json();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
    return parse(json);
  }
  const ask = (sessionId: string, text: string, extra: Partial<ChatRequest> = {}): Promise<ChatReply> =>
    post('/api/chat', { shopId: SHOP, sessionId, customerId: `c-${sessionId}`, text, ...extra }, (json) => chatReplySchema.parse(json));
  const health = async (): Promise<BotHealth> => botHealthSchema.parse(await (await fetch(`${url}/health`)).json());

  async function stored(sessionIds: readonly string[]): Promise<StoredEvent[]> {
    const result = await pipeline().clickhouse.query({
      query:
        'SELECT event_id, kind, outcome, handoff_reason, answer_id, stage, sku, mode, emotion, ref_event_id, session_id, agent_id ' +
        'FROM chat_events WHERE campaign_id = {campaign:String} AND session_id IN {sessions:Array(String)} ORDER BY event_time, kind DESC',
      query_params: { campaign: CAMPAIGN, sessions: sessionIds },
      format: 'JSONEachRow',
    });
    return result.json<StoredEvent>();
  }

  /** Waits for `count` distinct events of these sessions in ClickHouse. */
  async function waitForStored(sessionIds: readonly string[], count: number): Promise<StoredEvent[]> {
    let rows: StoredEvent[] = [];
    const distinct = () => new Set(rows.filter((row) => row.kind !== 'intent').map((row) => row.event_id)).size;
    await waitFor(
      async () => {
        rows = await stored(sessionIds);
        return distinct() >= count;
      },
      60_000,
      () => `${distinct()} of ${count} events stored for ${sessionIds.join(', ')}`,
    );
    return rows;
  }

  it('holds a conversation and records every question, answer and handoff as ChatEvents in ClickHouse', async () => {
    const run = Date.now().toString(36);
    const s1 = `${run}-talk`;
    const greeting = await ask(s1, '你好');
    expect(greeting).toMatchObject({ outcome: 'answered', answer: { answerId: 'smalltalk.greeting' } });

    const link = await ask(s1, 'https://item.example.com/100012345.html');
    expect(link).toMatchObject({ outcome: 'answered', sku: '100012345', answer: { answerId: 'product.selling-points' }, reply: { type: 'video' } });

    const weight = await ask(s1, '这款多重');
    expect(weight).toMatchObject({ outcome: 'answered', sku: '100012345', answer: { answerId: 'weight' } });
    expect(weight.outcome === 'answered' && weight.reply.text).toContain('187 克');

    const warranty = await ask(s1, '保修几年');
    // The shop's override, under the industry answer's id.
    expect(warranty).toMatchObject({ outcome: 'answered', answer: { answerId: 'warranty' } });
    expect(warranty.outcome === 'answered' && warranty.reply.text).toContain('共 2 年保修');

    const nonsense = await ask(s1, '量子纠缠与宇宙膨胀的哲学意义');
    expect(nonsense.outcome).toBe('unmatched');
    const again = await ask(s1, '土星环的冰块能做刨冰吗');
    expect(again).toMatchObject({ outcome: 'handoff', handoffReason: 'no_match' });

    const s2 = `${run}-human`;
    expect(await ask(s2, '转人工')).toMatchObject({ outcome: 'handoff', handoffReason: 'customer_request' });
    const s3 = `${run}-angry`;
    expect(await ask(s3, '你们就是骗子，黑店！！')).toMatchObject({ outcome: 'handoff', handoffReason: 'negative_emotion', emotion: { name: 'angry' } });

    const s4 = `${run}-assist`;
    const assisted = await ask(s4, '退货运费谁出', { mode: 'assist' });
    expect(assisted).toMatchObject({ outcome: 'handoff', handoffReason: 'assist_mode', reply: null });
    expect(assisted.outcome === 'handoff' && assisted.suggestions[0]?.answerId).toBe('return-shipping');
    expect(assisted.outcome === 'handoff' && assisted.suggestions.length).toBe(3);
    const agentReply = await post(
      '/api/chat/agent-reply',
      { shopId: SHOP, sessionId: s4, customerId: `c-${s4}`, agentId: 'agent-7', text: '亲，本店送运费险，退货不花钱哦' },
      (json) => recordedEventSchema.parse(json),
    );

    const s5 = `${run}-order`;
    await post('/api/chat/order', { shopId: SHOP, sessionId: s5, customerId: `c-${s5}`, orderId: `o-${run}`, amountCents: 249_900, sku: '100012345' }, (json) =>
      recordedEventSchema.parse(json),
    );
    expect(await ask(s5, '保修几年')).toMatchObject({ outcome: 'answered', stage: 'in_sale', sku: '100012345' });

    // 6 questions + 4 answers + 1 handoff (s1); question + handoff (s2, s3); question + agent_reply (s4); order + question + answer (s5).
    await waitForStored([s1, s2, s3, s4, s5], 20);
    await new Promise((done) => setTimeout(done, 500));
    // At least once: count distinct events (a retried send may store one twice, with the same id).
    // The bot's intent judgments (outreach, issue 22) are outreach-contacts.test's; here the conversation's own events.
    const rows = [...new Map((await stored([s1, s2, s3, s4, s5])).map((row) => [row.event_id, row])).values()].filter((row) => row.kind !== 'intent');
    expect(rows).toHaveLength(20);

    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const questionOf = (reply: ChatReply) => byId.get(reply.questionEventId);
    expect(questionOf(greeting)).toMatchObject({ kind: 'question', outcome: 'answered', answer_id: 'smalltalk.greeting', mode: 'bot' });
    expect(questionOf(link)).toMatchObject({ outcome: 'answered', answer_id: 'product.selling-points', sku: '100012345', stage: 'pre_sale' });
    expect(questionOf(weight)).toMatchObject({ outcome: 'answered', answer_id: 'weight', sku: '100012345' });
    expect(questionOf(warranty)).toMatchObject({ outcome: 'answered', answer_id: 'warranty' });
    expect(questionOf(nonsense)).toMatchObject({ outcome: 'unmatched', handoff_reason: '' });
    expect(questionOf(again)).toMatchObject({ outcome: 'handoff', handoff_reason: 'no_match' });
    expect(questionOf(assisted)).toMatchObject({ outcome: 'handoff', handoff_reason: 'assist_mode', mode: 'assist', answer_id: 'return-shipping' });

    const kinds = (session: string) => rows.filter((row) => row.session_id === session).map((row) => row.kind).sort();
    expect(kinds(s1)).toEqual(['answer', 'answer', 'answer', 'answer', 'handoff', 'question', 'question', 'question', 'question', 'question', 'question']);
    expect(rows.filter((row) => row.kind === 'answer').every((row) => byId.get(row.ref_event_id)?.kind === 'question')).toBe(true);
    expect(rows.filter((row) => row.kind === 'handoff').map((row) => row.handoff_reason).sort()).toEqual(['customer_request', 'negative_emotion', 'no_match']);
    expect(rows.find((row) => row.session_id === s3 && row.kind === 'question')).toMatchObject({ emotion: 'angry', outcome: 'handoff' });
    expect(byId.get(agentReply.eventId)).toMatchObject({ kind: 'agent_reply', agent_id: 'agent-7', mode: 'assist' });
    expect(kinds(s5)).toEqual(['answer', 'order', 'question']);
    expect(rows.find((row) => row.session_id === s5 && row.kind === 'question')).toMatchObject({ stage: 'in_sale', sku: '100012345' });
  });

  it('answers a bad chat request with a 4xx that says what is wrong, and keeps answering the rest', async () => {
    const send = async (body: string, contentType = 'application/json'): Promise<{ status: number; json: { message?: unknown; issues?: { path: string }[]; shopId?: unknown } }> => {
      const response = await fetch(`${url}/api/chat`, { method: 'POST', headers: { 'content-type': contentType }, body });
      return { status: response.status, json: (await response.json()) as { message?: unknown; issues?: { path: string }[]; shopId?: unknown } };
    };
    const missingText = await send(JSON.stringify({ shopId: SHOP, sessionId: 'bad-1', customerId: 'c-bad' }));
    expect(missingText.status).toBe(400);
    expect(missingText.json).toMatchObject({ message: 'Invalid request' });
    expect(missingText.json.issues?.map((issue) => issue.path)).toContain('text');
    const otherShop = await send(JSON.stringify({ shopId: 'no-such-shop', sessionId: 'bad-2', customerId: 'c-bad', text: '包邮吗' }));
    expect(otherShop).toMatchObject({ status: 404, json: { shopId: 'no-such-shop' } });
    const notJson = await send('{"shopId": ');
    expect(notJson.status).toBe(400);
    expect(String(notJson.json.message)).toMatch(/JSON/i);
    const huge = await send(JSON.stringify({ shopId: SHOP, sessionId: 'bad-3', customerId: 'c-bad', text: '大'.repeat(60_000) }));
    expect(huge.status).toBe(413);
    const notAJsonType = await send('text=包邮吗', 'application/x-www-form-urlencoded');
    expect(notAJsonType.status).toBeGreaterThanOrEqual(400);
    expect(notAJsonType.status).toBeLessThan(500);
    // The bot is none the worse for them.
    expect((await ask('bad-4', '包邮吗')).outcome).toBeDefined();
  });

  it('answers over the WebSocket /chat too', async () => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/chat`);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const frames: unknown[] = [];
      socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
      socket.send(JSON.stringify({ event: 'ask', data: { requestId: 'r-1', shopId: SHOP, sessionId: 'ws-1', customerId: 'c-ws', text: '包邮吗' } }));
      socket.send(JSON.stringify({ event: 'ask', data: { requestId: 'r-2', shopId: SHOP, sessionId: 'ws-1', text: '缺了顾客' } }));
      await waitFor(() => Promise.resolve(frames.length >= 2), 10_000, () => `${frames.length} frames`);
      // Matched by requestId, not by order: a reply waits until its events are on disk, a refusal does not.
      const parsed = frames.map((frame) => botServerFrameSchema.parse(frame));
      const reply = parsed.find((frame) => frame.data.requestId === 'r-1');
      const error = parsed.find((frame) => frame.data.requestId === 'r-2');
      expect(reply).toMatchObject({ event: 'reply', data: { requestId: 'r-1', reply: { outcome: 'answered', answer: { answerId: 'shipping-fee' } } } });
      expect(error).toMatchObject({ event: 'error', data: { requestId: 'r-2' } });
      expect(error?.event === 'error' && error.data.message).toMatch(/customerId/);
    } finally {
      socket.close();
    }
  });

  it('serves the human agent: the handoff queue, accept, reply, end, flag, abandon, each recorded in ClickHouse', async () => {
    const run = Date.now().toString(36);
    const [handled, leaves, other] = [`${run}-agent`, `${run}-leaves`, `${run}-other`];
    const handoff = await ask(handled, '你们就是骗子，黑店！！');
    expect(handoff).toMatchObject({ outcome: 'handoff', handoffReason: 'negative_emotion' });
    await ask(leaves, '转人工');
    await ask(other, '转人工');

    const queue = agentQueueSchema.parse(await (await fetch(`${url}/api/agent/queue?shopId=${SHOP}&limit=500`)).json());
    const waiting = queue.waiting.find((entry) => entry.sessionId === handled);
    expect(waiting).toMatchObject({ handoffReason: 'negative_emotion', emotion: { name: 'angry' }, lastQuestion: { text: '你们就是骗子，黑店！！', eventId: handoff.questionEventId } });
    expect(waiting!.waitSec).toBeGreaterThanOrEqual(0);
    expect(queue.waitingTotal).toBeGreaterThanOrEqual(3);
    const badLimit = await fetch(`${url}/api/agent/queue?limit=0`);
    expect(badLimit.status).toBe(400);

    const chat = await post('/api/agent/accept', { shopId: SHOP, sessionId: handled, agentId: 'agent-9' }, (json) => agentChatSchema.parse(json));
    expect(chat).toMatchObject({ sessionId: handled, agentId: 'agent-9', handoffReason: 'negative_emotion' });
    // Someone else was faster: 409 with where the session stands; an unknown session: 404.
    const twice = await fetch(`${url}/api/agent/accept`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shopId: SHOP, sessionId: handled, agentId: 'agent-8' }),
    });
    expect(twice.status).toBe(409);
    expect(agentErrorSchema.parse(await twice.json())).toMatchObject({ statusCode: 409, state: 'active' });
    const unknown = await fetch(`${url}/api/agent/end`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shopId: SHOP, sessionId: `${run}-nobody`, agentId: 'agent-9' }),
    });
    expect(unknown.status).toBe(404);

    const reply = await post('/api/agent/reply', { shopId: SHOP, sessionId: handled, agentId: 'agent-9', text: '非常抱歉，我马上为您处理' }, (json) => recordedEventSchema.parse(json));
    const end = await post('/api/agent/end', { shopId: SHOP, sessionId: handled, agentId: 'agent-9' }, (json) => recordedEventSchema.parse(json));
    const flag = await post('/api/agent/flag', { shopId: SHOP, sessionId: handled, agentId: 'agent-9', text: '顾客问的新款保价规则知识库里没有' }, (json) =>
      recordedEventSchema.parse(json),
    );
    const abandon = await post('/api/chat/abandon', { shopId: SHOP, sessionId: leaves, customerId: `c-${leaves}` }, (json) => recordedEventSchema.parse(json));
    const after = agentQueueSchema.parse(await (await fetch(`${url}/api/agent/queue?shopId=${SHOP}&limit=500`)).json());
    const inQueue = new Set([...after.waiting, ...after.active].map((entry) => entry.sessionId));
    expect([inQueue.has(handled), inQueue.has(leaves), inQueue.has(other)]).toEqual([false, false, true]);

    // question + handoff ×3, then accept, reply, end, flag (handled) and abandon (leaves).
    await waitForStored([handled, leaves, other], 11);
    const rows = [...new Map((await stored([handled, leaves, other])).map((row) => [row.event_id, row])).values()];
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    expect(byId.get(chat.acceptEventId)).toMatchObject({ kind: 'agent_accept', agent_id: 'agent-9', session_id: handled });
    expect(byId.get(reply.eventId)).toMatchObject({ kind: 'agent_reply', agent_id: 'agent-9' });
    expect(byId.get(end.eventId)).toMatchObject({ kind: 'agent_end', agent_id: 'agent-9' });
    expect(byId.get(flag.eventId)).toMatchObject({ kind: 'agent_flag', agent_id: 'agent-9', ref_event_id: handoff.questionEventId });
    expect(byId.get(abandon.eventId)).toMatchObject({ kind: 'abandon', session_id: leaves });
  });

  // Delivery is at least once: a send in flight when the broker froze may have reached it and is sent
  // again from the spool (same event ids), so this checks that every event arrived, not how often.
  it('keeps answering while the broker is down, spools, and delivers every event once it is back', async () => {
    const p = pipeline();
    const session = `${Date.now().toString(36)}-outage`;
    p.broker.pause();
    try {
      const replies: ChatReply[] = [];
      for (const text of ['什么时候发货', '能开发票吗', '支持分期吗']) {
        const started = Date.now();
        replies.push(await ask(session, text));
        // Answered at once: the customer never waits for the broker.
        expect(Date.now() - started).toBeLessThan(1_000);
      }
      expect(replies.map((reply) => reply.outcome)).toEqual(['answered', 'answered', 'answered']);
      // Every event is spooled before its reply; degraded once a send to the frozen broker failed.
      await waitFor(async () => (await health()).events.spooled >= 6, 60_000, async () => JSON.stringify((await health()).events));
      await waitFor(async () => (await health()).status === 'degraded', 60_000, async () => JSON.stringify(await health()));
    } finally {
      p.broker.resume();
    }
    const rows = await waitForStored([session], 6);
    const distinct = new Map(rows.filter((row) => row.kind !== 'intent').map((row) => [row.event_id, row.kind]));
    expect([...distinct.values()].sort()).toEqual(['answer', 'answer', 'answer', 'question', 'question', 'question']);
    await waitFor(async () => (await health()).status === 'ok', 30_000, async () => JSON.stringify(await health()));
    expect((await health()).events).toMatchObject({ spooled: 0, dropped: 0 });
  });
});
