/**
 * Two bots (issue 20), through real parts: broker, store, the api with WARROOM_BOT_URLS naming both, and the
 * dev launcher's bot router in front of them. A customer's session sticks to one bot (both of its questions
 * reach the same bot, so it is handed off there and only there); agents see one queue merged from both
 * bots through the api, and accept, reply to and end customers held by either; a bot that is down leaves
 * its own customers out of the queue and nobody else's, and only its own sessions move to the other bot.
 */
import { BOT_SESSION_HEADER, agentQueueSchema, type AgentQueue } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { startBotRouter, type DevProxy } from '../../infra/dev/proxies';
import { rendezvousPick } from '../../infra/dev/rendezvous';
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

  beforeAll(async () => {
    const ports = [await freePort(), await freePort()];
    api = await pipeline().startApp(
      'ingest,api',
      // The web app is not what this test looks at: its source folder's index.html serves.
      { WEB_DIST_DIR: 'apps/web', WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URLS: ports.map((port) => `http://127.0.0.1:${port}`).join(','), WARROOM_BOT_TOKEN: BOT_TOKEN },
      { onLog: apiLog.onLog },
    );
    bots = [];
    for (const [index, port] of ports.entries()) {
      bots.push(
        await supervise({
          name: `bot-${index + 1}`,
          policy: POLICY,
          log: () => undefined,
          start: () =>
            startTestBot({ brokers: pipeline().broker.brokers, port, apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'bots-replicas', shops: SHOP, serviceTokens: [BOT_TOKEN] }),
        }),
      );
    }
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

  it("with one bot down, keeps the other bot's customers on it and in the agents' queue, and moves only the dead bot's sessions", async () => {
    const survivor = bots[0]!;
    const stillWaiting = (await queueOf(survivor)).waiting.map((session) => session.sessionId);
    const downOnes = SESSIONS.filter((session) => ownerOf(session) === 'bot-2');
    await bots[1]!.stop();

    // The queue still answers, with the survivor's customers: a dead bot does not blank the agents' desk.
    const merged = await mergedQueue();
    expect(merged.waiting.map((session) => session.sessionId).sort()).toEqual([...stillWaiting].sort());
    // A customer the dead bot held may be there: the api says it cannot tell, not that nobody has it.
    const held = downOnes.find((session) => !stillWaiting.includes(session))!;
    expect((await call(api.url!, 'POST', '/api/agent/accept', tokens.agent!, { shopId: SHOP, sessionId: held })).status).toBe(503);

    // The survivor's sessions stay where they were; the dead bot's now reach the survivor.
    const kept = stillWaiting[0]!;
    const questionsBefore = (await queueOf(survivor)).waiting.find((session) => session.sessionId === kept)!.questions;
    expect(await ask(router.url, kept, '还在吗')).toBe(200);
    await waitFor(
      async () => (await queueOf(survivor)).waiting.find((session) => session.sessionId === kept)?.questions === questionsBefore + 1,
      10_000,
      () => 'the surviving bot did not hear its own customer again',
    );
    for (const text of HANDED_OFF) expect(await ask(router.url, held, text)).toBe(200);
    expect((await queueOf(survivor)).waiting.map((session) => session.sessionId)).toContain(held);
  });
});
