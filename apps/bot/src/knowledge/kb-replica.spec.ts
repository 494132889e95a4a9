import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { kbPatchProposalSchema, type KbPatchProposal } from '@warroom/contracts';
import { KbLedger, KbRecordGate, signKbRecord } from '@warroom/knowledge';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

const { privateKey: apiKey } = generateKeyPairSync('ed25519');

/** Without a cut-over on the log, unsigned records are the history from before signing: taken. */
function replica(gate = new KbRecordGate([createPublicKey(apiKey)])): KbReplica {
  return new KbReplica(ALL_PACKS, testKnowledgeBase(), () => new FakeMatcher(), 0, gate);
}

describe('KbReplica', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('rejects a proposal the ledger fails on unexpectedly, and applies the later ones', () => {
    const kb = replica();
    vi.spyOn(KbLedger.prototype, 'apply').mockImplementationOnce(() => {
      throw new TypeError('a bug in the rule');
    });
    kb.apply([
      record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: { ...tradeIn, id: 'broken' } } }),
      record(1, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } }),
    ]);
    expect(kb.nextOffset).toBe(2);
    expect(kb.knowledgeBase.resolve('shop-a', 'broken', null, 0)).toBeNull();
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).candidates[0]?.answerId).toBe('trade-in');
  });

  it('moves past a proposal the knowledge base fails to take, and keeps following', () => {
    const kb = replica();
    vi.spyOn(kb.knowledgeBase, 'applyChange').mockImplementationOnce(() => {
      throw new Error('matcher refused the examples');
    });
    kb.apply([
      record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: { ...tradeIn, id: 'broken' } } }),
      record(1, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } }),
    ]);
    expect(kb.nextOffset).toBe(2);
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).candidates[0]?.answerId).toBe('trade-in');
  });

  it('does not move past a record while taking it (a crash mid-way takes it again)', () => {
    const kb = replica();
    let offsetDuring = -1;
    vi.spyOn(kb.knowledgeBase, 'applyChange').mockImplementationOnce(() => {
      offsetDuring = kb.nextOffset;
    });
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } })]);
    expect(offsetDuring).toBe(0);
    expect(kb.nextOffset).toBe(1);
  });

  it('finds the offsets a cut log lost, and fills them from the api state', () => {
    const kb = replica();
    const lost = record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } });
    const next = record(3, { baseRevision: 1, patch: { op: 'add_examples', scope, answerId: 'trade-in', examples: ['以旧换新怎么算'] } });
    expect(kb.missingBefore([next])).toEqual({ from: 0, to: 3 });
    const proposal = kbPatchProposalSchema.parse(JSON.parse(lost.value.toString('utf8')));
    const state = (nextOffset: number) => ({ packFiles: [], proposals: [{ offset: 0, timestampMs: lost.timestampMs, proposal }], nextOffset, signedFrom: null, publicKeys: [] });
    // The api's replica has not reached offset 3 yet: nothing is taken.
    expect(kb.fillFrom(state(2), 3)).toBe(false);
    expect(kb.nextOffset).toBe(0);
    expect(kb.fillFrom(state(5), 3)).toBe(true);
    expect(kb.nextOffset).toBe(3);
    expect(kb.missingBefore([next])).toBeNull();
    kb.apply([next]);
    expect(kb.knowledgeBase.match('shop-a', '以旧换新怎么算', 1).candidates[0]?.answerId).toBe('trade-in');
  });

  it('follows the log in order, skips re-deliveries and records that are no proposal', () => {
    const kb = replica();
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } }), { offset: 1, timestampMs: 0, value: Buffer.from('not json') }]);
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: { ...tradeIn, id: 'other' } } })]);
    expect(kb.nextOffset).toBe(2);
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).candidates[0]?.answerId).toBe('trade-in');
    expect(kb.knowledgeBase.resolve('shop-a', 'other', null, 0)).toBeNull();
  });

  it('previews a patch without changing the live knowledge base, and the same preview twice gives the same answer', async () => {
    const kb = replica();
    const request = { shopId: 'shop-a', baseRevision: 0, patch: { op: 'new_answer' as const, scope, answer: tradeIn }, questions: ['旧机能抵多少钱', '保修几年'] };
    const first = await kb.preview(request);
    expect(first).toEqual({ status: 'applied', outcomes: [{ before: null, after: 'trade-in' }, { before: 'warranty', after: 'warranty' }] });
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).matched).toBe(false);
    expect(await kb.preview(request)).toEqual(first);
    // Once the patch is on the log, previewing it again is a stale new answer.
    kb.apply([record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } })]);
    expect(await kb.preview(request)).toEqual({ status: 'rejected', reason: 'answer "trade-in" already exists' });
    expect(await kb.preview({ ...request, shopId: 'nowhere' })).toMatchObject({ status: 'rejected' });
  });

  it('replays a long preview in slices, answering other work in between, and runs two previews one after the other', async () => {
    const kb = replica();
    const questions = Array.from({ length: 3_000 }, (_, i) => `旧机能抵多少钱${i}`);
    const request = { shopId: 'shop-a', baseRevision: 0, patch: { op: 'new_answer' as const, scope, answer: tradeIn }, questions };
    let turns = 0;
    let counting = true;
    const count = (): void => {
      turns += 1;
      if (counting) setImmediate(count);
    };
    setImmediate(count);
    const [first, second] = await Promise.all([kb.preview(request), kb.preview({ ...request, questions: ['保修几年'] })]);
    counting = false;
    expect(first.status === 'applied' && first.outcomes.length).toBe(questions.length);
    expect(second).toEqual({ status: 'applied', outcomes: [{ before: 'warranty', after: 'warranty' }] });
    // The event loop went round while 6,000 matches ran (one slice is 5 ms).
    expect(turns).toBeGreaterThan(2);
    expect(kb.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).matched).toBe(false);
  });
  it('refuses forged records after the signing cut-over and applies what the api signed', () => {
    const kb = replica();
    const signed = (offset: number, proposal: Omit<KbPatchProposal, 'v' | 'patchId' | 'proposedAt' | 'author' | 'signature'>, key = apiKey) => ({
      offset,
      timestampMs: Date.parse('2026-11-11T00:00:00Z'),
      value: Buffer.from(JSON.stringify(signKbRecord({ v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author: { userId: 'u', login: 'li' }, ...proposal }, key))),
    });
    const cutover = { offset: 1, timestampMs: 0, value: Buffer.from(JSON.stringify(signKbRecord({ v: 1, kind: 'signing_cutover', cutoverId: randomUUID(), at: '2026-11-11T00:00:00.000Z' }, apiKey))) };
    const { privateKey: strangerKey } = generateKeyPairSync('ed25519');
    const trainer = { role: 'trainer' as const, grade: 'mid' as const };
    kb.apply([
      // Before the cut-over: the unsigned history is taken.
      record(0, { baseRevision: 0, patch: { op: 'new_answer', scope, answer: tradeIn } }),
      cutover,
      record(2, { baseRevision: 1, patch: { op: 'add_examples', scope, answerId: 'trade-in', examples: ['伪造一'] } }),
      signed(3, { rights: trainer, baseRevision: 1, patch: { op: 'add_examples', scope, answerId: 'trade-in', examples: ['伪造二'] } }, strangerKey),
      signed(4, { rights: { role: 'agent', grade: null }, baseRevision: 1, patch: { op: 'add_examples', scope, answerId: 'trade-in', examples: ['伪造三'] } }),
      { offset: 5, timestampMs: 0, value: Buffer.from('{"v":1}') },
      signed(6, { rights: trainer, baseRevision: 1, patch: { op: 'add_examples', scope, answerId: 'trade-in', examples: ['以旧换新怎么算'] } }),
    ]);
    expect(kb.nextOffset).toBe(7);
    expect(kb.refusedRecords).toBe(4);
    for (const forged of ['伪造一', '伪造二', '伪造三']) expect(kb.knowledgeBase.match('shop-a', forged, 1).matched).toBe(false);
    expect(kb.knowledgeBase.match('shop-a', '以旧换新怎么算', 1).candidates[0]?.answerId).toBe('trade-in');
    expect(kb.knowledgeBase.resolve('shop-a', 'trade-in', null, 0)?.revision).toBe(2);
  });
});
