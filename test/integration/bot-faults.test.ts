/**
 * The bot under faults and floods (issue 16). It loses nothing it answered: customers ask through `POST /api/chat` under load, the
 * bot process is killed with SIGKILL in the middle of it, a new one starts on the same spool directory,
 * and every question whose reply a client got is then in Kafka `chat.events` (read back with kafkajs;
 * ingest is not needed for this). Delivery is at least once: a question may arrive twice, never not.
 * Through the real broker, a customer's text with a lone UTF-16 surrogate is answered, and its event
 * carries the text repaired, so the store will take it. A WebSocket frame past the size limit closes
 * only its own socket.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOT_CHAT_MAX_FRAME_BYTES, botServerFrameSchema, chatEventSchema, chatReplySchema, type ChatEvent, type ChatReply } from '@warroom/contracts';
import { TOPICS, createKafka } from '@warroom/kafka';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { describeWithDevBroker, useDevBroker } from '../support/broker';
import { waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const QUESTIONS = ['保修几年', '这款多重', '你好', '转人工', '量子纠缠与宇宙膨胀的哲学意义', '支持快充吗'];
const CLIENTS = 6;

describeWithDevBroker('bot under faults and floods', () => {
  const broker = useDevBroker();
  let spoolDir: string;
  let bot: AppProcess | undefined;
  let consumer: Consumer | undefined;
  /** Every event read from chat.events so far, by event id. */
  const produced = new Map<string, ChatEvent>();

  const startBot = (): Promise<AppProcess> =>
    startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: broker().brokers,
        PORT: '0',
        BOT_SHOP_IDS: SHOP,
        BOT_PACK_DIR: 'packs',
        BOT_SPOOL_DIR: spoolDir,
        BOT_SOURCE: 'rehearsal',
        BOT_CAMPAIGN_ID: 'it-bot-crash',
        LOG_LEVEL: 'warn',
      },
      onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
    });

  beforeAll(async () => {
    spoolDir = mkdtempSync(join(tmpdir(), 'bot-crash-spool-'));
    const kafka = createKafka({ brokers: broker().brokers, clientId: 'bot-crash-reader', logLevel: 'nothing' });
    consumer = kafka.consumer({ groupId: `bot-crash-${Date.now()}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.chatEvents.name, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        const event = chatEventSchema.parse(JSON.parse(message.value?.toString('utf8') ?? 'null'));
        produced.set(event.eventId, event);
        return Promise.resolve();
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect();
    await bot?.stop();
    rmSync(spoolDir, { recursive: true, force: true });
  });

  async function ask(url: string, sessionId: string, text: string): Promise<ChatReply> {
    const response = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ shopId: SHOP, sessionId, customerId: `c-${sessionId}`, text }),
    });
    if (response.status !== 200) throw new Error(`POST /api/chat answered ${response.status}: ${await response.text()}`);
    return chatReplySchema.parse(await response.json());
  }

  it('has every question a client got a reply to in chat.events after a SIGKILL and a restart', async () => {
    bot = await startBot();
    const url = bot.url ?? '';
    const answered: string[] = [];
    let stopped = false;
    const client = async (index: number): Promise<void> => {
      for (let n = 0; !stopped; n += 1) {
        try {
          const reply = await ask(url, `crash-${index}-${n % 50}`, QUESTIONS[n % QUESTIONS.length] ?? '你好');
          answered.push(reply.questionEventId);
        } catch {
          // The connection died with the process: this question got no reply, so nothing is owed for it.
          return;
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, index) => client(index));
    await waitFor(() => Promise.resolve(answered.length >= 300), 30_000, () => `only ${answered.length} replies`);
    await bot.kill();
    stopped = true;
    await Promise.all(clients);
    const owed = [...answered];

    bot = await startBot();
    await waitFor(
      () => Promise.resolve(owed.every((id) => produced.has(id))),
      30_000,
      () => `${owed.filter((id) => !produced.has(id)).length} of ${owed.length} answered questions missing from chat.events`,
    );
    expect(owed.length).toBeGreaterThanOrEqual(300);
    // Each answered question's event is whole: the question kind, its text as asked.
    for (const id of owed) expect(produced.get(id)).toMatchObject({ kind: 'question' });
  });

  it('answers a text with a lone surrogate and produces it repaired', async () => {
    bot ??= await startBot();
    const reply = await ask(bot.url ?? '', 'surrogate-1', '退货 \ud800');
    expect(reply.outcome).toBeDefined();
    await waitFor(() => Promise.resolve(produced.has(reply.questionEventId)), 15_000, () => 'the question never reached chat.events');
    const event = produced.get(reply.questionEventId);
    expect(event?.kind === 'question' ? event.text : null).toBe('退货 \ufffd');
  });

  it('closes a socket that sends a frame past the limit (1009), and the others keep working', async () => {
    bot ??= await startBot();
    const wsUrl = `${(bot.url ?? '').replace(/^http/, 'ws')}/chat`;
    const open = async (): Promise<WebSocket> => {
      const socket = new WebSocket(wsUrl);
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      return socket;
    };
    const flooder = await open();
    const neighbour = await open();
    const closed = new Promise<number>((resolve) => flooder.once('close', (code) => resolve(code)));
    const text = '退'.repeat(BOT_CHAT_MAX_FRAME_BYTES);
    flooder.send(JSON.stringify({ event: 'ask', data: { shopId: SHOP, sessionId: 'flood-1', customerId: 'c-flood', text } }));
    expect(await closed).toBe(1009);

    const reply = new Promise<unknown>((resolve) => neighbour.once('message', (data: Buffer) => resolve(JSON.parse(data.toString('utf8')))));
    neighbour.send(JSON.stringify({ event: 'ask', data: { shopId: SHOP, sessionId: 'ws-ok-1', customerId: 'c-ok', text: '保修几年', requestId: 'r-1' } }));
    expect(botServerFrameSchema.parse(await reply)).toMatchObject({ event: 'reply', data: { requestId: 'r-1' } });
    neighbour.close();
  });
});
