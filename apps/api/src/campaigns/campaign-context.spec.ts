import { PLAN_TREND_AHEAD_MINUTES, PLAN_TREND_PAST_MINUTES, type Campaign } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { loadCampaign, planMean, promoMoments, runningCampaign, snapshotCampaign } from './campaign-context';

const T0 = Date.parse('2026-11-10T20:00:00.000Z');
const min = (minutes: number) => T0 + minutes * 60_000;
const iso = (minutes: number) => new Date(min(minutes)).toISOString();

function campaign(overrides: Partial<Campaign> = {}): Campaign {
  return {
    id: 'double11-2026',
    name: '双11 2026',
    source: 'live',
    startsAt: iso(0),
    endsAt: iso(24 * 60),
    shops: ['shop-a', 'shop-b'],
    promoMoments: [
      { label: '20:00 定金', at: iso(0) },
      { label: '00:00 开售', at: iso(240) },
    ],
    // 100/min for an hour, a climb to 400 over 10 minutes, then 400.
    plan: [
      { at: iso(0), questionsPerMinute: 100 },
      { at: iso(60), questionsPerMinute: 100 },
      { at: iso(70), questionsPerMinute: 400 },
      { at: iso(24 * 60), questionsPerMinute: 400 },
    ],
    version: 1,
    updatedAt: iso(-60),
    ...overrides,
  };
}

describe('runningCampaign', () => {
  const live = loadCampaign(campaign());
  const rehearsal = loadCampaign(campaign({ id: 'rehearsal', source: 'rehearsal' }));
  const inner = loadCampaign(campaign({ id: 'inner', startsAt: iso(60), endsAt: iso(120), shops: ['shop-a'], plan: [] }));

  it('picks the campaign of the view\'s source that runs at the time', () => {
    expect(runningCampaign([live, rehearsal], { source: 'rehearsal', shop: 'all' }, min(5))?.campaign.id).toBe('rehearsal');
    expect(runningCampaign([live, rehearsal], { source: 'live', shop: 'all' }, min(5))?.campaign.id).toBe('double11-2026');
    expect(runningCampaign([live], { source: 'replay', shop: 'all' }, min(5))).toBeNull();
  });

  it('runs from its start (inclusive) to its end (exclusive)', () => {
    expect(runningCampaign([live], { source: 'live', shop: 'all' }, min(-1))).toBeNull();
    expect(runningCampaign([live], { source: 'live', shop: 'all' }, min(0))).not.toBeNull();
    expect(runningCampaign([live], { source: 'live', shop: 'all' }, min(24 * 60))).toBeNull();
  });

  it('for one shop, only a campaign of that shop; the later start wins when several run', () => {
    expect(runningCampaign([live], { source: 'live', shop: 'shop-c' }, min(5))).toBeNull();
    expect(runningCampaign([live, inner], { source: 'live', shop: 'shop-a' }, min(90))?.campaign.id).toBe('inner');
    expect(runningCampaign([live, inner], { source: 'live', shop: 'shop-b' }, min(90))?.campaign.id).toBe('double11-2026');
  });
});

describe('planMean', () => {
  const plan = loadCampaign(campaign()).plan;

  it('is the mean of the piecewise-linear plan over the window', () => {
    expect(planMean(plan, min(10), min(15))).toBe(100);
    // 60..70 climbs 100 → 400: mean 250.
    expect(planMean(plan, min(60), min(70))).toBe(250);
    // 55..65: 5 min at 100, then 100 → 250 over 5 min (mean 175): mean 137.5.
    expect(planMean(plan, min(55), min(65))).toBe(137.5);
    expect(planMean(plan, min(65), min(65))).toBe(250);
  });

  it('counts only the part of the window the plan covers, and is null outside it', () => {
    expect(planMean(plan, min(-5), min(5))).toBe(100);
    expect(planMean(plan, min(-10), min(-5))).toBeNull();
    expect(planMean([], min(0), min(5))).toBeNull();
  });
});

describe('promoMoments', () => {
  const moments = loadCampaign(campaign()).moments;

  it('gives the newest moment at or before the time and the next one after it', () => {
    expect(promoMoments(moments, min(0))).toEqual({ current: { label: '20:00 定金', at: iso(0) }, next: { label: '00:00 开售', at: iso(240) } });
    expect(promoMoments(moments, min(-1)).current).toBeNull();
    expect(promoMoments(moments, min(240))).toEqual({ current: { label: '00:00 开售', at: iso(240) }, next: null });
  });
});

describe('snapshotCampaign', () => {
  it('carries the moments, the plan over the window, and a plan trend a minute apart around the window\'s end', () => {
    const loaded = loadCampaign(campaign());
    const end = min(65) + 400; // mid-second: the trend is on whole minutes.
    const context = snapshotCampaign(loaded, end - 1_000, { start: end - 5 * 60_000, end, sinceCampaignStart: false });
    expect(context.currentMoment?.label).toBe('20:00 定金');
    expect(context.nextMoment?.at).toBe(iso(240));
    // [60:00.4, 65:00.4): the climb from 100 to 250 and a little more: 175.2 after rounding.
    expect(context.planQuestionsPerMinute).toBe(175.2);
    expect(context.planTrend).toHaveLength(PLAN_TREND_PAST_MINUTES + PLAN_TREND_AHEAD_MINUTES + 1);
    expect(context.planTrend[0]).toEqual({ at: iso(65 - PLAN_TREND_PAST_MINUTES), questionsPerMinute: 100 });
    expect(context.planTrend.find((point) => point.at === iso(65))?.questionsPerMinute).toBe(175);
    expect(context.planTrend.at(-1)).toEqual({ at: iso(65 + PLAN_TREND_AHEAD_MINUTES), questionsPerMinute: 400 });
  });

  it('leaves out minutes before the plan; since the campaign started, every minute\'s window starts with it', () => {
    const loaded = loadCampaign(campaign());
    const end = min(5);
    const context = snapshotCampaign(loaded, end, { start: min(0), end, sinceCampaignStart: true });
    expect(context.planTrend[0]?.at).toBe(iso(0));
    expect(context.planQuestionsPerMinute).toBe(100);
    expect(context.planTrend.find((point) => point.at === iso(15))?.questionsPerMinute).toBe(100);
  });
});
