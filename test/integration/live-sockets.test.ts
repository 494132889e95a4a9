/**
 * `/live` stays bounded whatever one socket sends (issue 16): a frame larger than the limit closes that
 * socket (1009) and no other; frames of one socket are handled in order, so two `subscribe` frames sent
 * back to back leave one subscription, not two; and every subscription ends with its socket, whether the
 * client closes it or its token is revoked while it is open.
 *
 * The api runs in this process (the `api` role, booted like main.ts) against the real dev broker and dev
 * store, with a real `ws` client. The live metrics' and the gaps' own `subscribe` are wrapped to count the
 * subscriptions they handed out and not yet ended, and to take 50 ms before subscribing (as a first
 * snapshot computed in the store does), so that two frames of one socket would overlap if handled side by
 * side.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import { issuedKioskTokenSchema, serverFrameSchema, type ClientFrame, type ServerFrame } from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { AppModule } from '../../apps/api/src/app.module';
import { oneTimePasswordIn } from '../../apps/api/src/auth/first-admin';
import { parseApiConfig } from '../../apps/api/src/config/api-config';
import { GapsService } from '../../apps/api/src/gaps/gaps.service';
import { LIVE_MAX_CLIENT_FRAME_BYTES, LiveGateway } from '../../apps/api/src/live/live.gateway';
import { LiveMetricsService } from '../../apps/api/src/live/live-metrics.service';
import type { PushViewer } from '../../apps/api/src/push/push-rooms';
import { call, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, SESSION_SECRET, usePipeline, waitFor } from '../support/pipeline';

const SUBSCRIBE_DELAY_MS = 50;

class LiveClient {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<number>;
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.frames.push(serverFrameSchema.parse(JSON.parse(bytes.toString('utf8'))));
    });
    this.closed = new Promise((resolve) => socket.once('close', (code: number) => resolve(code)));
  }
  static open(base: string, token = KIOSK_TOKEN): Promise<LiveClient> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/live?token=${token}`);
    const client = new LiveClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }
  send(frame: ClientFrame | string): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }
  close(): void {
    this.socket.close();
  }
}

/** Subscriptions a service handed out and that were not ended yet, seen from outside the service. */
interface Held {
  count: number;
}

/** Wraps `service.subscribe`: slower by SUBSCRIBE_DELAY_MS, and counting what is held. */
function countSubscriptions<Q>(service: { subscribe: (subscriber: PushViewer, query: Q) => Promise<() => void> }): Held {
  const held: Held = { count: 0 };
  const original = service.subscribe.bind(service);
  vi.spyOn(service, 'subscribe').mockImplementation(async (subscriber, query) => {
    await new Promise((done) => setTimeout(done, SUBSCRIBE_DELAY_MS));
    const unsubscribe = await original(subscriber, query);
    held.count += 1;
    let ended = false;
    return () => {
      if (!ended) held.count -= 1;
      ended = true;
      unsubscribe();
    };
  });
  return held;
}

describe('/live sockets', () => {
  const pipeline = usePipeline();
  let app: INestApplication | null = null;
  let base = '';
  let metrics: Held = { count: 0 };
  let gaps: Held = { count: 0 };
  let gateway: LiveGateway | null = null;
  let oneTimePassword: string | null = null;

  beforeAll(async () => {
    const config = parseApiConfig({
      KAFKA_BROKERS: pipeline().broker.brokers,
      CLICKHOUSE_URL: pipeline().store.url,
      WARROOM_ROLES: 'api',
      PORT: '0',
      WALL_KIOSK_TOKEN: KIOSK_TOKEN,
      WARROOM_SESSION_SECRET: SESSION_SECRET,
      LOG_LEVEL: 'warn',
    });
    // The first admin's one-time password is printed once, at the first start.
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      oneTimePassword ??= oneTimePasswordIn(args.map(String).join(' '));
    });
    try {
      const created = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
      created.useWebSocketAdapter(new WsAdapter(created));
      await created.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${((created.getHttpServer() as Server).address() as AddressInfo).port}`;
      app = created;
    } finally {
      log.mockRestore();
    }
    metrics = countSubscriptions(app.get<LiveMetricsService>(LiveMetricsService));
    gaps = countSubscriptions(app.get<GapsService>(GapsService));
    gateway = app.get(LiveGateway);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  const held = () => JSON.stringify({ metrics: metrics.count, gaps: gaps.count, gateway: gateway?.subscriptionCount() });

  it('keeps one subscription per view for two subscribe frames sent back to back, and none once the socket closes', async () => {
    const client = await LiveClient.open(base);
    client.send({ event: 'subscribe', data: { shop: 'shop-a', window: '5m', source: 'live' } });
    client.send({ event: 'subscribe', data: { shop: 'shop-b', window: '5m', source: 'live' } });
    client.send({ event: 'subscribe_gaps', data: { shop: 'shop-a', source: 'live' } });
    client.send({ event: 'subscribe_gaps', data: { shop: 'shop-b', source: 'live' } });
    // Each gaps subscription sends the gaps of its shop at once: the second one is the last frame handled.
    await waitFor(
      () => Promise.resolve(client.frames.some((frame) => frame.event === 'gaps' && frame.data.shop === 'shop-b')),
      10_000,
      () => JSON.stringify(client.frames),
    );
    expect(JSON.parse(held())).toEqual({ metrics: 1, gaps: 1, gateway: 2 });
    // In order: the gaps of shop-a came first, then shop-b's (never the other way round).
    expect(client.frames.filter((frame) => frame.event === 'gaps').map((frame) => frame.event === 'gaps' && frame.data.shop)).toEqual(['shop-a', 'shop-b']);

    client.close();
    await client.closed;
    await waitFor(() => Promise.resolve(metrics.count === 0 && gaps.count === 0), 5_000, held);
    expect(gateway?.subscriptionCount()).toBe(0);
  });

  it('ends the subscriptions of a socket closed while its frames were still being handled', async () => {
    const client = await LiveClient.open(base);
    client.send({ event: 'subscribe', data: { shop: 'shop-a', window: '5m', source: 'live' } });
    client.send({ event: 'subscribe_gaps', data: { shop: 'shop-a', source: 'live' } });
    client.close();
    await client.closed;
    // Longer than both subscriptions take, so that any that landed after the close would be counted.
    await new Promise((done) => setTimeout(done, 4 * SUBSCRIBE_DELAY_MS));
    expect(JSON.parse(held())).toEqual({ metrics: 0, gaps: 0, gateway: 0 });
  });

  it('closes a socket that sends a frame over the limit with 1009, and only that socket', async () => {
    const [flooder, neighbour] = await Promise.all([LiveClient.open(base), LiveClient.open(base)]);
    const oversized = JSON.stringify({ event: 'subscribe', data: { shop: 'x'.repeat(LIVE_MAX_CLIENT_FRAME_BYTES) } });
    flooder.send(oversized);
    const timedOut = new Promise<string>((done) => setTimeout(() => done('still open after 5 s'), 5_000).unref());
    expect(await Promise.race([flooder.closed, timedOut])).toBe(1009);

    neighbour.send({ event: 'subscribe_gaps', data: { shop: 'shop-a', source: 'live' } });
    await waitFor(() => Promise.resolve(neighbour.frames.some((frame) => frame.event === 'gaps')), 10_000, () => JSON.stringify(neighbour.frames));
    neighbour.close();
    await neighbour.closed;
    await waitFor(() => Promise.resolve(gaps.count === 0), 5_000, held);
  });

  it('ends the subscriptions of a socket whose token is revoked while it is open', async () => {
    const { admin } = await setUpUsers(base, oneTimePassword!, []);
    const issued = issuedKioskTokenSchema.parse((await call(base, 'POST', '/api/kiosk-tokens', admin!, { name: 'wall 3, hall B' })).body);
    // The api reads the valid kiosk tokens every 2 s: wait until this one admits a socket.
    let client: LiveClient | null = null;
    await waitFor(
      async () => {
        const candidate = await LiveClient.open(base, issued.token);
        const code = await Promise.race([candidate.closed, new Promise<null>((done) => setTimeout(() => done(null), 500))]);
        if (code === null) client = candidate;
        return client !== null;
      },
      10_000,
      () => 'the issued kiosk token never admitted a socket',
    );
    const viewer = client!;
    viewer.send({ event: 'subscribe', data: { shop: 'shop-a', window: '5m', source: 'live' } });
    viewer.send({ event: 'subscribe_gaps', data: { shop: 'shop-a', source: 'live' } });
    await waitFor(() => Promise.resolve(metrics.count === 1 && gaps.count === 1), 5_000, held);

    expect((await call(base, 'POST', `/api/kiosk-tokens/${issued.kioskToken.tokenId}/revoke`, admin!)).status).toBe(200);
    expect(await viewer.closed).toBe(1008);
    expect(JSON.parse(held())).toEqual({ metrics: 0, gaps: 0, gateway: 0 });
  });

  it('answers a frame just under the limit (a bad subscription) with an error, keeping the socket', async () => {
    const client = await LiveClient.open(base);
    const padding = LIVE_MAX_CLIENT_FRAME_BYTES - 200;
    client.send(JSON.stringify({ event: 'subscribe', data: { shop: 'x'.repeat(padding) } }));
    await waitFor(() => Promise.resolve(client.frames.some((frame) => frame.event === 'error')), 10_000, () => JSON.stringify(client.frames));
    client.send({ event: 'subscribe_gaps', data: { shop: 'shop-a', source: 'live' } });
    await waitFor(() => Promise.resolve(client.frames.some((frame) => frame.event === 'gaps')), 10_000, () => JSON.stringify(client.frames));
    client.close();
    await client.closed;
  });
});
