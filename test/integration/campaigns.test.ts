/**
 * Campaign records through the real api (REST, tokens, the store's versioned rows), and what a live
 * snapshot says of its campaign: the running campaign of its own source, its promo moments, its plan,
 * and the "since the campaign started" window.
 */
import { campaignSchema, liveSnapshotSchema, PLAN_TREND_AHEAD_MINUTES, PLAN_TREND_PAST_MINUTES, type CampaignInput, type LiveSnapshot } from '@warroom/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppProcess } from '../../infra/dev/app-process';
import { questionEvent } from '../support/events';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const SERVICE_TOKEN = 'test-service-token-0123456789';
const MINUTE = 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('campaigns', () => {
  const pipeline = usePipeline();
  let app: AppProcess;
  const now = Date.now();

  // A rehearsal running for half an hour (the ghost line's 20 minutes back are planned): a moment 5 minutes ago, the next in 2 minutes, a flat plan of 120 a minute.
  const rehearsal: CampaignInput = {
    name: '双11 彩排',
    source: 'rehearsal',
    startsAt: iso(now - 30 * MINUTE),
    endsAt: iso(now + 60 * MINUTE),
    shops: ['shop-a'],
    promoMoments: [
      { label: '20:00 定金', at: iso(now - 5 * MINUTE) },
      { label: '00:00 开售', at: iso(now + 2 * MINUTE) },
    ],
    plan: [
      { at: iso(now - 30 * MINUTE), questionsPerMinute: 120 },
      { at: iso(now + 60 * MINUTE), questionsPerMinute: 120 },
    ],
  };

  const request = (path: string, init: { method?: string; token?: string; body?: unknown } = {}) =>
    fetch(`${app.url}${path}`, {
      method: init.method ?? 'GET',
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });

  beforeAll(async () => {
    app = await pipeline().startApp('ingest,api', { WARROOM_SERVICE_TOKEN: SERVICE_TOKEN });
  });

  it('stores versions behind the service token, and reads the newest with the kiosk token', async () => {
    expect((await request('/api/campaigns/d11', { method: 'PUT', body: rehearsal })).status).toBe(401);
    expect((await request('/api/campaigns/d11', { method: 'PUT', token: KIOSK_TOKEN, body: rehearsal })).status).toBe(401);

    const bad = await request('/api/campaigns/d11', { method: 'PUT', token: SERVICE_TOKEN, body: { ...rehearsal, endsAt: rehearsal.startsAt } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain('endsAt');
    expect((await request('/api/campaigns/Not%20An%20Id', { method: 'PUT', token: SERVICE_TOKEN, body: rehearsal })).status).toBe(400);

    const first = campaignSchema.parse(await (await request('/api/campaigns/d11', { method: 'PUT', token: SERVICE_TOKEN, body: { ...rehearsal, name: 'draft' } })).json());
    const second = campaignSchema.parse(await (await request('/api/campaigns/d11', { method: 'PUT', token: SERVICE_TOKEN, body: rehearsal })).json());
    expect(second.version).toBeGreaterThan(first.version);

    expect((await request('/api/campaigns/d11')).status).toBe(401);
    const read = campaignSchema.parse(await (await request('/api/campaigns/d11', { token: KIOSK_TOKEN })).json());
    expect(read).toEqual(second);
    expect(read.plan).toEqual(rehearsal.plan);
    expect((await request('/api/campaigns/nope', { token: KIOSK_TOKEN })).status).toBe(404);

    const list = campaignSchema.array().parse(await (await request('/api/campaigns?source=rehearsal', { token: KIOSK_TOKEN })).json());
    expect(list.map((campaign) => [campaign.id, campaign.name])).toEqual([['d11', rehearsal.name]]);
    expect(await (await request('/api/campaigns?source=live', { token: KIOSK_TOKEN })).json()).toEqual([]);
  });

  it('gives a snapshot its own source\'s running campaign: moments, plan, ghost line and the campaign window', async () => {
    const p = pipeline();
    await p.produce(
      ['rehearsal', 'live'].flatMap((source) =>
        Array.from({ length: 5 }, () => {
          const event = questionEvent({ source });
          return { key: event.sessionId, value: JSON.stringify(event) };
        }),
      ),
    );
    const snapshot = async (query: string): Promise<LiveSnapshot> => {
      let last: unknown;
      await waitFor(
        async () => {
          const response = await request(`/api/metrics/snapshot?${query}`, { token: KIOSK_TOKEN });
          last = await response.json();
          return response.status === 200 && liveSnapshotSchema.parse(last).questions === 5;
        },
        30_000,
        () => `no snapshot of ${query} with 5 questions: ${JSON.stringify(last)}`,
      );
      return liveSnapshotSchema.parse(last);
    };

    const watched = await snapshot('source=rehearsal');
    expect(watched.campaign).toMatchObject({
      id: 'd11',
      name: rehearsal.name,
      currentMoment: rehearsal.promoMoments[0],
      nextMoment: rehearsal.promoMoments[1],
      planQuestionsPerMinute: 120,
    });
    expect(watched.campaign?.planTrend).toHaveLength(PLAN_TREND_PAST_MINUTES + PLAN_TREND_AHEAD_MINUTES + 1);
    expect(watched.campaign?.planTrend.every((point) => point.questionsPerMinute === 120)).toBe(true);

    // One shop's view sees the campaign of that shop only.
    expect((await snapshot('source=rehearsal&shop=shop-a')).campaign?.id).toBe('d11');
    const otherShop = await request('/api/metrics/snapshot?source=rehearsal&shop=shop-b', { token: KIOSK_TOKEN });
    expect(liveSnapshotSchema.parse(await otherShop.json()).campaign).toBeNull();

    // "Since the campaign started" starts with the rehearsal's campaign.
    const sinceStart = await snapshot('source=rehearsal&window=campaign');
    expect(sinceStart.windowStart).toBe(iso(Math.floor(Date.parse(rehearsal.startsAt) / 1000) * 1000));

    // The live view is not the rehearsal's: no campaign, and no campaign window without CAMPAIGN_STARTED_AT.
    expect((await snapshot('source=live')).campaign).toBeNull();
    const refused = await request('/api/metrics/snapshot?source=live&window=campaign', { token: KIOSK_TOKEN });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(await refused.json())).toContain('CAMPAIGN_STARTED_AT');
  });
});
