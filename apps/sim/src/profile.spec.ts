import { describe, expect, it } from 'vitest';
import { simProfileSchema } from './profile';

const minimal = {
  v: 1,
  name: 'tiny',
  shops: ['demo-electronics'],
  baseRatePerShop: 2,
  startClock: '23:00',
  durationMinutes: 120,
  speed: 60,
  levels: [{ clock: '00:00', level: 1 }],
  stageMix: { pre_sale: 0.6, in_sale: 0.3, after_sale: 0.1 },
  emotions: { angry: 0.05, anxious: 0.1, worried: 0, disappointed: 0, satisfied: 0, grateful: 0 },
  conversation: {
    turns: { min: 2, max: 4 },
    thinkSeconds: { min: 1, max: 3 },
    greetingShare: 0.2,
    thanksShare: 0.2,
    unknownShare: 0.1,
    humanRequestShare: 0.05,
    productShare: 0.5,
  },
  orders: { share: 0.2, amountCents: { min: 100, max: 10_000 } },
};

describe('simProfileSchema', () => {
  it('accepts a profile and fills the defaults', () => {
    const profile = simProfileSchema.parse(minimal);
    expect(profile.peaks).toEqual([]);
    expect(profile.conversation.commonShare).toBe(0.7);
    const withPeak = simProfileSchema.parse({ ...minimal, peaks: [{ label: 'open', at: '00:00', multiplier: 3.5, riseMinutes: 3, halfLifeMinutes: 20 }] });
    expect(withPeak.peaks[0]?.day).toBe(0);
  });

  it('names what is wrong', () => {
    const result = simProfileSchema.safeParse({
      ...minimal,
      startClock: '24:00',
      stageMix: { pre_sale: 0.6, in_sale: 0.6, after_sale: 0 },
      emotions: { ...minimal.emotions, angry: 0.95 },
      levels: [{ clock: '00:00', level: 1 }, { clock: '00:00', level: 2 }],
      conversation: { ...minimal.conversation, turns: { min: 4, max: 2 } },
      extra: true,
    });
    expect(result.success).toBe(false);
    const paths = (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['startClock', 'emotions', 'levels', 'conversation.turns', 'stageMix', '']));
  });
});
