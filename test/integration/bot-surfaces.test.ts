/**
 * The bot's two surfaces (issue 17), through the real bot on the real broker: customers reach only the
 * customer surface (ask, abandon, `/chat`, health); the agents' desk, previews, matching and orders answer
 * only a service credential (BOT_SERVICE_TOKENS, two valid at once during a rotation); and a question's mode,
 * channel and source come from the deployment or a service, never from a customer's body.
 *
 * The routes come from the bot itself ("Mapped {path, METHOD} route" at start), so a route added without a
 * row in SURFACE fails here.
 */
import { botServerFrameSchema, chatReplySchema } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startAppProcess, type AppProcess } from '../../infra/dev/app-process';
import { freePort } from '../../infra/dev/ports';
import { useDevBroker } from '../support/broker';

const SHOP = 'demo-electronics';
const API_TOKEN = 'bot-surfaces-api-token-0123456789';
const SIM_TOKEN = 'bot-surfaces-sim-token-0123456789';

/** Who may call each route of the bot: customers (anyone) or services. Written from DESIGN.md's roles. */
const SURFACE: Record<string, 'customer' | 'service'> = {
  'POST /api/chat': 'customer',
  'POST /api/chat/abandon': 'customer',
  // Issues a customer's session token (404 where BOT_CUSTOMER_SESSION_SECRET is unset, as here).
  'POST /api/chat/session': 'customer',
  // A customer answers the bot's outreach (issue 22); the inbox lists every customer's messages.
  'POST /api/outreach/reply': 'customer',
  'GET /api/outreach/inbox': 'service',
  'GET /health': 'customer',
  // Open like /health: Prometheus scrapes the pod (counts, times and statuses only).
  'GET /metrics': 'customer',
  'POST /api/chat/agent-reply': 'service',
  'POST /api/chat/order': 'service',
  'GET /api/agent/queue': 'service',
  'POST /api/agent/accept': 'service',
  'POST /api/agent/reply': 'service',
  'POST /api/agent/end': 'service',
  'POST /api/agent/flag': 'service',
  'POST /api/kb/preview': 'service',
  'POST /api/kb/match': 'service',
};

const MAPPED_ROUTE = /Mapped \{([^,]+), (GET|POST|PUT|PATCH|DELETE)\} route/;

async function call(base: string, method: string, path: string, token: string | null, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  // A JSON answer is parsed; any other (the metrics' text format) is kept as text.
  const json = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, body: text === '' ? null : json ? (JSON.parse(text) as unknown) : text };
}

describe("the bot's customer and internal surfaces", () => {
  const broker = useDevBroker();
  let bot: AppProcess;
  const routes = new Set<string>();

  beforeAll(async () => {
    const port = await freePort();
    bot = await startAppProcess({
      name: 'bot',
      entry: 'apps/bot/src/main.ts',
      env: {
        KAFKA_BROKERS: broker().brokers,
        PORT: String(port),
        BOT_SHOP_IDS: SHOP,
        BOT_SPOOL_DIR: `.data/test-bot-surfaces-spool-${port}`,
        BOT_CAMPAIGN_ID: 'bot-surfaces',
        BOT_SERVICE_TOKENS: `${API_TOKEN},${SIM_TOKEN}`,
        LOG_LEVEL: 'log',
      },
      onLog: (line) => {
        const mapped = MAPPED_ROUTE.exec(line);
        if (mapped) routes.add(`${mapped[2]} ${mapped[1]}`);
      },
    });
  }, 120_000);
  afterAll(async () => {
    await bot?.stop();
  });

  it('has a row for every route the bot maps', () => {
    expect(routes.size).toBeGreaterThan(8);
    expect([...routes].filter((route) => !(route in SURFACE)).sort()).toEqual([]);
    expect(Object.keys(SURFACE).filter((route) => !routes.has(route)).sort()).toEqual([]);
  });

  it('answers the internal routes only with a service credential, either of the two during a rotation', async () => {
    const wrong: string[] = [];
    for (const route of [...routes].sort()) {
      const [method, path] = route.split(' ') as [string, string];
      const body = method === 'GET' ? undefined : {};
      const query = path === '/api/agent/queue' ? `?shopId=${SHOP}` : '';
      for (const [caller, token] of [['nobody', null], ['a stranger', 'not-a-token-of-ours-0123456789'], ['the api', API_TOKEN], ['the simulator', SIM_TOKEN]] as const) {
        const { status } = await call(bot.url!, method, `${path}${query}`, token, body);
        const admitted = SURFACE[route] === 'customer' || token === API_TOKEN || token === SIM_TOKEN;
        if (admitted ? status === 401 || status === 403 : status !== 401) wrong.push(`${route} as ${caller}: ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("answers a customer, but not a customer's choice of mode, channel or source; a service may choose them", async () => {
    const ask = { shopId: SHOP, sessionId: 's-surface', customerId: 'c-surface', text: '包邮吗' };
    const plain = await call(bot.url!, 'POST', '/api/chat', null, ask);
    expect(plain.status).toBe(200);
    expect(chatReplySchema.parse(plain.body).outcome).toBe('answered');
    for (const chosen of [{ mode: 'assist' }, { source: 'rehearsal' }, { channel: 'web' }, { originalEventId: 'e-1' }]) {
      const refused = await call(bot.url!, 'POST', '/api/chat', null, { ...ask, ...chosen });
      expect(refused.status, JSON.stringify(chosen)).toBe(403);
      expect(JSON.stringify(refused.body)).toMatch(/set by the deployment or a service credential/);
    }
    const assisted = await call(bot.url!, 'POST', '/api/chat', SIM_TOKEN, { ...ask, sessionId: 's-assist', mode: 'assist' });
    expect(assisted.status).toBe(200);
    expect(chatReplySchema.parse(assisted.body).outcome).toBe('handoff');
  });

  it('refuses the same choice on the /chat WebSocket, where no credential travels', async () => {
    const socket = new WebSocket(`${bot.url!.replace(/^http/, 'ws')}/chat`);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('open', () => resolve());
        socket.once('error', reject);
      });
      const frames: unknown[] = [];
      socket.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
      const ask = { shopId: SHOP, sessionId: 'ws-surface', customerId: 'c-ws', text: '包邮吗' };
      socket.send(JSON.stringify({ event: 'ask', data: { ...ask, requestId: 'r-plain' } }));
      socket.send(JSON.stringify({ event: 'ask', data: { ...ask, requestId: 'r-assist', mode: 'assist' } }));
      const deadline = Date.now() + 10_000;
      while (frames.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const parsed = frames.map((frame) => botServerFrameSchema.parse(frame));
      expect(parsed.find((frame) => frame.data.requestId === 'r-plain')?.event).toBe('reply');
      expect(parsed.find((frame) => frame.data.requestId === 'r-assist')).toMatchObject({ event: 'error', data: { message: expect.stringMatching(/^mode: set by the deployment/) as unknown } });
    } finally {
      socket.close();
    }
  });
});
