/**
 * The bot reaching high-intent customers (issue 22) through the real broker: the bot as its own process,
 * its ChatEvents read back from `chat.events`, its contact memory on `outreach.contacts`. A hesitating
 * session that ends produces one outreach (and the simulated inbox lists it); a second session of the same
 * customer the same day produces none; a customer who answered "no" is never reached again, also by the
 * bot restarted (which rebuilds its memory from Kafka); a scenario the shop keeps for humans opens a
 * follow-up instead.
 *
 * The shop's quiet hours are taken out of a copy of the packs, so the test means the same at any hour.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  chatEventSchema,
  chatReplySchema,
  outreachInboxSchema,
  outreachReplyResultSchema,
  type ChatEvent,
  type OutreachReplyResult,
} from '@warroom/contracts';
import { TOPICS, createKafka } from '@warroom/kafka';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { describeWithDevBroker, useDevBroker } from '../support/broker';
import { waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const CAMPAIGN = 'it-outreach';
const SERVICE_TOKEN = 'outreach-test-service-token-0123';
const IDLE_MS = 1000;
/** The packs' own example questions, so the bot answers them (two unmatched in a row would hand the session off). */
const HESITATING = ['现在是最低价吗', '还有现货吗', '优惠券怎么使用'];

describeWithDevBroker('outreach through the real broker', () => {
  const broker = useDevBroker();
  let bot: AppProcess | undefined;
  let consumer: Consumer | undefined;
  let dir: string;
  const events: ChatEvent[] = [];

  const startBot = (): Promise<AppProcess> =>
    startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: broker().brokers,
        PORT: '0',
        BOT_SHOP_IDS: SHOP,
        BOT_PACK_DIR: join(dir, 'packs'),
        BOT_SPOOL_DIR: join(dir, 'spool'),
        BOT_SOURCE: 'rehearsal',
        BOT_CAMPAIGN_ID: CAMPAIGN,
        BOT_SERVICE_TOKENS: SERVICE_TOKEN,
        BOT_OUTREACH_IDLE_MS: String(IDLE_MS),
        BOT_OUTREACH_SWEEP_MS: '200',
        LOG_LEVEL: 'warn',
      },
      onLog: process.env.TEST_APP_LOGS ? undefined : () => undefined,
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outreach-it-'));
    cpSync('packs', join(dir, 'packs'), { recursive: true });
    const shopFile = join(dir, 'packs', 'shops', `${SHOP}.json`);
    const shop = JSON.parse(readFileSync(shopFile, 'utf8')) as { outreach: { quietHours?: unknown } };
    delete shop.outreach.quietHours;
    writeFileSync(shopFile, JSON.stringify(shop));

    const kafka = createKafka({ brokers: broker().brokers, clientId: 'outreach-reader', logLevel: 'nothing' });
    consumer = kafka.consumer({ groupId: `outreach-${Date.now()}`, sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.chatEvents.name, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        events.push(chatEventSchema.parse(JSON.parse(message.value?.toString('utf8') ?? 'null')));
        return Promise.resolve();
      },
    });
    bot = await startBot();
  }, 120_000);

  afterAll(async () => {
    await consumer?.disconnect();
    await bot?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const url = (): string => bot?.url ?? '';

  async function ask(sessionId: string, customerId: string, text: string): Promise<void> {
    const response = await fetch(`${url()}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-warroom-session': sessionId },
      body: JSON.stringify({ shopId: SHOP, sessionId, customerId, text }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    chatReplySchema.parse(await response.json());
  }

  async function conversation(sessionId: string, customerId: string, messages: readonly string[]): Promise<void> {
    for (const text of messages) await ask(sessionId, customerId, text);
  }

  const ofSession = (sessionId: string, kind: ChatEvent['kind']): ChatEvent[] =>
    events.filter((event) => event.sessionId === sessionId && event.kind === kind);

  /** The bot's count of judged sessions with this outcome (`/metrics`). */
  async function outcomes(outcome: string): Promise<number> {
    const text = await (await fetch(`${url()}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`warroom_bot_outreach_sessions_total{`) && l.includes(`outcome="${outcome}"`));
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  }

  async function reply(sessionId: string, customerId: string, outreachEventId: string, text: string): Promise<OutreachReplyResult> {
    const response = await fetch(`${url()}/api/outreach/reply`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-warroom-session': sessionId },
      body: JSON.stringify({ shopId: SHOP, sessionId, customerId, outreachEventId, text }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return outreachReplyResultSchema.parse(await response.json());
  }

  it('sends one outreach when a hesitating session ends, records intent as it changes, and lists it in the inbox', async () => {
    await conversation('a-1', 'cust-a', [...HESITATING, '优惠券怎么使用']);
    await waitFor(() => Promise.resolve(ofSession('a-1', 'outreach').length === 1), 30_000, () => `outreach of a-1: ${ofSession('a-1', 'outreach').length}`);
    const [outreach] = ofSession('a-1', 'outreach');
    expect(outreach).toMatchObject({ kind: 'outreach', scenario: 'hesitating', customerId: 'cust-a', source: 'rehearsal', campaignId: CAMPAIGN, mode: 'bot' });
    // One intent event per change of score: three cues, the repeated one adds nothing.
    expect(ofSession('a-1', 'intent').map((event) => (event.kind === 'intent' ? event.intentScore : null))).toEqual([0.35, 0.55, 0.7]);

    const unauthorised = await fetch(`${url()}/api/outreach/inbox`);
    expect(unauthorised.status).toBe(401);
    const inbox = outreachInboxSchema.parse(await (await fetch(`${url()}/api/outreach/inbox`, { headers: { authorization: `Bearer ${SERVICE_TOKEN}` } })).json());
    expect(inbox.deliveries).toMatchObject([{ outreachEventId: outreach!.eventId, sessionId: 'a-1', customerId: 'cust-a', scenario: 'hesitating' }]);
  });

  it('does not reach the same customer twice the same day', async () => {
    const capped = await outcomes('daily_cap');
    await conversation('a-2', 'cust-a', HESITATING);
    await waitFor(async () => (await outcomes('daily_cap')) === capped + 1, 30_000, () => 'a-2 judged');
    expect(ofSession('a-2', 'outreach')).toEqual([]);
    expect(ofSession('a-2', 'intent').length).toBeGreaterThan(0);
  });

  it('never reaches a customer who said no, also after the bot restarts', async () => {
    await conversation('b-1', 'cust-b', HESITATING);
    await waitFor(() => Promise.resolve(ofSession('b-1', 'outreach').length === 1), 30_000, () => 'outreach of b-1');
    const answer = await reply('b-1', 'cust-b', ofSession('b-1', 'outreach')[0]!.eventId, '不用了，别再发了');
    expect(answer.optOut).toBe(true);
    await waitFor(() => Promise.resolve(ofSession('b-1', 'outreach_reply').length === 1), 30_000, () => 'reply of b-1');
    expect(ofSession('b-1', 'outreach_reply')[0]).toMatchObject({ optOut: true, text: '不用了，别再发了', customerId: 'cust-b' });

    await conversation('b-2', 'cust-b', HESITATING);
    await waitFor(async () => (await outcomes('opted_out')) === 1, 30_000, () => 'b-2 judged');

    await bot?.stop();
    bot = await startBot();
    await conversation('b-3', 'cust-b', HESITATING);
    // The restarted bot counts from zero: this is b-3, refused for the "no" it read back from the log.
    await waitFor(async () => (await outcomes('opted_out')) === 1, 30_000, () => 'b-3 judged');
    expect(ofSession('b-2', 'outreach')).toEqual([]);
    expect(ofSession('b-3', 'outreach')).toEqual([]);
  });

  it('opens a follow-up for a scenario the shop keeps for humans, and sends nothing', async () => {
    await conversation('c-1', 'cust-c', ['之前买的手机配件坏了，想再买一个同款']);
    await waitFor(() => Promise.resolve(ofSession('c-1', 'follow_up_open').length === 1), 30_000, () => 'follow-up of c-1');
    expect(ofSession('c-1', 'follow_up_open')[0]).toMatchObject({ scenario: 'repurchase', customerId: 'cust-c' });
    expect(ofSession('c-1', 'outreach')).toEqual([]);
  });
});
