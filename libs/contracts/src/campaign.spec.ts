import { describe, expect, it } from 'vitest';
import { campaignInputSchema, campaignSchema, type CampaignInput } from './campaign';

function input(): CampaignInput {
  return {
    name: '双11 2026',
    source: 'live',
    startsAt: '2026-11-10T12:00:00.000Z',
    endsAt: '2026-11-11T16:00:00.000Z',
    shops: ['shop-a'],
    promoMoments: [
      { label: '20:00 定金', at: '2026-11-10T12:00:00.000Z' },
      { label: '00:00 开售', at: '2026-11-10T16:00:00.000Z' },
    ],
    plan: [
      { at: '2026-11-10T12:00:00.000Z', questionsPerMinute: 100 },
      { at: '2026-11-10T16:00:00.000Z', questionsPerMinute: 400 },
    ],
  };
}

describe('campaign contracts', () => {
  it('accepts a campaign, and a stored one with its id and version', () => {
    expect(campaignInputSchema.parse(input())).toEqual(input());
    const stored = { id: 'double11-2026', ...input(), version: 1, updatedAt: '2026-11-01T00:00:00.000Z' };
    expect(campaignSchema.parse(stored)).toEqual(stored);
    expect(campaignSchema.safeParse({ ...stored, id: 'Double 11' }).success).toBe(false);
  });

  it('refuses what would make the countdown or the plan lie, naming the path', () => {
    const bad: [string, (c: CampaignInput) => unknown, string][] = [
      ['an end before the start', (c) => ({ ...c, endsAt: c.startsAt }), 'endsAt'],
      ['moments out of order', (c) => ({ ...c, promoMoments: [...c.promoMoments].reverse() }), 'promoMoments.1.at'],
      ['a moment after the end', (c) => ({ ...c, promoMoments: [{ label: 'x', at: '2026-11-12T00:00:00.000Z' }] }), 'promoMoments.0.at'],
      ['a plan point twice', (c) => ({ ...c, plan: [c.plan[0], c.plan[0]] }), 'plan.1.at'],
      ['a negative plan', (c) => ({ ...c, plan: [{ ...c.plan[0]!, questionsPerMinute: -1 }] }), 'plan.0.questionsPerMinute'],
      ['a shop twice', (c) => ({ ...c, shops: ['shop-a', 'shop-a'] }), 'shops'],
      ['no shop', (c) => ({ ...c, shops: [] }), 'shops'],
      ['an unknown source', (c) => ({ ...c, source: 'test' }), 'source'],
      ['an unknown field', (c) => ({ ...c, id: 'x' }), ''],
    ];
    for (const [name, change, path] of bad) {
      const result = campaignInputSchema.safeParse(change(input()));
      expect(result.success, name).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.')), name).toContain(path);
    }
  });
});
