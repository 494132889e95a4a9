/**
 * A customer is bound to their own session (issue 17), through the real bot on the real broker: with
 * BOT_CUSTOMER_SESSION_SECRET set, the bot issues a signed session token (`POST /api/chat/session`), takes a
 * customer's session and customer from it (the `x-warroom-session` header that balancers route by, or
 * `?session=` on `/chat`), and refuses a body naming any other; a service credential still names whom it acts for.
 */
import { BOT_SESSION_HEADER, botServerFrameSchema, chatReplySchema, customerSessionSchema, type CustomerSession } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { useDevBroker } from '../support/broker';

const SHOP = 'demo-electronics';
const SIM_TOKEN = 'customer-sessions-sim-token-0123456789';

async function call(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) };
}

describe('customers bound to their own session', () => {
  const broker = useDevBroker();
  let bot: AppProcess;
  const newSession = async (): Promise<CustomerSession> => {
    const issued = await call(bot.url!, '/api/chat/session', {});
    expect(issued.status, JSON.stringify(issued.body)).toBe(200);
    return customerSessionSchema.parse(issued.body);
  };
  const question = (session: Pick<CustomerSession, 'sessionId' | 'customerId'>) => ({ shopId: SHOP, sessionId: session.sessionId, customerId: session.customerId, text: '包邮吗' });

  beforeAll(async () => {
    const port = await freePort();
    bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: broker().brokers,
        PORT: String(port),
        BOT_SHOP_IDS: SHOP,
        BOT_SPOOL_DIR: `.data/test-customer-sessions-spool-${port}`,
        BOT_CAMPAIGN_ID: 'customer-sessions',
        BOT_SERVICE_TOKENS: SIM_TOKEN,
        BOT_CUSTOMER_SESSION_SECRET: 'customer-sessions-secret-0123456789abcdef',
        LOG_LEVEL: 'warn',
      },
    });
  }, 120_000);
  afterAll(async () => {
    await bot?.stop();
  });

  it('refuses a customer who names a session without a token, or another than their own', async () => {
    const victim = await newSession();
    const attacker = await newSession();
    // Without a token: the session named in the body is not the customer's to choose.
    expect((await call(bot.url!, '/api/chat', question(victim))).status).toBe(401);
    // A token, but the body names someone else's session or customer.
    const asAttacker = { [BOT_SESSION_HEADER]: attacker.token };
    expect((await call(bot.url!, '/api/chat', question(victim), asAttacker)).status).toBe(403);
    expect((await call(bot.url!, '/api/chat', { ...question(attacker), customerId: victim.customerId }, asAttacker)).status).toBe(403);
    expect((await call(bot.url!, '/api/chat/abandon', { shopId: SHOP, sessionId: victim.sessionId, customerId: victim.customerId }, asAttacker)).status).toBe(403);
    // A token whose claims were rewritten to the victim's session.
    const [prefix, , mac] = attacker.token.split('.');
    const rewritten = `${prefix}.${Buffer.from(JSON.stringify({ s: victim.sessionId, c: victim.customerId, e: Date.now() + 60_000 })).toString('base64url')}.${mac}`;
    expect((await call(bot.url!, '/api/chat', question(victim), { [BOT_SESSION_HEADER]: rewritten })).status).toBe(401);
  });

  it('answers a customer in their own session, and a service naming whom it acts for', async () => {
    const mine = await newSession();
    const answered = await call(bot.url!, '/api/chat', question(mine), { [BOT_SESSION_HEADER]: mine.token });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    expect(chatReplySchema.parse(answered.body).sessionId).toBe(mine.sessionId);
    // Not in the handoff queue: 404, past the binding.
    expect((await call(bot.url!, '/api/chat/abandon', { shopId: SHOP, sessionId: mine.sessionId, customerId: mine.customerId }, { [BOT_SESSION_HEADER]: mine.token })).status).toBe(404);
    const simulated = await call(bot.url!, '/api/chat', question({ sessionId: 'sim-s-1', customerId: 'sim-c-1' }), { authorization: `Bearer ${SIM_TOKEN}`, [BOT_SESSION_HEADER]: 'sim-s-1' });
    expect(simulated.status, JSON.stringify(simulated.body)).toBe(200);
  });

  it('binds a /chat socket to the token on its upgrade', async () => {
    const mine = await newSession();
    const other = await newSession();
    const frames = async (url: string, asks: { requestId: string; session: CustomerSession }[]) => {
      const socket = new WebSocket(url);
      try {
        await new Promise<void>((resolve, reject) => {
          socket.once('open', () => resolve());
          socket.once('error', reject);
        });
        const received: unknown[] = [];
        socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString('utf8'))));
        for (const { requestId, session } of asks) socket.send(JSON.stringify({ event: 'ask', data: { ...question(session), requestId } }));
        const deadline = Date.now() + 10_000;
        while (received.length < asks.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
        return received.map((frame) => botServerFrameSchema.parse(frame));
      } finally {
        socket.close();
      }
    };
    const base = `${bot.url!.replace(/^http/, 'ws')}/chat`;
    const bound = await frames(`${base}?session=${encodeURIComponent(mine.token)}`, [
      { requestId: 'r-mine', session: mine },
      { requestId: 'r-other', session: other },
    ]);
    expect(bound.find((frame) => frame.data.requestId === 'r-mine')?.event).toBe('reply');
    expect(bound.find((frame) => frame.data.requestId === 'r-other')).toMatchObject({ event: 'error', data: { message: 'sessionId and customerId are those of your session token' } });
    const unbound = await frames(base, [{ requestId: 'r-none', session: mine }]);
    expect(unbound[0]).toMatchObject({ event: 'error', data: { message: expect.stringMatching(/session token is required/) as unknown } });
  });
});
