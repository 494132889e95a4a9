/**
 * Two bots (issue 20), through real parts: broker, store, the api with WARROOM_BOT_URLS naming both, and the
 * dev launcher's bot router in front of them. A customer's session sticks to one bot (both of its questions
 * reach the same bot, so it is handed off there and only there); agents see one queue merged from both
 * bots through the api, and accept, reply to and end customers held by either; a bot killed -9 hands its
 * waiting customers to the other (bot.handoffs), which agents then see and take, and whose customers talk on
 * in the same conversation there; the survivor's own customers stay where they were.
 */
import { BOT_SESSION_HEADER, agentQueueSchema, chatReplySchema, type AgentQueue, type ChatReply } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startBotRouter, type DevProxy } from '../../infra/dev/proxies';
import { rendezvousPick } from '../../apps/bot/src/agent/rendezvous';
import { supervise, type Supervised } from '../../infra/dev/supervisor';
import { startTestBot } from '../support/bot';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
const BOT_TOKEN = 'test-api-on-bot-token-0123456789';
/** Nothing in the demo packs answers these: a bot that hears both from one session hands the customer over. */
const HANDED_OFF = ['能寄到南极科考站吗', '南极科考站可以送货吗'];
const SESSIONS = Array.from({ length: 8 }, (_, i) => `replicas-${i}`);
/** No restarts while a test looks: a bot stopped here stays down. */
const POLICY = { initialDelayMs: 60_000, maxDelayMs: 60_000, stableAfterMs: 60_000 };

const PRODUCT = '100012345';

/** A customer's question through the router, naming the session as the simulator does. */
async function ask(routerUrl: string, sessionId: string, text: string): Promise<number> {
  const response = await fetch(`${routerUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [BOT_SESSION_HEADER]: sessionId },
    body: JSON.stringify({ shopId: SHOP, sessionId, customerId: `c-${sessionId}`, text }),
  });
  await response.body?.cancel();
  return response.status;
}

/** The same, with the bot's answer. */
async function askFor(routerUrl: string, sessionId: string, text: string, sku?: string): Promise<ChatReply> {
  const response = await fetch(`${routerUrl}/api/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [BOT_SESSION_HEADER]: sessionId },
    body: JSON.stringify({ shopId: SHOP, sessionId, customerId: `c-${sessionId}`, text, ...(sku === undefined ? {} : { sku }) }),
  });
  expect(response.status).toBe(200);
  return chatReplySchema.parse(await response.json());
}

describe('bots: two processes', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let bots: Supervised<AppProcess>[];
  let router: DevProxy;
  let tokens: Record<string, string>;
  const apiLog = oneTimePasswordCatcher();

  /** One bot's own queue, asked directly. */
  async function queueOf(bot: Supervised<AppProcess>): Promise<AgentQueue> {
    const reply = await call(bot.current()!.url!, 'GET', `/api/agent/queue?shopId=${SHOP}&limit=100`, BOT_TOKEN);
    return agentQueueSchema.parse(reply.body);
  }

  async function mergedQueue(): Promise<AgentQueue> {
    const reply = await call(api.url!, 'GET', `/api/agent/queue?shopId=${SHOP}&limit=100`, tokens.agent!);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return agentQueueSchema.parse(reply.body);
  }

  let ports: number[];

  /** Bot `bot-<index + 1>`, on its own port (the same after a restart), named as the router names it. */
  function superviseBot(index: number): Promise<Supervised<AppProcess>> {
    return supervise({
      name: `bot-${index + 1}`,
      policy: POLICY,
      log: () => undefined,
      start: () =>
        startTestBot({
          brokers: pipeline().broker.brokers,
          port: ports[index]!,
          apiUrl: api.url!,
          serviceToken: SERVICE_TOKEN,
          campaignId: 'bots-replicas',
          shops: SHOP,
          serviceTokens: [BOT_TOKEN],
          botId: `bot-${index + 1}`,
        }),
    });
  }

  beforeAll(async () => {
    ports = [await freePort(), await freePort()];
    api = await pipeline().startApp(
      'ingest,api',
      // The web app is not what this test looks at: its source folder's index.html serves.
      { WEB_DIST_DIR: 'apps/web', WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URLS: ports.map((port) => `http://127.0.0.1:${port}`).join(','), WARROOM_BOT_TOKEN: BOT_TOKEN },
      { onLog: apiLog.onLog },
    );
    bots = [];
    for (const index of ports.keys()) bots.push(await superviseBot(index));
    router = await startBotRouter({
      host: '127.0.0.1',
      port: await freePort(),
      upstreams: () => bots.map((bot) => ({ name: bot.name, url: bot.current()?.url ?? null })),
      log: () => undefined,
    });
    tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'agent', displayName: 'Agent', role: 'agent' },
      { login: 'other', displayName: 'Other', role: 'agent' },
    ]);
  }, 180_000);
  afterAll(async () => {
    await router?.stop();
    await Promise.all((bots ?? []).map((bot) => bot.stop()));
  });

  const ownerOf = (sessionId: string): string => rendezvousPick(sessionId, bots)!.name;

  it('keeps each session on one bot, shows both bots\' customers in one queue, and lets agents take a customer of either bot', async () => {
    // Both bots hold some of these sessions (rendezvous hashing of fixed names: the same split every run).
    expect(new Set(SESSIONS.map(ownerOf))).toEqual(new Set(['bot-1', 'bot-2']));
    for (const text of HANDED_OFF) {
      for (const sessionId of SESSIONS) expect(await ask(router.url, sessionId, text)).toBe(200);
    }

    // Sticky: each session was handed off by its own bot, which heard both questions, and by no other.
    const [queue1, queue2] = [await queueOf(bots[0]!), await queueOf(bots[1]!)];
    const waitingOn = new Map([...queue1.waiting.map((s) => [s.sessionId, 'bot-1'] as const), ...queue2.waiting.map((s) => [s.sessionId, 'bot-2'] as const)]);
    expect(queue1.waiting.length + queue2.waiting.length).toBe(SESSIONS.length);
    for (const sessionId of SESSIONS) expect(waitingOn.get(sessionId)).toBe(ownerOf(sessionId));

    // The agents' view: one queue from both bots, the longest waiting first.
    const merged = await mergedQueue();
    expect(merged.waitingTotal).toBe(SESSIONS.length);
    expect(new Set(merged.waiting.map((session) => session.sessionId))).toEqual(new Set(SESSIONS));
    const handedOff = merged.waiting.map((session) => Date.parse(session.handedOffAt));
    expect(handedOff).toEqual([...handedOff].sort((a, b) => a - b));
    // The simulator's agents read the same through the router.
    const viaRouter = agentQueueSchema.parse((await call(router.url, 'GET', `/api/agent/queue?shopId=${SHOP}`, BOT_TOKEN)).body);
    expect(viaRouter.waiting.map((session) => session.sessionId)).toEqual(merged.waiting.map((session) => session.sessionId));

    // An agent takes a customer of each bot through the api; the api finds the bot holding each.
    for (const botName of ['bot-1', 'bot-2']) {
      const sessionId = SESSIONS.find((session) => ownerOf(session) === botName)!;
      const ref = { shopId: SHOP, sessionId };
      const accepted = await call(api.url!, 'POST', '/api/agent/accept', tokens.agent!, ref);
      expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
      expect(accepted.body).toMatchObject({ sessionId, agentId: 'agent' });
      // Taken: another agent is told so by the bot holding it, not "not found" by the other.
      expect((await call(api.url!, 'POST', '/api/agent/accept', tokens.other!, ref)).status).toBe(409);
      expect((await call(api.url!, 'POST', '/api/agent/reply', tokens.agent!, { ...ref, text: '您好，我来帮您查一下' })).status).toBe(200);
      expect((await call(api.url!, 'POST', '/api/agent/end', tokens.agent!, ref)).status).toBe(200);
      const holding = bots.find((bot) => bot.name === botName)!;
      expect((await queueOf(holding)).waiting.map((session) => session.sessionId)).not.toContain(sessionId);
    }
    expect((await mergedQueue()).waitingTotal).toBe(SESSIONS.length - 2);
    // Nobody holds it: every bot says so.
    expect((await call(api.url!, 'POST', '/api/agent/accept', tokens.agent!, { shopId: SHOP, sessionId: 'nobody-has-this' })).status).toBe(404);
  });

  it('hands the waiting customers of a bot killed -9 to the other: agents see them within seconds, take one, and its customer talks on in the same session', async () => {
    const [survivor, doomed] = [bots[0]!, bots[1]!];
    // The customers of the bot about to die tell it which product they are asking about (the conversation's memory).
    const waitingNow = new Set((await mergedQueue()).waiting.map((session) => session.sessionId));
    const orphans = SESSIONS.filter((session) => ownerOf(session) === 'bot-2' && waitingNow.has(session));
    expect(orphans.length).toBeGreaterThan(1);
    for (const sessionId of orphans) expect((await askFor(router.url, sessionId, '这个能寄到南极科考站吗', PRODUCT)).sessionId).toBe(sessionId);
    const before = await mergedQueue();
    const survivorsOwn = (await queueOf(survivor)).waiting.map((session) => session.sessionId);

    await doomed.current()!.kill();

    // Every one of them is in the agents' queue again, from the survivor, with their place, wait and newest question.
    await waitFor(
      async () => {
        const held = new Set((await queueOf(survivor)).waiting.map((session) => session.sessionId));
        return orphans.every((sessionId) => held.has(sessionId));
      },
      20_000,
      () => 'the surviving bot did not take over the dead bot\'s waiting customers',
    );
    const after = await mergedQueue();
    expect(after.waitingTotal).toBe(before.waitingTotal);
    expect(after.waiting.map((session) => session.sessionId).sort()).toEqual(before.waiting.map((session) => session.sessionId).sort());
    for (const waiting of before.waiting) {
      const taken = after.waiting.find((session) => session.sessionId === waiting.sessionId);
      expect(taken).toEqual({ ...waiting, waitSec: expect.any(Number) as number });
    }
    // The survivor's own customers are where they were, each once.
    expect((await queueOf(survivor)).waiting.map((session) => session.sessionId).sort()).toEqual([...survivorsOwn, ...orphans].sort());

    // An agent takes one through the api; the survivor holds it now.
    const sessionId = orphans[0]!;
    const ref = { shopId: SHOP, sessionId };
    const accepted = await call(api.url!, 'POST', '/api/agent/accept', tokens.agent!, ref);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body).toMatchObject({ sessionId, agentId: 'agent', handedOffAt: before.waiting.find((session) => session.sessionId === sessionId)!.handedOffAt });

    // The customer's next message reaches the survivor and continues the conversation: the product it was about,
    // and the agent holding the chat sees it as the newest of the same queued session.
    const next = await askFor(router.url, sessionId, '请问还要等多久');
    expect(next.sku).toBe(PRODUCT);
    const chat = (await queueOf(survivor)).active.find((held) => held.sessionId === sessionId);
    const questionsBefore = before.waiting.find((session) => session.sessionId === sessionId)!.questions;
    expect(chat).toMatchObject({ agentId: 'agent', lastQuestion: { text: '请问还要等多久' }, questions: questionsBefore + 1 });
    expect((await call(api.url!, 'POST', '/api/agent/reply', tokens.agent!, { ...ref, text: '马上为您查询' })).status).toBe(200);
    expect((await call(api.url!, 'POST', '/api/agent/end', tokens.agent!, ref)).status).toBe(200);
    expect((await mergedQueue()).waitingTotal).toBe(before.waitingTotal - 1);
  });

  it('gives those customers back to the killed bot when it starts again, as the router sends them there again, and they talk on there', async () => {
    const survivor = bots[0]!;
    const before = await mergedQueue();
    const comingBack = before.waiting.filter((session) => ownerOf(session.sessionId) === 'bot-2');
    expect(comingBack.length).toBeGreaterThan(0);
    await bots[1]!.stop();
    bots[1] = await superviseBot(1);

    await waitFor(
      async () => {
        const back = new Set((await queueOf(bots[1]!)).waiting.map((session) => session.sessionId));
        return comingBack.every((session) => back.has(session.sessionId));
      },
      20_000,
      () => 'the surviving bot did not hand the customers back to the restarted bot',
    );
    const kept = (await queueOf(survivor)).waiting.map((session) => session.sessionId);
    for (const session of comingBack) expect(kept).not.toContain(session.sessionId);
    const after = await mergedQueue();
    expect(after.waitingTotal).toBe(before.waitingTotal);
    for (const waiting of before.waiting) expect(after.waiting.find((session) => session.sessionId === waiting.sessionId)).toEqual({ ...waiting, waitSec: expect.any(Number) as number });

    const { sessionId, questions } = comingBack[0]!;
    expect((await askFor(router.url, sessionId, '我还在等')).sku).toBe(PRODUCT);
    expect((await queueOf(bots[1])).waiting.find((session) => session.sessionId === sessionId)).toMatchObject({ questions: questions + 1, lastQuestion: { text: '我还在等' } });
  });
});
