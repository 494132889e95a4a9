import { randomUUID } from 'node:crypto';
import type { KbPatchOp, KbPatchProposal } from '@warroom/contracts';
import { KbLedger } from '@warroom/knowledge';
import { describe, expect, it } from 'vitest';
import { FakeMatcher } from '../testing/fake-matcher';
import { ALL_PACKS, LAUNCH_AT, industryPack, loaded, phonePack, shopPack, testKnowledgeBase } from '../testing/packs';
import { KnowledgeBase, KnowledgeBaseError, SELLING_POINTS_ANSWER_ID, UnknownShopError } from './knowledge-base';

const NOW = Date.parse('2026-11-11T00:00:00+08:00');
const AFTER_LAUNCH = Date.parse(LAUNCH_AT);

function buildError(packs: Parameters<typeof KnowledgeBase.build>[0], shops = ['shop-a']): KnowledgeBaseError {
  try {
    KnowledgeBase.build(packs, shops, () => new FakeMatcher());
  } catch (error) {
    if (error instanceof KnowledgeBaseError) return error;
    throw error;
  }
  throw new Error('expected the knowledge base to be rejected');
}

describe('KnowledgeBase layering', () => {
  const kb = testKnowledgeBase();

  it('answers from the industry pack when the shop does not override', () => {
    const match = kb.match('shop-a', '怎么申请退货', 1);
    expect(match.matched).toBe(true);
    const answer = kb.resolve('shop-a', 'return-how', null, NOW);
    expect(answer).toMatchObject({ answerId: 'return-how', revision: 3, source: 'industry', stage: 'after_sale' });
    expect(answer?.reply).toEqual(industryPack.answers[2]?.reply);
  });

  it("uses the shop's reply for an override, under the overridden answer's id, at the shop pack's revision", () => {
    const answer = kb.resolve('shop-a', 'warranty', null, NOW);
    expect(answer).toMatchObject({ answerId: 'warranty', revision: 7, source: 'shop' });
    expect(answer?.reply).toEqual({ type: 'text', text: '本店保修两年。' });
  });

  it("adds an override's examples to the industry answer's, so both phrasings find the same id", () => {
    expect(kb.match('shop-a', '你们店保修多久', 1).candidates[0]).toEqual({ answerId: 'warranty', score: 1 });
    expect(kb.match('shop-a', '质保多久', 1).candidates[0]).toEqual({ answerId: 'warranty', score: 1 });
    // Examples only: the industry reply and revision stay.
    expect(kb.match('shop-a', '今天能发吗', 1).candidates[0]?.answerId).toBe('delivery-time');
    expect(kb.resolve('shop-a', 'delivery-time', null, NOW)).toMatchObject({ revision: 3, reply: { text: '48 小时内发货。' } });
  });

  it("answers an attribute with the product in context's value, per SKU", () => {
    expect(kb.resolve('shop-a', 'weight', '100012345', NOW)).toMatchObject({
      answerId: 'weight',
      revision: 4,
      sku: '100012345',
      source: 'product',
      reply: { text: 'X20 约 187 克。' },
    });
  });

  it('falls back to the shop override, then the industry fallback, when the product has no value or no product is in context', () => {
    // The phone has no gifts attribute: the shop's override of the fallback answers.
    expect(kb.resolve('shop-a', 'gifts', '100012345', NOW)).toMatchObject({ source: 'shop', reply: { text: '本店下单送保护壳，具体看商品。' } });
    expect(kb.resolve('shop-a', 'weight', null, NOW)).toMatchObject({ source: 'industry', reply: { text: '请发商品链接，我帮您查重量。' } });
    // An SKU the shop has no pack for is no better than none.
    expect(kb.resolve('shop-a', 'weight', '999999', NOW)).toMatchObject({ source: 'industry', sku: '999999' });
  });

  it('keeps a product with a launch time dark until then, and live from then on by itself', () => {
    expect(kb.resolve('shop-a', 'weight', '100034567', AFTER_LAUNCH - 1)).toMatchObject({ source: 'industry' });
    expect(kb.sellingPoints('shop-a', '100034567', AFTER_LAUNCH - 1)).toBeNull();
    expect(kb.findProduct('shop-a', 'https://item.example.com/100034567.html', AFTER_LAUNCH - 1)).toBeNull();

    expect(kb.resolve('shop-a', 'weight', '100034567', AFTER_LAUNCH)).toMatchObject({ source: 'product', reply: { text: 'X30 约 205 克。' } });
    expect(kb.resolve('shop-a', 'gifts', '100034567', AFTER_LAUNCH)).toMatchObject({ source: 'product', reply: { text: 'X30 首发送无线充。' } });
    expect(kb.findProduct('shop-a', 'https://item.example.com/100034567.html', AFTER_LAUNCH)).toMatchObject({ sku: '100034567', via: 'link' });
  });

  it('finds the product a link or an alias names, and its selling points', () => {
    expect(kb.findProduct('shop-a', '看看这个 https://m.example.com/p?sku=100012345&from=share 怎么样', NOW)).toEqual({
      sku: '100012345',
      via: 'link',
      rest: '看看这个   怎么样',
    });
    expect(kb.findProduct('shop-a', 'x20 多重啊', NOW)).toMatchObject({ sku: '100012345', via: 'alias' });
    expect(kb.findProduct('shop-a', 'X200 多重', NOW)).toBeNull();
    expect(kb.sellingPoints('shop-a', '100012345', NOW)).toMatchObject({
      answerId: SELLING_POINTS_ANSWER_ID,
      revision: 4,
      reply: phonePack.sellingPoints,
    });
  });

  it('answers small talk like any answer', () => {
    expect(kb.match('shop-a', '你好', 1)).toMatchObject({ matched: true, candidates: [{ answerId: 'smalltalk.greeting', score: 1 }] });
    expect(kb.resolve('shop-a', 'smalltalk.greeting', null, NOW)).toMatchObject({ source: 'smalltalk' });
  });

  it('refuses shops it does not serve', () => {
    expect(() => kb.match('shop-b', '你好', 1)).toThrow(UnknownShopError);
    expect(kb.has('shop-b')).toBe(false);
  });
});

describe('KnowledgeBase cross-file checks', () => {
  it('names the file and JSON path of an override of an unknown answer and of an unknown attribute', () => {
    const badShop = { ...shopPack, overrides: [...shopPack.overrides, { answerId: 'no-such-answer', reply: { type: 'text' as const, text: 'x' } }] };
    const badProduct = { ...phonePack, attributes: { ...phonePack.attributes, waterproof: { type: 'text' as const, text: 'IP68' } } };
    const error = buildError([
      loaded('industry.json', industryPack),
      { file: 'shop-a.json', pack: badShop, lineOf: (path) => (path[0] === 'overrides' ? 40 : null) },
      loaded('x20.json', badProduct),
    ]);
    expect(error.problems).toEqual([
      expect.objectContaining({ file: 'shop-a.json', line: 40, path: 'overrides[3].answerId', reason: expect.stringMatching(/no-such-answer/) as string }),
      expect.objectContaining({ file: 'x20.json', path: 'attributes.waterproof', reason: expect.stringMatching(/not an attribute/) as string }),
    ]);
    expect(error.message).toMatch(/shop-a\.json:40: overrides\[3\]\.answerId: /);
  });

  it('refuses duplicate answer ids across packs, a second pack for a shop or SKU, a missing shop pack or industry', () => {
    const clash = { ...shopPack, answers: [{ ...shopPack.answers[0]!, id: 'return-how' }] };
    expect(buildError([loaded('industry.json', industryPack), loaded('shop-a.json', clash)]).problems[0]).toMatchObject({
      file: 'shop-a.json',
      path: 'answers[0].id',
      reason: expect.stringMatching(/already used by industry\.json/) as string,
    });
    expect(buildError([...ALL_PACKS, loaded('again.json', shopPack), loaded('x20-copy.json', phonePack)]).problems.map((p) => p.file)).toEqual([
      'again.json',
      'x20-copy.json',
    ]);
    expect(buildError([loaded('industry.json', industryPack)]).problems[0]?.reason).toMatch(/shop "shop-a" has no shop pack/);
    expect(buildError([loaded('shop-a.json', shopPack)]).problems[0]).toMatchObject({ path: 'industry', reason: 'no industry pack with id "electronics"' });
    const twice = { ...shopPack, overrides: [...shopPack.overrides, { answerId: 'warranty', examples: ['保修呢'] }] };
    expect(buildError([loaded('industry.json', industryPack), loaded('shop-a.json', twice)]).problems[0]?.reason).toMatch(/overridden twice/);
  });
});

describe('KnowledgeBase following the ledger', () => {
  const scope = { pack: 'shop' as const, shopId: 'shop-a' };
  const follow = (kb: KnowledgeBase, ledger: KbLedger, patch: KbPatchOp, offset: number) => {
    const proposal: KbPatchProposal = {
      v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author: { userId: 'u', login: 'li' }, baseRevision: ledger.baseRevisionFor(patch), patch,
    };
    const result = ledger.apply(proposal, offset, '2026-11-11T00:00:01.000Z');
    if (result.change) kb.applyChange(result.change);
    return result.decision;
  };

  it('starts at the revisions the ledger starts at, for every answer of every shop', () => {
    const kb = testKnowledgeBase();
    const ledger = new KbLedger(ALL_PACKS.map((loaded) => loaded.pack));
    for (const answerId of ['warranty', 'delivery-time', 'return-how', 'weight', 'gifts']) {
      const target = ledger.effectiveTarget('shop-a', answerId);
      expect(target, answerId).not.toBeNull();
      expect(kb.resolve('shop-a', answerId, null, NOW)?.revision, answerId).toBe(ledger.current(target!)?.revision);
    }
  });

  it('answers from a patched revision at once, and stops sending a retired answer', () => {
    const kb = testKnowledgeBase();
    const ledger = new KbLedger(ALL_PACKS.map((loaded) => loaded.pack));
    expect(kb.match('shop-a', '以旧换新怎么算', 1).matched).toBe(false);
    const added = follow(kb, ledger, { op: 'add_examples', scope, answerId: 'return-how', examples: ['以旧换新怎么算'] }, 0);
    expect(added).toMatchObject({ status: 'applied' });
    expect(kb.match('shop-a', '以旧换新怎么算', 1).candidates[0]).toEqual({ answerId: 'return-how', score: 1 });
    expect(kb.resolve('shop-a', 'return-how', null, NOW)?.revision).toBe(added.status === 'applied' ? added.version.revision : -1);

    const tradeIn = { id: 'trade-in', topic: 'promotion' as const, stage: 'pre_sale' as const, examples: ['旧机能抵多少钱'], reply: { type: 'text' as const, text: '按评估价抵扣。' } };
    follow(kb, ledger, { op: 'new_answer', scope, answer: tradeIn }, 1);
    follow(kb, ledger, { op: 'edit_answer', scope, answerId: 'trade-in', reply: { type: 'text', text: '最高抵 800 元。' } }, 2);
    expect(kb.resolve('shop-a', 'trade-in', null, NOW)).toMatchObject({ revision: 2, reply: { text: '最高抵 800 元。' } });
    expect(kb.match('shop-a', '旧机能抵多少钱', 1)).toMatchObject({ matched: true, candidates: [{ answerId: 'trade-in' }] });

    follow(kb, ledger, { op: 'retire_answer', scope, answerId: 'trade-in' }, 3);
    expect(kb.resolve('shop-a', 'trade-in', null, NOW)).toBeNull();
    follow(kb, ledger, { op: 'rollback', scope, answerId: 'trade-in', toRevision: 1 }, 4);
    expect(kb.resolve('shop-a', 'trade-in', null, NOW)).toMatchObject({ revision: 4, reply: { text: '按评估价抵扣。' } });
  });

  it('trains the matcher at load, and makes it forget retired answers and dropped examples', () => {
    const matchers: FakeMatcher[] = [];
    const kb = KnowledgeBase.build(ALL_PACKS, ['shop-a'], () => {
      const matcher = new FakeMatcher();
      matchers.push(matcher);
      return matcher;
    });
    expect(matchers.map((matcher) => matcher.prepared)).toEqual([true]);
    const ledger = new KbLedger(ALL_PACKS.map((loaded) => loaded.pack));
    const tradeIn = { id: 'trade-in', topic: 'promotion' as const, stage: 'pre_sale' as const, examples: ['旧机能抵多少钱'], reply: { type: 'text' as const, text: '按评估价抵扣。' } };
    follow(kb, ledger, { op: 'new_answer', scope, answer: tradeIn }, 0);
    follow(kb, ledger, { op: 'add_examples', scope, answerId: 'trade-in', examples: ['以旧换新怎么算'] }, 1);
    const ids = (text: string) => kb.match('shop-a', text, 5).candidates.map((candidate) => candidate.answerId);
    expect(ids('以旧换新怎么算呢')).toContain('trade-in');

    // Rolling back to revision 1 drops the added example: from the exact index and from the matcher.
    follow(kb, ledger, { op: 'rollback', scope, answerId: 'trade-in', toRevision: 1 }, 2);
    expect(kb.match('shop-a', '以旧换新怎么算', 1).candidates[0]?.score).not.toBe(1);
    expect(kb.match('shop-a', '以旧换新怎么算呢', 5).candidates.find((candidate) => candidate.answerId === 'trade-in')?.score ?? 0).toBeLessThan(0.5);

    follow(kb, ledger, { op: 'retire_answer', scope, answerId: 'trade-in' }, 3);
    expect(ids('旧机能抵多少钱呢')).not.toContain('trade-in');
    follow(kb, ledger, { op: 'rollback', scope, answerId: 'trade-in', toRevision: 1 }, 4);
    expect(ids('旧机能抵多少钱呢')).toContain('trade-in');
  });
});
