import { type Campaign } from '@warroom/contracts';
import { TfIdfIndex } from '@warroom/matcher';
import { describe, expect, it } from 'vitest';
import { briefingMoment, groupQuestions, planRatio, predictionKey, previousMoment } from './briefing-plan';

const MIN = 60_000;
const T0 = Date.parse('2026-11-11T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function campaign(id: string, start: number, moments: [string, number, Campaign['promoMoments'][number]['kind']][], perMinute = 100, overrides: Partial<Campaign> = {}): Campaign {
  return {
    id,
    name: id,
    source: 'live',
    startsAt: iso(start),
    endsAt: iso(start + 12 * 60 * MIN),
    shops: ['shop-a'],
    promoMoments: moments.map(([label, minutes, kind]) => ({ label, at: iso(start + minutes * MIN), ...(kind ? { kind } : {}) })),
    plan: [
      { at: iso(start), questionsPerMinute: perMinute },
      { at: iso(start + 12 * 60 * MIN), questionsPerMinute: perMinute },
    ],
    version: 1,
    updatedAt: iso(start),
    ...overrides,
  };
}

const last = campaign('last', T0 - 365 * 24 * 60 * MIN, [['20:00 定金', 60, 'deposit_payment'], ['20:00 尾款', 120, 'final_payment'], ['22:00 尾款', 240, 'final_payment']]);
const current = campaign('now', T0, [['20:00 尾款', 120, 'final_payment'], ['22:00 尾款', 240, 'final_payment'], ['00:00 开售', 360, undefined]], 150);

describe('briefingMoment', () => {
  it('is the first moment whose window after it has not ended, with its ordinal among moments of its kind', () => {
    expect(briefingMoment([last, current], { source: 'live', shop: 'shop-a' }, T0 + 10 * MIN, 30 * MIN)).toMatchObject({
      campaign: { id: 'now' },
      moment: { label: '20:00 尾款', at: T0 + 120 * MIN, kind: 'final_payment' },
      ordinal: 0,
    });
    // 20 minutes after the first moment its briefing stays up; 31 minutes after, the next one's.
    expect(briefingMoment([current], { source: 'live', shop: 'all' }, T0 + 140 * MIN, 30 * MIN)?.moment.label).toBe('20:00 尾款');
    expect(briefingMoment([current], { source: 'live', shop: 'all' }, T0 + 151 * MIN, 30 * MIN)).toMatchObject({ moment: { label: '22:00 尾款' }, ordinal: 1 });
    // A moment stored without a kind is `other`.
    expect(briefingMoment([current], { source: 'live', shop: 'all' }, T0 + 300 * MIN, 30 * MIN)?.moment.kind).toBe('other');
  });

  it('is null without a running campaign of the view, or after its last moment', () => {
    expect(briefingMoment([current], { source: 'rehearsal', shop: 'all' }, T0 + MIN, 30 * MIN)).toBeNull();
    expect(briefingMoment([current], { source: 'live', shop: 'shop-b' }, T0 + MIN, 30 * MIN)).toBeNull();
    expect(briefingMoment([current], { source: 'live', shop: 'all' }, T0 + 400 * MIN, 30 * MIN)).toBeNull();
  });
});

describe('previousMoment', () => {
  it('aligns by kind and ordinal in the latest earlier campaign of the source sharing a shop, not by clock', () => {
    const older = campaign('older', T0 - 2 * 365 * 24 * 60 * MIN, [['尾款', 30, 'final_payment']]);
    const otherShop = campaign('other-shop', T0 - 30 * 24 * 60 * MIN, [['尾款', 30, 'final_payment']], 100, { shops: ['shop-b'] });
    const rehearsal = campaign('rehearsal', T0 - 30 * 24 * 60 * MIN, [['尾款', 30, 'final_payment']], 100, { source: 'rehearsal' });
    const all = [older, last, otherShop, rehearsal, current];
    expect(previousMoment(all, current, 'final_payment', 0)).toMatchObject({ campaign: { id: 'last' }, moment: { label: '20:00 尾款', at: Date.parse(last.startsAt) + 120 * MIN } });
    expect(previousMoment(all, current, 'final_payment', 1)?.moment.label).toBe('22:00 尾款');
    // More moments of the kind than last time: the last one of that kind.
    expect(previousMoment(all, current, 'final_payment', 5)?.moment.label).toBe('22:00 尾款');
    expect(previousMoment(all, current, 'deposit_payment', 0)?.moment.label).toBe('20:00 定金');
    expect(previousMoment(all, current, 'flash_sale', 0)).toBeNull();
    expect(previousMoment([current], current, 'final_payment', 0)).toBeNull();
  });
});

describe('planRatio', () => {
  it('compares the plans over the window after each moment; 1 without a plan', () => {
    expect(planRatio(current, T0 + 120 * MIN, last, Date.parse(last.startsAt) + 120 * MIN, 30 * MIN)).toBe(1.5);
    expect(planRatio({ ...current, plan: [] }, T0 + 120 * MIN, last, Date.parse(last.startsAt) + 120 * MIN, 30 * MIN)).toBe(1);
  });
});

describe('groupQuestions', () => {
  const kb = TfIdfIndex.of([
    ['尾款什么时候付', '尾款几点开始付', '付尾款时间'],
    ['怎么开发票', '发票在哪里下载', '可以开专票吗'],
    ['退款多久到账', '怎么退款', '退货怎么寄回'],
  ]);
  const represent = (text: string) => kb.weigh(text, true);

  it('groups wordings of one topic per shop as the gaps do, the most asked group and wording first, small talk left out', () => {
    const row = (shopId: string, text: string, asked: number, answered = 0) => ({ shopId, text, asked, answered, unmatched: asked - answered, handedOff: 0 });
    const groups = groupQuestions(
      [row('shop-a', '发票在哪里下载', 3), row('shop-a', '尾款几点开始付', 10, 10), row('shop-a', '怎么开发票', 5), row('shop-b', '怎么开发票', 2), row('shop-a', '？？', 50)],
      represent,
    );
    expect(groups.map((group) => [group.shopId, group.texts, group.asked, group.answered])).toEqual([
      ['shop-a', ['尾款几点开始付'], 10, 10],
      ['shop-a', ['怎么开发票', '发票在哪里下载'], 8, 0],
      ['shop-b', ['怎么开发票'], 2, 0],
    ]);
  });

  it('keys a prediction by campaign, moment, shop and its first wording (normalised)', () => {
    expect(predictionKey('now', 1, { shopId: 'shop-a', texts: ['怎么开发票？ '] })).toBe(predictionKey('now', 1, { shopId: 'shop-a', texts: ['怎么开发票'] }));
  });
});
