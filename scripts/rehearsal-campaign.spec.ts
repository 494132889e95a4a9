import { campaignInputSchema } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { loadProfile } from '../apps/sim/src/config';
import { rehearsalCampaign } from './rehearsal-campaign';

describe('rehearsalCampaign', () => {
  const { profile } = loadProfile('double11');
  const startMs = Date.parse('2026-11-27T10:00:00.000Z');
  const campaign = rehearsalCampaign({ profile, speed: 60, shops: ['a', 'b'], startMs, fromMinute: 0, realMinutes: 60, stepSeconds: 5 });

  it('is a valid campaign record of the rehearsal source', () => {
    expect(campaignInputSchema.parse(campaign)).toEqual(campaign);
    expect(campaign.source).toBe('rehearsal');
    expect(campaign.endsAt).toBe('2026-11-27T11:00:00.000Z');
  });

  it('puts every peak of every loop at its curve minute over the speed, with the peak\'s moment kind', () => {
    // double11 starts at 23:00: 00:00 is curve minute 60 (1 real minute at ×60), 20:00 is minute 1260 (21);
    // a loop is 1440 curve minutes, 24 real minutes.
    expect(campaign.promoMoments.slice(0, 3)).toEqual([
      { label: '00:00 sales open', at: '2026-11-27T10:01:00.000Z', kind: 'sales_open' },
      { label: '20:00 final push', at: '2026-11-27T10:21:00.000Z', kind: 'final_payment' },
      { label: '00:00 sales open', at: '2026-11-27T10:25:00.000Z', kind: 'sales_open' },
    ]);
  });

  it('starts the loop where the simulator started on its curve', () => {
    // From 00:00 (curve minute 60): the rush starts at once, the final push is 20 real minutes later.
    const fromMidnight = rehearsalCampaign({ profile, speed: 60, shops: ['a'], startMs, fromMinute: 60, realMinutes: 30, stepSeconds: 5 });
    expect(fromMidnight.promoMoments.map((moment) => moment.at)).toEqual([
      '2026-11-27T10:00:00.000Z',
      '2026-11-27T10:20:00.000Z',
      '2026-11-27T10:24:00.000Z',
    ]);
  });

  it('plans the curve\'s rate for all shops, per minute, with the rush after sales open', () => {
    expect(campaign.plan).toHaveLength(60 * 12 + 1);
    const at = (iso: string) => campaign.plan.find((point) => point.at === iso)!.questionsPerMinute;
    // Curve minute 0 (23:00): level 0.7 × 6/s per shop × 2 shops × 60 = 504 a minute.
    expect(at('2026-11-27T10:00:00.000Z')).toBeCloseTo(504, 0);
    // The top of the midnight rush (3 curve minutes after 00:00) is 3.6 × 6 × 2 × 60 = 2592; points 5 curve
    // minutes apart see most of it.
    expect(at('2026-11-27T10:01:00.000Z')).toBeLessThan(at('2026-11-27T10:01:05.000Z'));
    const top = Math.max(...campaign.plan.map((point) => point.questionsPerMinute));
    expect(top).toBeGreaterThan(0.85 * 2592);
    expect(top).toBeLessThanOrEqual(2592);
  });
});
