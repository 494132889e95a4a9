import { randomUUID } from 'node:crypto';
import type { KbPatchProposal } from '@warroom/contracts';
import type { LogRecord } from '@warroom/kafka';
import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../config/app-config';
import type { KbPatchesRepository } from '../repositories/kb-patches.repository';
import type { KbRevisionsRepository } from '../repositories/kb-revisions.repository';
import type { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import { KbService, type AppliedPatch } from './kb.service';

// The service's own rules (what it does with the log when the store fails), with its adapters replaced by
// plain objects; the pipeline itself is tested through the real broker and store in patch-loop.test.ts.
const PACK = {
  v: 1, kind: 'industry', id: 'electronics', title: '行业', revision: 1, attributes: [],
  answers: [{ id: 'warranty', topic: 'warranty', stage: 'pre_sale', examples: ['保修几年'], reply: { type: 'text', text: '一年' } }],
};
const SHOP = { v: 1, kind: 'shop', shopId: 'shop-a', industry: 'electronics', title: 'A', revision: 1, overrides: [], answers: [] };

describe('KbService following kb.patches', () => {
  it('announces an applied patch once its decision is recorded, even when the first write failed', async () => {
    let failWrites = 1;
    const recorded: number[] = [];
    let onRecords: ((records: LogRecord[]) => Promise<void>) | null = null;
    const revisions = {
      recordedAfter: () => Promise.resolve([]),
      record: (entries: { decision: { offset: number } }[]) => {
        if (failWrites-- > 0) return Promise.reject(new Error('store unreachable'));
        recorded.push(...entries.map((entry) => entry.decision.offset));
        return Promise.resolve();
      },
    } as unknown as KbRevisionsRepository;
    const patches = {
      follow: (_from: bigint, handler: (records: LogRecord[]) => Promise<void>) => {
        onRecords = handler;
        return Promise.resolve();
      },
    } as unknown as KbPatchesRepository;
    const packs = { readFiles: () => [{ file: 'industry.json', text: JSON.stringify(PACK) }, { file: 'shop.json', text: JSON.stringify(SHOP) }] } as unknown as KnowledgePacksRepository;
    const service = new KbService({ kb: { publishTimeoutMs: 1000 } } as AppConfig, revisions, patches, packs);
    const announced: AppliedPatch[] = [];
    service.onApplied((applied) => announced.push(applied));
    await service.onApplicationBootstrap();

    const proposal: KbPatchProposal = {
      v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author: { userId: 'u', login: 'wang' }, baseRevision: 1, gapId: 'g-1',
      patch: { op: 'add_examples', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'warranty', examples: ['质保多久'] },
    };
    const records: LogRecord[] = [{ offset: 0n, timestampMs: Date.parse('2026-11-11T00:00:01Z'), value: Buffer.from(JSON.stringify(proposal)) }];
    await expect(onRecords!(records)).rejects.toThrow('store unreachable');
    expect(announced).toEqual([]);
    // The follower hands the same records over again: applied once, recorded and announced now.
    await onRecords!(records);
    expect(recorded).toEqual([0]);
    expect(announced.map((applied) => [applied.answerId, applied.decision.version.revision, applied.proposal.gapId])).toEqual([['warranty', 2, 'g-1']]);
    expect(service.history('shop:shop-a/warranty').map((version) => version.revision)).toEqual([1, 2]);
  });
});
