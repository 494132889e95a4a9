import { randomUUID } from 'node:crypto';
import type { KbPatchProposal } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { FakeMatcher } from '../testing/fake-matcher';
import { ALL_PACKS, testKnowledgeBase } from '../testing/packs';
import { KbReplica } from './kb-replica';

const scope = { pack: 'shop' as const, shopId: 'shop-a' };
const tradeIn = { id: 'trade-in', topic: 'promotion' as const, stage: 'pre_sale' as const, examples: ['旧机能抵多少钱'], reply: { type: 'text' as const, text: '按评估价抵扣。' } };
const record = (offset: number, proposal: Omit<KbPatchProposal, 'v' | 'patchId' | 'proposedAt' | 'author'>) => ({
  offset,
  timestampMs: Date.parse('2026-11-11T00:00:00Z'),
  value: Buffer.from(JSON.stringify({ v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author: { userId: 'u', login: 'li' }, ...proposal })),
});

function replica(): KbReplica {
  return new KbReplica(ALL_PACKS, testKnowledgeBase(), () => new FakeMatcher(), 0);
}

describe('KbReplica', () => {
  it('follows the log in order, skips re-deliveries and records that are no proposal', () => {
    const kb = replica();
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } }), { offset: 1, timestampMs: 0, value: Buffer.from('not json') }]);
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: { ...tradeIn, id: 'other' } } })]);
    expect(kb.nextOffset).toBe(2);
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).candidates[0]?.answerId).toBe('trade-in');
    expect(kb.knowledgeBase.resolve('shop-a', 'other', null, 0)).toBeNull();
  });

  it('previews a patch without changing the live knowledge base, and the same preview twice gives the same answer', () => {
    const kb = replica();
    const request = { shopId: 'shop-a', baseRevision: 0, patch: { op: 'new_answer' as const, scope, answer: tradeIn }, questions: ['旧机能抵多少钱', '保修几年'] };
    const first = kb.preview(request);
    expect(first).toEqual({ status: 'applied', outcomes: [{ before: null, after: 'trade-in' }, { before: 'warranty', after: 'warranty' }] });
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).matched).toBe(false);
    expect(kb.preview(request)).toEqual(first);
    // Once the patch is on the log, previewing it again is a stale new answer.
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } })]);
    expect(kb.preview(request)).toEqual({ status: 'rejected', reason: 'answer "trade-in" already exists' });
    expect(kb.preview({ ...request, shopId: 'nowhere' })).toMatchObject({ status: 'rejected' });
  });
});
