import { describe, expect, it } from 'vitest';
import { Matcher } from '@warroom/matcher';

// A small handmade knowledge base (original sentences, written for this test).
const KB = [
  {
    id: 'invoice',
    examples: ['可以开发票吗', '我要开增值税专用发票', '发票抬头写错了能重开吗', '电子发票在哪里下载', '发票什么时候寄给我', '能不能开公司抬头的发票'],
  },
  {
    id: 'return',
    examples: ['怎么申请退货', '衣服不合适想退掉', '七天无理由退货怎么操作', '退货要自己付运费吗', '收到的鞋子太小了要退', '退货的快递怎么寄回去'],
  },
  {
    id: 'ship-time',
    examples: ['什么时候发货', '下单三天了还没发货', '今天下单明天能发出吗', '仓库几点出库', '催一下发货吧', '预售的东西多久发货'],
  },
  {
    id: 'address',
    examples: ['收货地址填错了怎么改', '能帮我改一下收货地址吗', '下单后还能修改地址吗', '换个收件地址', '地址写成公司了想改成家里', '电话号码和地址都要改'],
  },
  {
    id: 'coupon',
    examples: ['优惠券怎么用不了', '领的券在哪里看', '满减券为什么不能叠加', '优惠券过期了还能用吗', '退款后优惠券会退回吗', '新人券怎么领取'],
  },
];

function build(): Matcher {
  const matcher = new Matcher();
  matcher.addAnswers(KB);
  return matcher;
}

describe('Matcher', () => {
  it('ranks the right answer first for paraphrases', () => {
    const matcher = build();
    const cases: [string, string][] = [
      ['请问能开发票么？', 'invoice'],
      ['我想退货，怎么弄', 'return'],
      ['我的订单啥时候发货啊', 'ship-time'],
      ['收货地址能修改吗', 'address'],
      ['我的优惠券用不了', 'coupon'],
    ];
    for (const [query, answer] of cases) {
      const result = matcher.match(query);
      expect(result.candidates[0]?.answerId, query).toBe(answer);
    }
  });

  it('returns topK candidates, best first, with scores and a confidence in [0, 1]', () => {
    const result = build().match('发票开错了', { topK: 4 });
    expect(result.candidates).toHaveLength(4);
    const scores = result.candidates.map((c) => c.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
    for (const s of [...scores, result.confidence]) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
    }
    expect(build().match('发票', { topK: 10 }).candidates).toHaveLength(KB.length);
  });

  it('leaves unrelated text unmatched, with less confidence than a paraphrase', () => {
    const matcher = build();
    expect(matcher.threshold).toBeGreaterThan(0);
    expect(matcher.threshold).toBeLessThanOrEqual(1);
    const unrelated = ['周末一起去爬山看日出', '这首歌的旋律真好听', 'hello world'];
    const known = matcher.match('七天无理由退货怎么申请');
    for (const text of unrelated) {
      const result = matcher.match(text);
      expect(result.matched, text).toBe(false);
      expect(result.confidence, text).toBeLessThan(matcher.threshold);
      expect(result.confidence, text).toBeLessThan(known.confidence);
    }
    expect(matcher.match('').matched).toBe(false);
  });

  it('applies a fixed threshold when one is given', () => {
    const lenient = new Matcher({ threshold: 0 });
    lenient.addAnswers(KB);
    expect(lenient.threshold).toBe(0);
    expect(lenient.match('这首歌的旋律真好听').matched).toBe(true);
    const strict = new Matcher({ threshold: 1.01 });
    strict.addAnswers(KB);
    expect(strict.match('可以开发票吗').matched).toBe(false);
  });

  it('learns a new answer incrementally, without disturbing the others', () => {
    const matcher = build();
    const before = matcher.match('礼品卡里的钱怎么用');
    expect(before.candidates[0]?.answerId).not.toBe('gift-card');

    matcher.addAnswer({
      id: 'gift-card',
      examples: ['礼品卡怎么使用', '礼品卡余额在哪查', '礼品卡能买所有商品吗', '礼品卡绑定不了'],
    });
    expect(matcher.size).toBe(KB.length + 1);
    expect(matcher.match('礼品卡里的钱怎么用').candidates[0]?.answerId).toBe('gift-card');
    expect(matcher.match('我想退货，怎么弄').candidates[0]?.answerId).toBe('return');

    matcher.addExamples('coupon', ['红包和优惠券有什么区别']);
    expect(matcher.match('红包和优惠券的区别是啥').candidates[0]?.answerId).toBe('coupon');
    expect(() => matcher.addExamples('nope', ['x'])).toThrow(/unknown answer/);
    expect(() => matcher.addAnswer({ id: 'coupon', examples: [] })).toThrow(/already exists/);
  });

  it('removes an answer', () => {
    const matcher = build();
    expect(matcher.removeAnswer('invoice')).toBe(true);
    expect(matcher.removeAnswer('invoice')).toBe(false);
    expect(matcher.has('invoice')).toBe(false);
    expect(matcher.answerIds()).not.toContain('invoice');
    const result = matcher.match('可以开发票吗', { topK: 10 });
    expect(result.candidates.map((c) => c.answerId)).not.toContain('invoice');
    expect(matcher.match('怎么申请退货').candidates[0]?.answerId).toBe('return');
  });

  it('forgets replaced and removed examples, and retrains only that answer', () => {
    const matcher = build();
    matcher.prepare();
    expect(matcher.match('满减券为什么不能叠加').candidates[0]?.answerId).toBe('coupon');
    matcher.replaceExamples('coupon', ['红包怎么领', '红包过期了还能用吗', '红包在哪里看', '新人红包在哪']);
    expect(matcher.match('红包过期了能用吗').candidates[0]?.answerId).toBe('coupon');
    expect(matcher.match('满减券为什么不能叠加').candidates[0]?.answerId).not.toBe('coupon');
    // The other answers are untouched by the edit.
    expect(matcher.match('我的订单啥时候发货啊').candidates[0]?.answerId).toBe('ship-time');

    expect(matcher.removeExamples('coupon', ['红包怎么领！', '没有这个例句'])).toBe(1);
    expect(matcher.removeExamples('coupon', ['红包怎么领'])).toBe(0);
    expect(() => matcher.removeExamples('nope', ['x'])).toThrow(/unknown answer/);
    expect(() => matcher.replaceExamples('nope', ['x'])).toThrow(/unknown answer/);
  });

  it('scores examples added or removed after a match, not the ones it scored before', () => {
    // Ranking by example similarity alone (best example), uncalibrated: the score is that cosine.
    const matcher = new Matcher({ classifierWeight: 0, calibrationFolds: 0, topExamples: 1 });
    matcher.addAnswers(KB);
    const question = '退款后多久能到账';
    const scoreOf = (id: string): number => matcher.match(question, { topK: KB.length }).candidates.find((c) => c.answerId === id)?.score ?? 0;
    const before = scoreOf('coupon');
    expect(before).toBeLessThan(0.9);
    matcher.addExamples('coupon', [question]);
    expect(scoreOf('coupon')).toBeCloseTo(1, 6);
    matcher.removeExamples('coupon', [question]);
    expect(scoreOf('coupon')).toBeCloseTo(before, 6);
  });

  it('retires an answer and adds it back', () => {
    const matcher = build();
    matcher.prepare();
    matcher.removeAnswer('address');
    expect(matcher.match('收货地址能修改吗', { topK: 5 }).candidates.map((c) => c.answerId)).not.toContain('address');
    matcher.addAnswer(KB.find((a) => a.id === 'address') as (typeof KB)[number]);
    expect(matcher.match('收货地址能修改吗').candidates[0]?.answerId).toBe('address');
  });

  it('stays exact on a large knowledge base: common words are left to example similarity, updates are local', () => {
    // 280 answers, each one (thing, aspect) pair asked in the same three templates: the template words are
    // in every answer, so the classifier leaves them out (commonFeatureFraction) and still tells all apart.
    const things = ['手机', '平板', '耳机', '音箱', '手表', '相机', '电视', '冰箱', '空调', '烤箱', '键盘', '鼠标', '台灯', '门锁'];
    const aspects = ['保修', '发票', '安装', '物流', '退货', '换货', '价保', '定金', '赠品', '分期', '颜色', '尺寸', '重量', '续航', '快充', '噪音', '材质', '配件', '激活', '维修'];
    const forms = [(t: string, a: string) => `${t}的${a}怎么样`, (t: string, a: string) => `请问${t}有${a}吗`, (t: string, a: string) => `想了解一下${t}的${a}`];
    const matcher = new Matcher({ calibrationFolds: 0 });
    const ids: [string, string, string][] = [];
    for (const t of things) for (const a of aspects) ids.push([`${t}-${a}`, t, a]);
    for (const [id, t, a] of ids) matcher.addAnswer({ id, examples: forms.map((f) => f(t, a)) });
    matcher.prepare();
    let hits = 0;
    for (const [id, t, a] of ids) if (matcher.match(`问下${t}${a}是啥情况`).candidates[0]?.answerId === id) hits++;
    expect(hits / ids.length).toBeGreaterThan(0.95);

    matcher.addAnswer({ id: '以旧换新', examples: ['旧手机能以旧换新吗', '以旧换新怎么估价', '以旧换新能抵多少钱'] });
    expect(matcher.match('以旧换新怎么算钱').candidates[0]?.answerId).toBe('以旧换新');
    matcher.removeAnswer('手机-保修');
    expect(matcher.match('手机的保修怎么样', { topK: 10 }).candidates.map((c) => c.answerId)).not.toContain('手机-保修');
    expect(matcher.match('问下平板保修是啥情况').candidates[0]?.answerId).toBe('平板-保修');
  }, 30_000);

  it('is deterministic for a given seed', () => {
    const a = build().match('优惠券退回来了吗');
    const b = build().match('优惠券退回来了吗');
    expect(a).toEqual(b);
  });
});
