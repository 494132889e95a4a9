import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BOT_SESSION_HEADER, type AgentQueue } from '@warroom/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { freePort } from './ports';
import { startApiProxy, startBotRouter, type DevProxy, type Upstream } from './proxies';
import { rendezvousPick } from '../../apps/bot/src/agent/rendezvous';

/** A stand-in process: answers every request and every WebSocket with its name; a queue of one waiting customer. */
interface FakeProcess {
  name: string;
  url: string;
  close(): Promise<void>;
}

async function fakeProcess(name: string, handedOffAt: string): Promise<FakeProcess> {
  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/api/agent/queue')) {
      if (req.headers.authorization !== 'Bearer good') return void res.writeHead(401, { 'content-type': 'application/json' }).end('{"statusCode":401,"message":"no"}');
      return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(queueOf(name, handedOffAt)));
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name, session: req.headers[BOT_SESSION_HEADER] ?? null }));
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket) => socket.send(name));
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    name,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((done) => {
        for (const client of sockets.clients) client.terminate();
        sockets.close();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

function queueOf(name: string, handedOffAt: string): AgentQueue {
  return {
    asOf: '2026-12-07T10:01:00.000Z',
    waitingTotal: 1,
    waiting: [
      {
        shopId: 'demo-electronics',
        sessionId: `waiting-on-${name}`,
        customerId: 'c',
        channel: 'web',
        source: 'rehearsal',
        mode: 'bot',
        stage: 'pre_sale',
        sku: null,
        handoffReason: 'customer_request',
        handedOffAt,
        lastQuestion: { eventId: 'q', text: '人工', at: handedOffAt },
        emotion: { name: 'neutral', intensity: 0 },
        questions: 1,
        waitSec: 1,
      },
    ],
    active: [],
  };
}

async function nameBehind(proxy: DevProxy, path = '/anything', headers: Record<string, string> = {}): Promise<string> {
  const response = await fetch(`${proxy.url}${path}`, { headers });
  return ((await response.json()) as { name: string }).name;
}

function firstMessage(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('message', (data: Buffer) => {
      resolve(data.toString());
      socket.close();
    });
    socket.once('error', reject);
  });
}

const quiet = (): void => undefined;

describe('the dev launcher proxies', () => {
  const opened: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((part) => part.close()));
  });

  async function twoProcesses(): Promise<{ a: FakeProcess; b: FakeProcess; upstreams: Upstream[] }> {
    const a = await fakeProcess('bot-1', '2026-12-07T10:00:05.000Z');
    const b = await fakeProcess('bot-2', '2026-12-07T10:00:01.000Z');
    opened.push(a, b);
    return { a, b, upstreams: [a, b].map((process) => ({ name: process.name, url: process.url })) };
  }

  async function started(proxy: Promise<DevProxy>): Promise<DevProxy> {
    const running = await proxy;
    opened.push({ close: () => running.stop() });
    return running;
  }

  it('the api proxy takes the processes that are up in turn, for requests and WebSocket upgrades, and says 502 when none is', async () => {
    const { upstreams } = await twoProcesses();
    const proxy = await started(startApiProxy({ host: '127.0.0.1', port: await freePort(), upstreams: () => upstreams, log: quiet }));
    expect([await nameBehind(proxy), await nameBehind(proxy), await nameBehind(proxy), await nameBehind(proxy)]).toEqual(['bot-1', 'bot-2', 'bot-1', 'bot-2']);
    const viaSockets = [await firstMessage(proxy.url.replace('http', 'ws')), await firstMessage(proxy.url.replace('http', 'ws'))];
    expect(viaSockets.sort()).toEqual(['bot-1', 'bot-2']);

    upstreams[0]!.url = null;
    expect([await nameBehind(proxy), await nameBehind(proxy)]).toEqual(['bot-2', 'bot-2']);
    upstreams[1]!.url = null;
    const none = await fetch(`${proxy.url}/anything`);
    expect(none.status).toBe(502);
    expect(await none.json()).toEqual({ statusCode: 502, message: 'api proxy: no process is up' });
  });

  it('the bot router sends a session to one bot every time, by header or ?session=, and only a dead bot\'s sessions move', async () => {
    const { upstreams } = await twoProcesses();
    const router = await started(startBotRouter({ host: '127.0.0.1', port: await freePort(), upstreams: () => upstreams, log: quiet }));
    const sessions = Array.from({ length: 12 }, (_, i) => `s-${i}`);
    const owners = new Map<string, string>();
    for (const session of sessions) {
      const owner = rendezvousPick(session, upstreams)!.name;
      owners.set(session, owner);
      for (let i = 0; i < 3; i += 1) expect(await nameBehind(router, '/api/chat', { [BOT_SESSION_HEADER]: session })).toBe(owner);
      expect(await firstMessage(`${router.url.replace('http', 'ws')}/chat?session=${session}`)).toBe(owner);
    }
    expect(new Set(owners.values())).toEqual(new Set(['bot-1', 'bot-2']));

    upstreams[1]!.url = null;
    for (const session of sessions) expect(await nameBehind(router, '/api/chat', { [BOT_SESSION_HEADER]: session })).toBe('bot-1');
    const bot2 = upstreams[1]!;
    bot2.url = (await twoProcesses()).b.url;
    for (const session of sessions) expect(await nameBehind(router, '/api/chat', { [BOT_SESSION_HEADER]: session })).toBe(owners.get(session));
  });

  it("the bot router merges every bot's agent queue, longest waiting first, and relays a bot's refusal", async () => {
    const { upstreams } = await twoProcesses();
    const router = await started(startBotRouter({ host: '127.0.0.1', port: await freePort(), upstreams: () => upstreams, log: quiet }));
    const merged = await fetch(`${router.url}/api/agent/queue?limit=10`, { headers: { authorization: 'Bearer good' } });
    expect(merged.status).toBe(200);
    const queue = (await merged.json()) as AgentQueue;
    expect(queue.waitingTotal).toBe(2);
    expect(queue.waiting.map((session) => session.sessionId)).toEqual(['waiting-on-bot-2', 'waiting-on-bot-1']);

    const refused = await fetch(`${router.url}/api/agent/queue?limit=10`);
    expect(refused.status).toBe(401);
  });
});
