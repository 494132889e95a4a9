/**
 * Who may read a conversation (issue 17), through real parts: broker, store, api with ingest, and the bot.
 * A conversation holds what the customer typed, unmasked: an agent reads the ones they hold, a lead any
 * (audited, once an hour per conversation, not at each of the console's refreshes); a flag's text is
 * masked in the audit log.
 */
import { auditListSchema, chatReplySchema } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../infra/dev/ports';
import type { AppProcess } from '../../infra/dev/app-process';
import { startTestBot } from '../support/bot';
import { call, oneTimePasswordCatcher, setUpUsers } from '../support/http';
import { usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'demo-electronics';
const SERVICE_TOKEN = 'test-service-token-0123456789';
const BOT_TOKEN = 'test-api-on-bot-token-0123456789';
/** Nothing in the demo packs answers these: the bot misses twice and hands the customer over. */
const HANDED_OFF = ['能寄到南极科考站吗，电话13812345678', '南极科考站可以送货吗'];

describe('agent desk: who reads a conversation', () => {
  const pipeline = usePipeline();
  let api: AppProcess;
  let bot: AppProcess;
  let tokens: Record<string, string>;
  const apiLog = oneTimePasswordCatcher();

  beforeAll(async () => {
    const botPort = await freePort();
    // The api reaches the bot's agent routes with a credential of its own, as under npm start.
    api = await pipeline().startApp(
      'ingest,api',
      { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN, WARROOM_BOT_URL: `http://127.0.0.1:${botPort}`, WARROOM_BOT_TOKEN: BOT_TOKEN },
      { onLog: apiLog.onLog },
    );
    bot = await startTestBot({ brokers: pipeline().broker.brokers, port: botPort, apiUrl: api.url!, serviceToken: SERVICE_TOKEN, campaignId: 'agent-desk', shops: SHOP, serviceTokens: [BOT_TOKEN] });
    tokens = await setUpUsers(api.url!, apiLog.password(), [
      { login: 'holder', displayName: 'Holder', role: 'agent' },
      { login: 'other', displayName: 'Other', role: 'agent' },
      { login: 'boss', displayName: 'Boss', role: 'lead' },
    ]);
  }, 120_000);
  afterAll(async () => {
    await bot?.stop();
  });

  it("lets an agent read only the conversations they hold, a lead any (audited once), and masks a flag's text in the audit log", async () => {
    const sessionId = 's-antarctica';
    for (const text of HANDED_OFF) {
      const reply = await call(bot.url!, 'POST', '/api/chat', null, { shopId: SHOP, sessionId, customerId: 'c-antarctica', text });
      expect(reply.status, JSON.stringify(reply.body)).toBe(200);
      chatReplySchema.parse(reply.body);
    }
    const ref = { shopId: SHOP, sessionId };
    await waitFor(
      async () => JSON.stringify((await call(api.url!, 'GET', `/api/agent/queue?shopId=${SHOP}`, tokens.holder!)).body).includes(sessionId),
      15_000,
      () => 'the handed-off customer is not in the queue',
    );
    const path = `/api/agent/conversation?shopId=${SHOP}&sessionId=${sessionId}`;

    // Nobody holds it yet: no agent reads it.
    expect((await call(api.url!, 'GET', path, tokens.holder!)).status).toBe(403);
    expect((await call(api.url!, 'POST', '/api/agent/accept', tokens.holder!, ref)).status).toBe(200);
    // At once, before ingest stored the accept: this api saw it.
    expect((await call(api.url!, 'GET', path, tokens.holder!)).status).toBe(200);
    const other = await call(api.url!, 'GET', path, tokens.other!);
    expect(other.status).toBe(403);
    expect(JSON.stringify(other.body)).not.toContain('南极');

    // The lead reads it, at every refresh of the console, and is audited once.
    await waitFor(
      async () => JSON.stringify((await call(api.url!, 'GET', path, tokens.boss!)).body).includes(HANDED_OFF[1]!),
      30_000,
      () => 'the conversation was not stored',
    );
    expect((await call(api.url!, 'GET', path, tokens.boss!)).status).toBe(200);

    const flagged = await call(api.url!, 'POST', '/api/agent/flag', tokens.holder!, { ...ref, text: '客户问南极配送，电话13812345678' });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(200);

    const audit = auditListSchema.parse((await call(api.url!, 'GET', `/api/audit?target=${encodeURIComponent(`${SHOP}/${sessionId}`)}`, tokens.admin!)).body);
    expect(audit.entries.filter((entry) => entry.action === 'agent.conversation_read').map((entry) => entry.actor.login)).toEqual(['boss']);
    const flag = audit.entries.find((entry) => entry.action === 'agent.flag');
    expect(JSON.stringify(flag?.details)).not.toContain('13812345678');
    expect(JSON.stringify(flag?.details)).toContain('[手机号]');
  });
});
