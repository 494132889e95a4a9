import { randomUUID } from 'node:crypto';
import type { KbPack, KbPatchOp, KbPatchProposal } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { KbLedger, industryTarget, productTarget, shopTarget } from './ledger';

const text = (value: string) => ({ type: 'text' as const, text: value });
const PACKS: KbPack[] = [
  {
    v: 1, kind: 'industry', id: 'electronics', title: '行业', revision: 3,
    answers: [
      { id: 'warranty', topic: 'warranty', stage: 'pre_sale', examples: ['保修几年'], reply: text('一年') },
      { id: 'delivery', topic: 'delivery', stage: 'in_sale', examples: ['几天发货'], reply: text('48 小时') },
    ],
    attributes: [{ id: 'weight', label: '重量', stage: 'pre_sale', examples: ['多重'], fallback: text('请发链接') }],
  },
  {
    v: 1, kind: 'shop', shopId: 'shop-a', industry: 'electronics', title: 'A', revision: 7,
    overrides: [{ answerId: 'warranty', examples: ['质保多久'] }],
    answers: [{ id: 'gift-wrap', topic: 'service', stage: 'pre_sale', examples: ['能包装吗'], reply: text('可以') }],
  },
  { v: 1, kind: 'shop', shopId: 'shop-b', industry: 'electronics', title: 'B', revision: 2, overrides: [], answers: [] },
  {
    v: 1, kind: 'product', shopId: 'shop-a', sku: '100001', title: '耳机', revision: 4, aliases: [], url: 'https://item.example/100001',
    sellingPoints: text('降噪'), attributes: { weight: text('50 克') },
  },
  { v: 1, kind: 'smalltalk', id: 'zh', title: '寒暄', revision: 1, answers: [{ id: 'hello', examples: ['你好'], reply: text('您好') }] },
];

const author = { userId: 'u-1', login: 'wang' };
function proposal(patch: KbPatchOp, baseRevision: number): KbPatchProposal {
  return { v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author, baseRevision, patch };
}
const AT = '2026-11-11T00:00:01.000Z';

describe('KbLedger', () => {
  it('starts from the packs with the revisions the bot reports', () => {
    const ledger = new KbLedger(PACKS);
    expect(ledger.current(industryTarget('electronics', 'delivery'))?.revision).toBe(3);
    // An override that only adds examples keeps the industry revision, as the bot's layering does.
    expect(ledger.current(shopTarget('shop-a', 'warranty'))).toMatchObject({ revision: 3, content: { examples: ['保修几年', '质保多久'] } });
    expect(ledger.current(shopTarget('shop-a', 'gift-wrap'))?.revision).toBe(7);
    expect(ledger.current(productTarget('shop-a', '100001', 'weight'))?.revision).toBe(4);
    expect(ledger.effectiveTarget('shop-b', 'warranty')).toBe(industryTarget('electronics', 'warranty'));
  });

  it('applies a patch based on the current revision and rejects the second one on the same base', () => {
    const ledger = new KbLedger(PACKS);
    const first = ledger.apply(proposal({ op: 'add_examples', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'gift-wrap', examples: ['可以礼盒包装吗'] }, 7), 0, AT);
    expect(first.decision).toMatchObject({ status: 'applied', version: { revision: 8, author, op: 'add_examples' } });
    expect(first.change).toMatchObject({ kind: 'answer', shopIds: ['shop-a'], answerId: 'gift-wrap', revision: 8, content: { examples: ['能包装吗', '可以礼盒包装吗'] } });
    const second = ledger.apply(proposal({ op: 'edit_answer', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'gift-wrap', reply: text('不可以') }, 7), 1, AT);
    expect(second.decision).toMatchObject({ status: 'rejected', reason: 'stale: based on revision 7, the current revision is 8', current: { revision: 8, author } });
    expect(second.change).toBeNull();
  });

  it('creates a shop target from the industry answer it patches, and other shops keep the industry one', () => {
    const ledger = new KbLedger(PACKS);
    const result = ledger.apply(proposal({ op: 'edit_answer', scope: { pack: 'shop', shopId: 'shop-b' }, answerId: 'delivery', reply: text('24 小时') }, 3), 0, AT);
    expect(result.decision).toMatchObject({ status: 'applied', version: { target: shopTarget('shop-b', 'delivery'), revision: 4 } });
    expect(ledger.history(shopTarget('shop-b', 'delivery')).map((version) => version.revision)).toEqual([3, 4]);
    expect(ledger.effectiveTarget('shop-a', 'delivery')).toBe(industryTarget('electronics', 'delivery'));
    // An industry change now reaches shop-a only: shop-b overrides it.
    const industry = ledger.apply(proposal({ op: 'edit_answer', scope: { pack: 'industry', industryId: 'electronics' }, answerId: 'delivery', reply: text('36 小时') }, 3), 1, AT);
    expect(industry.change).toMatchObject({ shopIds: ['shop-a'], revision: 4 });
  });

  it('new answers start at revision 1 from base 0 and cannot reuse an id', () => {
    const ledger = new KbLedger(PACKS);
    const answer = { id: 'presale-deposit', topic: 'promotion' as const, stage: 'pre_sale' as const, examples: ['定金能退吗'], reply: text('定金不退') };
    expect(ledger.apply(proposal({ op: 'new_answer', scope: { pack: 'shop', shopId: 'shop-a' }, answer }, 0), 0, AT).decision).toMatchObject({ status: 'applied', version: { revision: 1 } });
    expect(ledger.apply(proposal({ op: 'new_answer', scope: { pack: 'shop', shopId: 'shop-a' }, answer }, 0), 1, AT).decision).toMatchObject({ status: 'rejected', reason: 'answer "presale-deposit" already exists' });
    expect(ledger.apply(proposal({ op: 'new_answer', scope: { pack: 'shop', shopId: 'shop-a' }, answer: { ...answer, id: 'hello' } }, 0), 2, AT).decision).toMatchObject({ status: 'rejected', reason: '"hello" is a small-talk answer' });
    expect(ledger.apply(proposal({ op: 'new_answer', scope: { pack: 'shop', shopId: 'shop-a' }, answer: { ...answer, id: 'warranty' } }, 0), 3, AT).decision).toMatchObject({ status: 'rejected' });
  });

  it('retires, refuses to patch a retired answer, and rolls back to an earlier revision as a new one', () => {
    const ledger = new KbLedger(PACKS);
    const scope = { pack: 'shop' as const, shopId: 'shop-a' };
    ledger.apply(proposal({ op: 'edit_answer', scope, answerId: 'gift-wrap', reply: text('新的') }, 7), 0, AT);
    expect(ledger.apply(proposal({ op: 'retire_answer', scope, answerId: 'gift-wrap' }, 8), 1, AT).change).toMatchObject({ revision: 9, content: null });
    expect(ledger.apply(proposal({ op: 'add_examples', scope, answerId: 'gift-wrap', examples: ['x'] }, 9), 2, AT).decision).toMatchObject({ status: 'rejected', reason: 'answer "gift-wrap" is retired' });
    const rollback = ledger.apply(proposal({ op: 'rollback', scope, answerId: 'gift-wrap', toRevision: 7 }, 9), 3, AT);
    expect(rollback.change).toMatchObject({ revision: 10, content: { reply: text('可以') } });
    expect(ledger.apply(proposal({ op: 'rollback', scope, answerId: 'gift-wrap', toRevision: 99 }, 10), 4, AT).decision).toMatchObject({ status: 'rejected', reason: 'answer "gift-wrap" has no revision 99' });
  });

  it('sets product attributes by SKU, only for known products and attributes', () => {
    const ledger = new KbLedger(PACKS);
    expect(ledger.apply(proposal({ op: 'set_product_attribute', shopId: 'shop-a', sku: '100001', attributeId: 'weight', reply: text('48 克') }, 4), 0, AT).change).toEqual({
      kind: 'product_attribute', shopId: 'shop-a', sku: '100001', attributeId: 'weight', revision: 5, reply: text('48 克'),
    });
    expect(ledger.apply(proposal({ op: 'set_product_attribute', shopId: 'shop-a', sku: '999999', attributeId: 'weight', reply: text('1') }, 0), 1, AT).decision).toMatchObject({ status: 'rejected', reason: 'shop shop-a has no product 999999' });
    expect(ledger.apply(proposal({ op: 'set_product_attribute', shopId: 'shop-a', sku: '100001', attributeId: 'colour', reply: text('1') }, 0), 2, AT).decision).toMatchObject({ status: 'rejected' });
  });

  it('is deterministic: two ledgers fed the same log agree on every decision', () => {
    const log = [
      proposal({ op: 'add_examples', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'warranty', examples: ['保修多久'] }, 3),
      proposal({ op: 'add_examples', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'warranty', examples: ['包修吗'] }, 3),
      proposal({ op: 'edit_answer', scope: { pack: 'industry', industryId: 'electronics' }, answerId: 'warranty', reply: text('两年') }, 3),
    ];
    const a = new KbLedger(PACKS);
    const b = new KbLedger(PACKS);
    const decisions = (ledger: KbLedger) => log.map((entry, offset) => ledger.apply(entry, offset, AT).decision.status);
    expect(decisions(a)).toEqual(['applied', 'rejected', 'applied']);
    expect(decisions(b)).toEqual(decisions(new KbLedger(PACKS)));
  });
});

describe('KbLedger.dryRun', () => {
  it('says what a patch would change or why it would be rejected, and changes nothing', () => {
    const ledger = new KbLedger(PACKS);
    const scope = { pack: 'shop' as const, shopId: 'shop-a' };
    const trial = ledger.dryRun(proposal({ op: 'add_examples', scope, answerId: 'gift-wrap', examples: ['礼盒装吗'] }, 7), AT);
    expect(trial).toMatchObject({ ok: true, change: { revision: 8, content: { examples: ['能包装吗', '礼盒装吗'] } } });
    expect(ledger.current(shopTarget('shop-a', 'gift-wrap'))?.revision).toBe(7);
    expect(ledger.dryRun(proposal({ op: 'add_examples', scope, answerId: 'gift-wrap', examples: ['x'] }, 6), AT)).toEqual({ ok: false, reason: 'stale: based on revision 6, the current revision is 7' });
  });
});
