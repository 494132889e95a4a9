/**
 * Gaps through real parts (issue 7): kafkajs → dev broker → ingest (its own process) → dev store → the
 * api's gap engine → REST and the `/live` WebSocket. The api runs in this process (the `api` role only,
 * booted like main.ts does) so that the test can call `GapsService.markPublished` exactly as the patch loop
 * does, and restart it. Checked: a gap appears with the volume and cost worked out by hand below; claims
 * follow grades and roles; publication, then verification by an answered question of the published
 * revision, with its time-to-patch in the gap and in the live snapshot; a restart keeps every gap, id,
 * count and state (nothing doubled); the WebSocket pushes a new gap.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  gapSchema,
  liveSnapshotSchema,
  serverFrameSchema,
  userSchema,
  type ChatEvent,
  type ClientFrame,
  type EmotionName,
  type Gap,
  type ServerFrame,
} from '@warroom/contracts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { AppModule } from '../../apps/api/src/app.module';
import { oneTimePasswordIn } from '../../apps/api/src/auth/first-admin';
import { parseApiConfig } from '../../apps/api/src/config/api-config';
import { GapsService } from '../../apps/api/src/gaps/gaps.service';
import { NotFound } from '@warroom/nest-common';
import { questionEvent } from '../support/events';
import { call, setUpUsers } from '../support/http';
import { KIOSK_TOKEN, SESSION_SECRET, usePipeline, waitFor } from '../support/pipeline';

const SHOP = 'shop-gaps';
const MIN = 60_000;
const RUN = `gp${process.pid}`;

/** One topic nobody answers (trade-in valuation), asked six times: five in the cost window, one before it. */
const TRADE_IN: { text: string; agoMin: number; emotion: EmotionName; handoff: boolean }[] = [
  { text: '以旧换新怎么折算', agoMin: 90, emotion: 'angry', handoff: false },
  { text: '以旧换新怎么折算价格', agoMin: 10, emotion: 'angry', handoff: true },
  { text: '旧手机以旧换新能折算多少钱', agoMin: 8, emotion: 'anxious', handoff: false },
  { text: '以旧换新折算价格怎么算', agoMin: 6, emotion: 'neutral', handoff: true },
  { text: '以旧换新的折算标准是什么', agoMin: 4, emotion: 'neutral', handoff: false },
  { text: '以旧换新折算多少 电话13812345678', agoMin: 2, emotion: 'worried', handoff: false },
];
/** In the window: 5 questions, 2 handed off, emotion weights 2 + 1.5 + 1 + 1 + 1.3. */
const EXPECTED_COST = 5 * (1 + 2 / 5) * ((2 + 1.5 + 1 + 1 + 1.3) / 5);
/** Another topic (the state subsidy), three times. */
const SUBSIDY = ['国家补贴资格怎么领取', '国补资格在哪里领', '国家补贴的资格领取入口在哪'];

let sequence = 0;
function unmatched(text: string, agoMin: number, overrides: Record<string, unknown> = {}): ChatEvent {
  sequence += 1;
  return questionEvent({
    eventId: `${RUN}-${sequence}`,
    eventTime: new Date(Date.now() - agoMin * MIN).toISOString(),
    shopId: SHOP,
    sessionId: `${RUN}-s${sequence}`,
    text,
    outcome: 'unmatched',
    bestCandidate: null,
    match: undefined,
    ...overrides,
  });
}

/** A question the bot answered with `answerId` at `revision`. */
function answered(text: string, answerId: string, revision: number, at = Date.now()): ChatEvent {
  return unmatched(text, 0, { eventTime: new Date(at).toISOString(), outcome: 'answered', match: { answerId, revision, score: 0.9 }, bestCandidate: undefined });
}

class LiveClient {
  readonly frames: ServerFrame[] = [];
  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      this.frames.push(serverFrameSchema.parse(JSON.parse(bytes.toString('utf8'))));
    });
  }
  static open(base: string, token: string): Promise<LiveClient> {
    const socket = new WebSocket(`${base.replace(/^http/, 'ws')}/live?token=${token}`);
    const client = new LiveClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }
  send(frame: ClientFrame): void {
    this.socket.send(JSON.stringify(frame));
  }
  close(): void {
    this.socket.close();
  }
}

describe('gaps', () => {
  const pipeline = usePipeline();
  let app: INestApplication | null = null;
  let base = '';
  let tokens: Record<string, string> = {};
  let oneTimePassword: string | null = null;

  /** The api role in this process, as main.ts boots it (polling fast, so the test is quick). */
  async function startApi(): Promise<void> {
    const config = parseApiConfig({
      KAFKA_BROKERS: pipeline().broker.brokers,
      CLICKHOUSE_URL: pipeline().store.url,
      WARROOM_ROLES: 'api',
      PORT: '0',
      WALL_KIOSK_TOKEN: KIOSK_TOKEN,
      WARROOM_SESSION_SECRET: SESSION_SECRET,
      GAP_POLL_MS: '100',
      LOG_LEVEL: 'warn',
    });
    const created = await NestFactory.create(AppModule.forRoot(config), { logger: ['error', 'warn'] });
    created.useWebSocketAdapter(new WsAdapter(created));
    await created.listen(0, '127.0.0.1');
    const server = created.getHttpServer() as Server;
    const address = server.address() as AddressInfo;
    base = `http://127.0.0.1:${address.port}`;
    app = created;
  }

  async function gaps(query = `shop=${SHOP}`): Promise<Gap[]> {
    const reply = await call(base, 'GET', `/api/gaps?${query}`, KIOSK_TOKEN);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return z.array(gapSchema).parse(reply.body);
  }
  async function gapOf(id: string): Promise<Gap> {
    const reply = await call(base, 'GET', `/api/gaps/${id}`, KIOSK_TOKEN);
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    return gapSchema.parse(reply.body);
  }
  async function produce(events: ChatEvent[]): Promise<void> {
    await pipeline().produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
  }
  const tradeInOf = (list: Gap[]) => list.find((gap) => gap.examples.some((example) => example.includes('以旧换新')));
  const subsidyOf = (list: Gap[]) => list.find((gap) => gap.examples.some((example) => example.includes('补')));

  beforeAll(async () => {
    await pipeline().startApp('ingest');
    // The first admin's one-time password is printed once, by the first api to start.
    const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      oneTimePassword ??= oneTimePasswordIn(args.map(String).join(' '));
    });
    try {
      await startApi();
      await waitFor(() => Promise.resolve(oneTimePassword !== null), 10_000, () => 'the api printed no one-time password');
    } finally {
      log.mockRestore();
    }
    tokens = await setUpUsers(base, oneTimePassword!, [
      { login: 'ada', displayName: 'Ada', role: 'trainer', grade: 'assistant' },
      { login: 'tina', displayName: 'Tina', role: 'trainer', grade: 'junior' },
      { login: 'lee', displayName: 'Lee', role: 'lead' },
      { login: 'agnes', displayName: 'Agnes', role: 'agent' },
    ]);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
  });

  let tradeInId = '';
  let subsidyId = '';
  let firstSeen = 0;

  it('clusters unmatched questions into gaps with the right volume and cost, pushed as they open', async () => {
    const client = await LiveClient.open(base, KIOSK_TOKEN);
    client.send({ event: 'subscribe_gaps', data: { shop: SHOP, source: 'live' } });
    await waitFor(() => Promise.resolve(client.frames.some((frame) => frame.event === 'gaps')), 10_000, () => JSON.stringify(client.frames));
    expect(client.frames.find((frame) => frame.event === 'gaps')).toMatchObject({ data: { source: 'live', shop: SHOP, gaps: [] } });

    // The trade-in topic first, until the api has clustered it; then the rest. Online clustering depends on
    // the order questions arrive in: when a subsidy question and a trade-in one come first, their shared
    // 怎么 can join them, and the topics merge (87 of 2,000 random orders of these nine questions, checked
    // with the api's representation of the demo packs). Which order ingest stores a batch in is not this
    // test's subject, so it fixes the order.
    await produce(
      TRADE_IN.map(({ text, agoMin, emotion, handoff }) =>
        unmatched(text, agoMin, {
          emotion: { name: emotion, intensity: 0.5 },
          ...(handoff ? { outcome: 'handoff', handoffReason: 'no_match' } : {}),
        }),
      ),
    );
    await waitFor(async () => tradeInOf(await gaps())?.volume.total === TRADE_IN.length, 30_000, () => 'the trade-in gap is not complete');
    await produce([
      ...SUBSIDY.map((text, i) => unmatched(text, 5 - i)),
      // None of these is part of a live gap of this shop: another source, small talk, an answered question,
      // a handoff the customer asked for.
      unmatched(TRADE_IN[1]!.text, 3, { source: 'rehearsal' }),
      unmatched('你好呀', 3, { bestCandidate: { answerId: 'smalltalk.greeting', score: 0.4 } }),
      answered(TRADE_IN[2]!.text, 'other', 1, Date.now() - 3 * MIN),
      unmatched(TRADE_IN[3]!.text, 3, { outcome: 'handoff', handoffReason: 'customer_request' }),
    ]);

    let list: Gap[] = [];
    await waitFor(
      async () => {
        list = await gaps();
        return tradeInOf(list)?.volume.total === TRADE_IN.length && subsidyOf(list)?.volume.total === SUBSIDY.length;
      },
      30_000,
      () => `gaps: ${JSON.stringify(list.map((gap) => [gap.representative, gap.volume]))}`,
    );
    expect(list).toHaveLength(2);
    const tradeIn = tradeInOf(list)!;
    tradeInId = tradeIn.gapId;
    subsidyId = subsidyOf(list)!.gapId;
    firstSeen = Date.parse(tradeIn.firstSeenAt);
    expect(tradeIn).toMatchObject({
      source: 'live',
      shopId: SHOP,
      status: 'open',
      volume: { window: 5, total: 6 },
      flags: 0,
      suggestion: { kind: 'new_answer' },
      grades: ['junior', 'mid', 'senior'],
      stages: { pre_sale: 6, in_sale: 0, after_sale: 0, unspecified: 0 },
    });
    expect(tradeIn.handoffShare).toBeCloseTo(2 / 5, 10);
    expect(tradeIn.cost).toBeCloseTo(EXPECTED_COST, 10);
    // Sorted by cost; customer data masked.
    expect(list[0]!.gapId).toBe(tradeInId);
    expect(JSON.stringify(list)).not.toContain('13812345678');
    expect(tradeIn.examples).toContain('以旧换新折算多少 电话[手机号]');
    expect(await gaps(`shop=${SHOP}&source=rehearsal`)).toHaveLength(1);

    // The wall heard of both gaps as they opened.
    await waitFor(
      () => Promise.resolve([tradeInId, subsidyId].every((id) => client.frames.some((frame) => frame.event === 'gap' && frame.data.gapId === id))),
      10_000,
      () => JSON.stringify(client.frames.map((frame) => frame.event)),
    );
    client.close();
  });

  it('lets a trainer of a listed grade claim, refuses others, and keeps lifecycle rules', async () => {
    const claim = (id: string, login: string) => call(base, 'POST', `/api/gaps/${id}/claim`, tokens[login]!);
    expect((await call(base, 'POST', `/api/gaps/${tradeInId}/claim`, null)).status).toBe(401);
    expect((await call(base, 'POST', `/api/gaps/${tradeInId}/claim`, KIOSK_TOKEN)).status).toBe(401);
    expect((await claim(tradeInId, 'agnes')).status).toBe(403);
    // A new answer needs junior or above: the assistant may not take it.
    expect((await claim(tradeInId, 'ada')).status).toBe(403);
    const claimed = await claim(tradeInId, 'tina');
    expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
    expect(gapSchema.parse(claimed.body)).toMatchObject({ status: 'claimed', claimedBy: { actor: { login: 'tina' } } });
    expect((await claim(tradeInId, 'tina')).status).toBe(200);
    expect((await claim(tradeInId, 'lee')).status).toBe(409);
    expect((await call(base, 'POST', '/api/gaps/g-0000000000000000/claim', tokens.tina!)).status).toBe(404);
    // Dismissing is a lead's: a trainer is refused; a bad body is a 400.
    expect((await call(base, 'POST', `/api/gaps/${subsidyId}/dismiss`, tokens.tina!, { reason: 'not ours' })).status).toBe(403);
    expect((await call(base, 'POST', `/api/gaps/${subsidyId}/dismiss`, tokens.lee!, { reason: '' })).status).toBe(400);
    // The subsidy gap: claimed by the lead, released, claimed by Tina (what the restart must keep).
    expect((await claim(subsidyId, 'lee')).status).toBe(200);
    expect((await call(base, 'POST', `/api/gaps/${subsidyId}/release`, tokens.tina!)).status).toBe(403);
    expect((await call(base, 'POST', `/api/gaps/${subsidyId}/release`, tokens.lee!)).status).toBe(200);
    expect((await claim(subsidyId, 'tina')).status).toBe(200);
  });

  it('publishes through GapsService, hands the preview its questions, and verifies with the published revision', async () => {
    const service = app!.get(GapsService);
    const me = await call(base, 'GET', '/api/auth/me', tokens.tina!);
    const tina = { userId: userSchema.parse(me.body).userId, login: 'tina' };

    await expect(service.markPublished('g-0000000000000000', { actor: tina, target: 't', answerId: 'a', revision: 1 })).rejects.toBeInstanceOf(NotFound);
    const publication = { actor: tina, target: `shop:${SHOP}/trade-in-valuation`, answerId: 'trade-in-valuation', revision: 2 };
    const published = await service.markPublished(tradeInId, publication);
    expect(published).toMatchObject({ status: 'published', published: { answerId: 'trade-in-valuation', revision: 2, actor: { login: 'tina' } } });
    // The patch loop re-applying the same patch after a restart changes nothing.
    expect(await service.markPublished(tradeInId, publication)).toMatchObject({ status: 'published' });
    const questions = await service.questionsOf(tradeInId);
    expect(new Set(questions)).toEqual(new Set(TRADE_IN.map((question) => question.text)));

    // Answered by an older revision, or by the right revision but about something else: not yet.
    const before = Date.now();
    await produce([
      answered(TRADE_IN[1]!.text, 'trade-in-valuation', 1),
      answered('快递什么时候到', 'trade-in-valuation', 2),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await gapOf(tradeInId)).status).toBe('published');

    const answeredAt = Date.now();
    await produce([answered('以旧换新怎么折算呢', 'trade-in-valuation', 2, answeredAt)]);
    let gap: Gap | undefined;
    await waitFor(async () => (gap = await gapOf(tradeInId)).status === 'verified', 20_000, () => JSON.stringify(gap));
    expect(gap!.verifiedAt).toBe(new Date(answeredAt).toISOString());
    expect(gap!.timeToPatchMs).toBe(answeredAt - firstSeen);
    expect(answeredAt).toBeGreaterThan(before);

    const snapshot = await call(base, 'GET', `/api/metrics/snapshot?shop=${SHOP}&source=live`, KIOSK_TOKEN);
    expect(snapshot.status, JSON.stringify(snapshot.body)).toBe(200);
    expect(liveSnapshotSchema.parse(snapshot.body).timeToPatch).toEqual({ verified: 1, medianMs: answeredAt - firstSeen, p90Ms: answeredAt - firstSeen });
    // Verified gaps leave the active list.
    expect((await gaps()).map((candidate) => candidate.gapId)).toEqual([subsidyId]);
  });

  it('keeps every gap, count and state across a restart of the api, and goes on counting', async () => {
    const before = [...(await gaps(`shop=${SHOP}&status=verified`)), ...(await gaps())];
    await app!.close();
    app = null;
    await startApi();
    let after: Gap[] = [];
    await waitFor(
      async () => {
        after = [...(await gaps(`shop=${SHOP}&status=verified`)), ...(await gaps())];
        return after.length === before.length;
      },
      30_000,
      () => JSON.stringify(after),
    );
    const comparable = (list: Gap[]) => list.map(({ updatedAt: _updated, cost, ...gap }) => ({ ...gap, cost: Math.round(cost * 1e6) }));
    expect(comparable(after)).toEqual(comparable(before));

    // New questions keep counting from where it was (3 + 1, not 3 + 3 + 1), and reach a new viewer.
    const client = await LiveClient.open(base, KIOSK_TOKEN);
    client.send({ event: 'subscribe_gaps', data: { shop: SHOP, source: 'live' } });
    await produce([unmatched('国家补贴资格怎么领取呢', 0)]);
    await waitFor(async () => (await gapOf(subsidyId)).volume.total === SUBSIDY.length + 1, 20_000, async () => JSON.stringify(await gapOf(subsidyId)));
    expect(await gapOf(subsidyId)).toMatchObject({ status: 'claimed', claimedBy: { actor: { login: 'tina' } } });
    await waitFor(
      () => Promise.resolve(client.frames.some((frame) => frame.event === 'gap' && frame.data.gapId === subsidyId && frame.data.volume.total === SUBSIDY.length + 1)),
      10_000,
      () => JSON.stringify(client.frames.map((frame) => frame.event)),
    );
    client.close();
  });
});
