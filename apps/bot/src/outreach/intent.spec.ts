import { describe, expect, it } from 'vitest';
import { testOutreachRules } from '../testing/outreach-rules';
import { isHighIntent, observeCues, scoreIntent, type SessionCues } from './intent';

const rules = testOutreachRules();

function cuesOf(...messages: string[]): SessionCues {
  const cues: SessionCues = new Map();
  for (const message of messages) observeCues(cues, message, 'pre_sale', rules);
  return cues;
}

describe('intent rules', () => {
  it('scores nothing for a session without cues', () => {
    expect(scoreIntent(cuesOf('你好', '保修几年'), rules)).toBeNull();
  });

  it('combines a scenario’s cues as 1 − Π(1 − weight), each cue once however often it is said', () => {
    expect(scoreIntent(cuesOf('这个多少钱'), rules)).toEqual({ scenario: 'hesitating', score: 0.35 });
    // 1 − 0.65 × 0.7 = 0.545
    expect(scoreIntent(cuesOf('多少钱', '还能便宜点吗', '有货吗'), rules)).toEqual({ scenario: 'hesitating', score: 0.55 });
    // 1 − 0.65 × 0.7 × 0.65 = 0.704
    expect(scoreIntent(cuesOf('多少钱', '有货吗', '有优惠券吗'), rules)).toEqual({ scenario: 'hesitating', score: 0.7 });
  });

  it('matches phrases without regard to case or spaces', () => {
    expect(scoreIntent(cuesOf('有 货 吗'), rules)?.score).toBe(0.3);
    expect(scoreIntent(cuesOf('any COUPON left?'), rules)?.score).toBe(0.35);
  });

  it('picks the scenario with the highest score, ties going to the earlier scenario', () => {
    expect(scoreIntent(cuesOf('多少钱', '我的订单还没付款'), rules)).toEqual({ scenario: 'unpaid_order', score: 0.6 });
    const tie = testOutreachRules({
      scenarios: {
        repurchase: { handledBy: 'human', threshold: 0.4, cues: [{ id: 'again', phrases: ['回购'], weight: 0.35 }], template: '回购' },
        hesitating: { handledBy: 'bot', threshold: 0.5, cues: [{ id: 'price', phrases: ['多少钱'], weight: 0.35 }], template: '优惠' },
      },
    });
    const cues: SessionCues = new Map();
    observeCues(cues, '回购多少钱', 'pre_sale', tie);
    expect(scoreIntent(cues, tie)).toEqual({ scenario: 'hesitating', score: 0.35 });
  });

  it('says whether observing a message added a cue', () => {
    const cues: SessionCues = new Map();
    expect(observeCues(cues, '多少钱', 'pre_sale', rules)).toBe(true);
    expect(observeCues(cues, '到底多少钱', 'pre_sale', rules)).toBe(false);
    expect(observeCues(cues, '你好', 'pre_sale', rules)).toBe(false);
  });

  it('is high intent at the scenario’s threshold, not below', () => {
    expect(isHighIntent({ scenario: 'hesitating', score: 0.5 }, rules)).toBe(true);
    expect(isHighIntent({ scenario: 'hesitating', score: 0.49 }, rules)).toBe(false);
    expect(isHighIntent(null, rules)).toBe(false);
    // A scenario the shop no longer uses (its pack changed) is never high intent.
    expect(isHighIntent({ scenario: 'out_of_stock', score: 0.99 }, rules)).toBe(false);
  });

  it('counts a scenario’s cues only in its stages', () => {
    const staged = testOutreachRules({
      scenarios: { hesitating: { handledBy: 'bot', threshold: 0.5, stages: ['pre_sale'], cues: [{ id: 'ship', phrases: ['什么时候发货'], weight: 0.5 }], template: '优惠' } },
    });
    const cues: SessionCues = new Map();
    expect(observeCues(cues, '什么时候发货', 'in_sale', staged)).toBe(false);
    expect(scoreIntent(cues, staged)).toBeNull();
    expect(observeCues(cues, '什么时候发货', 'pre_sale', staged)).toBe(true);
    expect(scoreIntent(cues, staged)).toEqual({ scenario: 'hesitating', score: 0.5 });
  });

  it('counts nothing for a cue the rules no longer have', () => {
    const cues = cuesOf('多少钱', '有货吗');
    const fewer = testOutreachRules({
      scenarios: { hesitating: { handledBy: 'bot', threshold: 0.5, cues: [{ id: 'stock', phrases: ['有货吗'], weight: 0.3 }], template: '优惠' } },
    });
    expect(scoreIntent(cues, fewer)).toEqual({ scenario: 'hesitating', score: 0.3 });
  });
});
