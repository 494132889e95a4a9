import { resolve } from 'node:path';
import { Conflict, Forbidden } from '@warroom/nest-common';
import { DEFAULT_EMOTION_WEIGHTS, type User } from '@warroom/contracts';
import { parsePackFiles, readPackFiles } from '@warroom/knowledge';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CampaignsService } from '../campaigns/campaigns.service';
import type { AppConfig } from '../config/app-config';
import { PushHub } from '../push/push-hub';
import type { Batch, GapsRepository, StoredKey } from '../repositories/gaps.repository';
import type { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import type { GapInput, LifecycleRecord } from '../repositories/gap-records';
import { GapsService } from './gaps.service';
import { FakeClock, RecordingViewer } from '../testing/fakes';

// The service's own rules (what a poll pushes to whom, lifecycle checks one at a time) with the store
// replaced by arrays and its clock set by the spec; the real pipeline is gaps.test.ts's.

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
  let hub: PushHub;
  let service: GapsService;
  let sequence = 0;

  beforeEach(async () => {
    vi.useFakeTimers({ now: T0 });
    clock = new FakeClock(T0);
    stored = [];
    lifecycle = [];
    hub = new PushHub();
    const repository = {
      lifecycleSince: () => Promise.resolve([...lifecycle]),
      gapInputs: (position: { ingestedFrom: number }, limit: number, after?: StoredKey): Promise<Batch<{ key: StoredKey; input: GapInput }>> => {
        const rows = stored
          .filter((row) => row.key.ingestedAt >= position.ingestedFrom && (!after || row.key.ingestedAt > after.ingestedAt))
          .slice(0, limit);
        return Promise.resolve({ rows, maxIngestedAt: rows.at(-1)?.key.ingestedAt ?? null });
      },
      answeredBy: () => Promise.resolve({ rows: [], maxIngestedAt: null }),
      appendLifecycle: (records: readonly LifecycleRecord[]) => {
        lifecycle.push(...records);
        return Promise.resolve();
      },
    } as unknown as GapsRepository;
    const knowledgePacks = { readAll: () => packs } as unknown as KnowledgePacksRepository;
    const campaigns = { runningStart: () => null } as unknown as CampaignsService;
    const config = {
      live: { campaignStartedAt: null },
      gaps: { windowMs: 3_600_000, emotionWeights: DEFAULT_EMOTION_WEIGHTS, pollMs: POLL_MS },
    } as unknown as AppConfig;
    service = new GapsService(config, repository, knowledgePacks, campaigns, clock, hub);
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
