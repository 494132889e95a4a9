import { describe, expect, it } from 'vitest';
import { isPlaceholderChar, normalizeQuestion } from '@warroom/matcher';

describe('normalizeQuestion', () => {
  it('turns full-width letters and digits into half-width and lower case', () => {
    expect(normalizeQuestion('ＩＰｈｏｎｅ１５还有货吗')).toBe('iphone15还有货吗');
    expect(normalizeQuestion('VIP会员')).toBe('vip会员');
  });

  it('drops punctuation, symbols, emoji and spaces in both widths', () => {
    expect(normalizeQuestion('你好，请问？！这个 怎么  用。。。')).toBe('你好请问这个怎么用');
    expect(normalizeQuestion('“包邮”吗~😊 (急)')).toBe('包邮吗急');
  });

  it('collapses each masked placeholder into one character per kind', () => {
    const order = normalizeQuestion('[订单x]');
    const amount = normalizeQuestion('[金额x]');
    const address = normalizeQuestion('【地址x】');
    for (const p of [order, amount, address]) {
      expect(Array.from(p)).toHaveLength(1);
      expect(isPlaceholderChar(p)).toBe(true);
    }
    expect(new Set([order, amount, address]).size).toBe(3);
    expect(normalizeQuestion('订单[订单x]退款[金额x]元')).toBe(`订单${order}退款${amount}元`);
    // A labelled placeholder keeps only the placeholder, and unknown kinds still become one character.
    expect(normalizeQuestion('订单编号:[订单x]')).toBe(`订单编号${order}`);
    expect(normalizeQuestion('[订单编号:[订单x]')).toBe(order);
    expect(Array.from(normalizeQuestion('[快递单号x]'))).toHaveLength(1);
  });

  it('is idempotent', () => {
    for (const s of ['ＡＢＣ，[订单x]怎么样？', '已经 退款了[金额x]', '']) {
      expect(normalizeQuestion(normalizeQuestion(s))).toBe(normalizeQuestion(s));
    }
  });
});
