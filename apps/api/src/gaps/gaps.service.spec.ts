import { resolve } from 'node:path';
import { Conflict, Forbidden } from '@warroom/nest-common';
import { DEFAULT_EMOTION_WEIGHTS, type User } from '@warroom/contracts';
import { parsePackFiles, readPackFiles } from '@warroom/knowledge';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CampaignsService } from '../campaigns/campaigns.service';
import type { AppConfig } from '../config/app-config';
import { PushHub } from '../push/push-hub';
import type { LogRecord } from '@warroom/kafka';
import type { GapLifecycleLogRepository } from '../repositories/gap-lifecycle-log.repository';
import type { Batch, GapsRepository, StoredKey } from '../repositories/gaps.repository';
import type { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import type { GapInput, LifecycleRecord } from '../repositories/gap-records';
import { GapsService } from './gaps.service';
import { FakeClock, RecordingViewer } from '../testing/fakes';

// The service's own rules (what a poll pushes to whom, lifecycle changes decided in log order) with the
// store and the `gap.lifecycle` log replaced by arrays and its clock set by the spec; the real pipeline is
// gaps.test.ts's, two processes on one log gap-claims-replicas.test.ts's.

const T0 = Date.parse('2026-11-11T10:00:00.000Z');
const POLL_MS = 500;
const packs = parsePackFiles(readPackFiles(resolve(__dirname, '../../../../packs')));

function trainer(login: string): User {
  return { userId: `u-${login}`, login, displayName: login, role: 'trainer', grade: 'senior', disabled: false };
}

describe('GapsService', () => {
  let clock: FakeClock;
  /** Rows the store holds, in the order ingest stored them. */
  let stored: { key: StoredKey; input: GapInput }[];
  let lifecycle: LifecycleRecord[];
  /** Proposals on the log not yet handed to the follower (the spec decides when, to line up races). */
  let unread: LogRecord[];
  let logLength: number;
  let holdLog: boolean;
  let follower: ((records: LogRecord[]) => Promise<void>) | null;
  let hub: PushHub;
  let service: GapsService;
  let sequence = 0;

  beforeEach(async () => {
    vi.useFakeTimers({ now: T0 });
    clock = new FakeClock(T0);
    stored = [];
    lifecycle = [];
    unread = [];
    logLength = 0;
    holdLog = false;
    follower = null;
    hub = new PushHub();
    const repository = {
      lastLogOffset: () => Promise.resolve(-1),
      lifecycleSince: () => Promise.resolve([...lifecycle]),
      gapInputs: (position: { ingestedFrom: number }, limit: number, after?: StoredKey): Promise<Batch<{ key: StoredKey; input: GapInput }>> => {
        const rows = stored
          .filter((row) => row.key.ingestedAt >= position.ingestedFrom && (!after || row.key.ingestedAt > after.ingestedAt))
          .slice(0, limit);
        return Promise.resolve({ rows, maxIngestedAt: rows.at(-1)?.key.ingestedAt ?? null });
      },
      answeredBy: () => Promise.resolve({ rows: [], maxIngestedAt: null }),
      appendLifecycle: (record: LifecycleRecord) => {
        lifecycle.push(record);
        return Promise.resolve();
      },
    } as unknown as GapsRepository;
    const log = {
      propose: (proposal: unknown) => {
        unread.push({ offset: BigInt(logLength), timestampMs: clock.time, value: Buffer.from(JSON.stringify(proposal)) });
        logLength += 1;
        return holdLog ? Promise.resolve() : deliver();
      },
      follow: (_from: bigint, onRecords: (records: LogRecord[]) => Promise<void>) => {
        follower = onRecords;
        return Promise.resolve();
      },
    } as unknown as GapLifecycleLogRepository;
    const knowledgePacks = { readAll: () => packs } as unknown as KnowledgePacksRepository;
    const campaigns = { runningStart: () => null } as unknown as CampaignsService;
    const config = {
      live: { campaignStartedAt: null },
      gaps: { windowMs: 3_600_000, emotionWeights: DEFAULT_EMOTION_WEIGHTS, pollMs: POLL_MS },
    } as unknown as AppConfig;
    service = new GapsService(config, repository, log, knowledgePacks, campaigns, clock, hub);
    service.onApplicationBootstrap();
    await service.list({ source: 'live', shop: 'all', status: 'active', limit: 10 });
  });

  afterEach(() => {
    service.onApplicationShutdown();
    vi.useRealTimers();
  });

  /** A question the bot could not answer, stored now. */
  function ask(shopId: string, text: string): void {
    sequence += 1;
    const eventId = `e${sequence}`;
    stored.push({
      key: { ingestedAt: clock.time, eventTime: clock.time, eventId },
      input: { eventId, eventTime: clock.time, source: 'live', shopId, kind: 'question', text, handoff: false, stage: 'pre_sale', sku: null, emotion: 'neutral', candidate: null, questionEventId: null },
    });
  }

  /** Hands the proposals on the log to the service's follower, in log order. */
  async function deliver(): Promise<void> {
    if (!follower) throw new Error('nobody follows the log');
    await follower(unread.splice(0));
  }

  /** Time passes for the clock and the loops alike (one poll). */
  async function poll(): Promise<void> {
    clock.time += POLL_MS;
    await vi.advanceTimersByTimeAsync(POLL_MS);
  }

  it('sends a new gap to the viewers of its shop and of all shops, and to no other shop', async () => {
    const shopA = new RecordingViewer();
    const shopB = new RecordingViewer();
    const allShops = new RecordingViewer();
    await hub.subscribe('gaps', shopA, { source: 'live', shop: 'shop-a' });
    await hub.subscribe('gaps', shopB, { source: 'live', shop: 'shop-b' });
    await hub.subscribe('gaps', allShops, { source: 'live', shop: 'all' });
    for (const viewer of [shopA, shopB, allShops]) expect(viewer.events()).toEqual(['gaps']);

    ask('shop-a', '以旧换新怎么折算价格');
    await poll();

    const gapOf = (viewer: RecordingViewer) => viewer.frames.flatMap((frame) => (frame.event === 'gap' ? [frame.data] : []));
    expect(gapOf(shopA).map((gap) => [gap.shopId, gap.volume.total])).toEqual([['shop-a', 1]]);
    expect(gapOf(allShops)).toEqual(gapOf(shopA));
    expect(shopB.events()).toEqual(['gaps']);
  });

  it('lets one trainer claim a gap; a second claim conflicts and changes nothing', async () => {
    const viewer = new RecordingViewer();
    await hub.subscribe('gaps', viewer, { source: 'live', shop: 'shop-a' });
    ask('shop-a', '以旧换新怎么折算价格');
    await poll();
    const [gap] = await service.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 10 });
    if (!gap) throw new Error('no gap opened');

    const wang = trainer('wang');
    const li = trainer('li');
    const first = await service.claim(gap.gapId, { actor: { userId: wang.userId, login: wang.login }, user: wang });
    const second = service.claim(gap.gapId, { actor: { userId: li.userId, login: li.login }, user: li });

    expect(first.claimedBy?.actor.login).toBe('wang');
    await expect(second).rejects.toBeInstanceOf(Conflict);
    expect(lifecycle.map((record) => [record.action, record.actor?.login])).toEqual([['claim', 'wang']]);
    const pushed = viewer.frames.flatMap((frame) => (frame.event === 'gap' ? [frame.data.claimedBy?.actor.login ?? null] : []));
    expect(pushed).toEqual([null, 'wang']);
  });

  it('decides two claims made at once by the log: the first proposed wins, the other is told who has it', async () => {
    ask('shop-a', '以旧换新怎么折算价格');
    await poll();
    const [gap] = await service.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 10 });
    if (!gap) throw new Error('no gap opened');
    const wang = trainer('wang');
    const li = trainer('li');

    holdLog = true;
    const first = service.claim(gap.gapId, { actor: { userId: wang.userId, login: wang.login }, user: wang });
    const second = service.claim(gap.gapId, { actor: { userId: li.userId, login: li.login }, user: li });
    // Both passed this replica's check (the gap was open for both) and wait for the log.
    await vi.advanceTimersByTimeAsync(0);
    expect(unread).toHaveLength(2);
    await deliver();

    expect((await first).claimedBy?.actor.login).toBe('wang');
    await expect(second).rejects.toThrow(/claimed by wang since /);
    expect(lifecycle.map((record) => [record.action, record.actor?.login])).toEqual([['claim', 'wang']]);
    expect((await service.get(gap.gapId))?.claimedBy?.actor.login).toBe('wang');
  });

  it('refuses a claim by a trainer of a grade the gap does not list', async () => {
    ask('shop-a', '以旧换新怎么折算价格');
    await poll();
    const [gap] = await service.list({ source: 'live', shop: 'shop-a', status: 'active', limit: 10 });
    if (!gap) throw new Error('no gap opened');
    const gradeless: User = { ...trainer('zhao'), grade: null };
    const result = service.claim(gap.gapId, { actor: { userId: gradeless.userId, login: gradeless.login }, user: gradeless });
    await expect(result).rejects.toBeInstanceOf(Forbidden);
    expect(lifecycle).toEqual([]);
  });
});
