import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chatReplySchema, type ChatEvent } from '@warroom/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentDeskService } from '../agent/agent-desk.service';
import { HandoffQueue } from '../agent/handoff-queue';
import type { EventSink } from '../events/event-outbox';
import { testKnowledgeBase } from '../testing/packs';
import { ChatRoute } from './chat-route';
import { ChatService } from './chat.service';
import { SessionStore } from './session-store';

describe('ChatRoute', () => {
  let server: Server;
  let base: string;
  let events: ChatEvent[];
  const errors: string[] = [];

  beforeEach(async () => {
    events = [];
    errors.length = 0;
    const sink: EventSink = { publish: (published) => void events.push(...published) };
    const kb = testKnowledgeBase();
    const sessions = new SessionStore({ idleMs: 60_000, max: 100 });
    const clock = { now: () => Date.now() };
    const settings = { campaignId: 'c-1', source: 'rehearsal' as const, channel: 'app' as const, angryHandoffIntensity: 0.7 };
    const desk = new AgentDeskService(new HandoffQueue({ max: 100, activeIdleMs: 60_000 }), sessions, kb, sink, clock, settings, { maxWaitMs: 60_000 });
    const chat = new ChatService(kb, sessions, sink, clock, settings, desk);
    // The framework's listener: whatever the route does not take.
    server = createServer((_req, res) => {
      res.writeHead(418, { 'content-type': 'text/plain' });
      res.end('framework');
    });
    new ChatRoute(chat, { error: (message) => void errors.push(message) }).mount(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (path: string, body: string, contentType = 'application/json') =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const question = { shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1', text: '保修几年' };

  it('answers a customer message and records its events', async () => {
    const response = await post('/api/chat', JSON.stringify(question));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(chatReplySchema.parse(await response.json())).toMatchObject({ outcome: 'answered', answer: { answerId: 'warranty' } });
    expect(events.map((event) => event.kind)).toEqual(['question', 'answer']);
  });

  it('matches the path as Express did: any case, a trailing slash, a query string', async () => {
    for (const path of ['/API/Chat', '/api/chat/', '/api/chat?trace=1']) {
      expect((await post(path, JSON.stringify(question))).status).toBe(200);
    }
  });

  it('leaves every other request to the framework', async () => {
    expect((await post('/api/chat/order', '{}')).status).toBe(418);
    expect((await fetch(`${base}/api/chat`)).status).toBe(418);
    expect((await fetch(`${base}/health`)).status).toBe(418);
  });

  it('refuses an invalid message with 400 naming every failing path', async () => {
    const response = await post('/api/chat', JSON.stringify({ ...question, text: ' ', extra: 1 }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { message: string; issues: { path: string }[] };
    expect(body.message).toBe('Invalid request');
    expect(body.issues.map((issue) => issue.path).sort()).toEqual(['', 'text']);
    expect(events).toEqual([]);
  });

  it('refuses a body that is not JSON, or not sent as JSON, with 400', async () => {
    expect((await post('/api/chat', '{"shopId":')).status).toBe(400);
    expect((await post('/api/chat', JSON.stringify(question), 'text/plain')).status).toBe(400);
  });

  it('refuses a body over 100 KiB with 413', async () => {
    expect((await post('/api/chat', JSON.stringify({ ...question, text: 'x'.repeat(110 * 1024) }))).status).toBe(413);
  });

  it('answers 404 naming a shop this bot does not serve', async () => {
    const response = await post('/api/chat', JSON.stringify({ ...question, shopId: 'shop-z' }));
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ statusCode: 404, message: 'this bot does not serve shop shop-z', shopId: 'shop-z' });
  });
});
