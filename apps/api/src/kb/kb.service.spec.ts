import { createPublicKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KbPatchProposal, KbPatchRecord } from '@warroom/contracts';
import { signKbRecord } from '@warroom/knowledge';
import type { LogRecord } from '@warroom/kafka';
import { describe, expect, it } from 'vitest';
import type { AuditService } from '../auth/audit.service';
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
const { privateKey } = generateKeyPairSync('ed25519');
const CONFIG = { kb: { publishTimeoutMs: 1000, signing: { privateKey, derived: false }, verifyKeys: [createPublicKey(privateKey)] } } as unknown as AppConfig;
const packs = { readFiles: () => [{ file: 'industry.json', text: JSON.stringify(PACK) }, { file: 'shop.json', text: JSON.stringify(SHOP) }] } as unknown as KnowledgePacksRepository;
const noAudit = { record: () => Promise.resolve() } as unknown as AuditService;

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
      // The cut-over this start appends does not reach this log: the unsigned proposal below comes before it.
      propose: () => Promise.resolve(),
      follow: (_from: bigint, handler: (records: LogRecord[]) => Promise<void>) => {
        onRecords = handler;
        return Promise.resolve();
      },
    } as unknown as KbPatchesRepository;
    const service = new KbService(CONFIG, revisions, patches, noAudit, packs);
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

describe('KbService refusing forged kb.patches records', () => {
  const addExamples = (author: KbPatchProposal['author'], examples: string[]): KbPatchProposal => ({
    v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author, baseRevision: 1,
    patch: { op: 'add_examples', scope: { pack: 'shop', shopId: 'shop-a' }, answerId: 'warranty', examples },
  });
  const industryEdit = (rights: KbPatchProposal['rights']): Omit<KbPatchProposal, 'signature'> => ({
    v: 1, patchId: randomUUID(), proposedAt: '2026-11-11T00:00:00.000Z', author: { userId: 'u-assistant', login: 'xiao' }, rights, baseRevision: 1,
    patch: { op: 'edit_answer', scope: { pack: 'industry', industryId: 'electronics' }, answerId: 'warranty', reply: { type: 'text', text: '三年' } },
  });

  it('applies what the api signed, refuses an unsigned record after the cut-over, a bad signature and rights that do not allow the change, and audits each', async () => {
    const appended: KbPatchRecord[] = [];
    const audited: { action: string; target: string; details: Record<string, unknown> }[] = [];
    let onRecords: ((records: LogRecord[]) => Promise<void>) | null = null;
    const revisions = { recordedAfter: () => Promise.resolve([]), record: () => Promise.resolve() } as unknown as KbRevisionsRepository;
    const patches = {
      propose: (record: KbPatchRecord) => {
        appended.push(record);
        return Promise.resolve();
      },
      follow: (_from: bigint, handler: (records: LogRecord[]) => Promise<void>) => {
        onRecords = handler;
        return Promise.resolve();
      },
    } as unknown as KbPatchesRepository;
    const audit = {
      record: (_actor: unknown, action: string, target: string, details: Record<string, unknown>) => {
        audited.push({ action, target, details });
        return Promise.resolve();
      },
    } as unknown as AuditService;
    const service = new KbService(CONFIG, revisions, patches, audit, packs);
    await service.onApplicationBootstrap();
    // The start appended the signed cut-over: the log now starts with it.
    expect(appended).toHaveLength(1);
    expect(appended[0]).toMatchObject({ kind: 'signing_cutover' });

    const { privateKey: strangerKey } = generateKeyPairSync('ed25519');
    const signed = signKbRecord({ ...addExamples({ userId: 'u-wang', login: 'wang' }, ['质保多久']), rights: { role: 'trainer', grade: 'junior' } }, privateKey);
    const log = [
      appended[0]!,
      addExamples({ userId: 'u-lead', login: 'zhao' }, ['伪造的问题']),
      signKbRecord({ ...addExamples({ userId: 'u-lead', login: 'zhao' }, ['陌生钥匙']), rights: { role: 'lead', grade: null } }, strangerKey),
      { ...signed, patch: { ...signed.patch, examples: ['改过的问题'] } },
      signKbRecord(industryEdit({ role: 'trainer', grade: 'assistant' }), privateKey),
      signKbRecord(industryEdit(undefined), privateKey),
      signed,
    ];
    await onRecords!(log.map((record, offset) => ({ offset: BigInt(offset), timestampMs: Date.parse('2026-11-11T00:00:01Z'), value: Buffer.from(JSON.stringify(record)) })));

    // Only the api's own signed proposal changed anything.
    expect(service.history('shop:shop-a/warranty').map((version) => [version.revision, version.author?.login ?? null])).toEqual([[1, null], [2, 'wang']]);
    expect(service.history('industry:electronics/warranty').map((version) => version.revision)).toEqual([1]);
    expect(audited.map((entry) => [entry.target, entry.details.reason])).toEqual([
      ['kb.patches@1', 'unsigned, after the signing cut-over at offset 0'],
      ['kb.patches@2', 'bad signature'],
      ['kb.patches@3', 'bad signature'],
      ['kb.patches@4', 'xiao may not make this change: only senior trainers and leads publish to the industry pack'],
      ['kb.patches@5', "signed without the author's rights"],
    ]);
    expect(audited.every((entry) => entry.action === 'kb.record_refused')).toBe(true);
    expect(service.state()).toMatchObject({ nextOffset: 7, signedFrom: 0 });
  });
  it('after a restart refuses the recorded forged record again, keeps the cut-over, and records or announces nothing twice', async () => {
    const cutover = signKbRecord({ v: 1, kind: 'signing_cutover', cutoverId: randomUUID(), at: '2026-11-11T00:00:00.000Z' }, privateKey);
    const forged = addExamples({ userId: 'u-lead', login: 'zhao' }, ['伪造的问题']);
    const signed = signKbRecord({ ...addExamples({ userId: 'u-wang', login: 'wang' }, ['质保多久']), rights: { role: 'trainer', grade: 'junior' } }, privateKey);
    const at = '2026-11-11T00:00:01.000Z';
    const written: unknown[] = [];
    const revisions = {
      recordedAfter: () =>
        Promise.resolve([
          { offset: 0, appliedAt: at, record: cutover, status: 'applied' },
          { offset: 1, appliedAt: at, record: forged, status: 'rejected' },
          { offset: 2, appliedAt: at, record: signed, status: 'applied' },
        ]),
      record: (entries: unknown[]) => {
        written.push(...entries);
        return Promise.resolve();
      },
    } as unknown as KbRevisionsRepository;
    const appended: KbPatchRecord[] = [];
    let onRecords: ((records: LogRecord[]) => Promise<void>) | null = null;
    const patches = {
      propose: (record: KbPatchRecord) => {
        appended.push(record);
        return Promise.resolve();
      },
      follow: (_from: bigint, handler: (records: LogRecord[]) => Promise<void>) => {
        onRecords = handler;
        return Promise.resolve();
      },
    } as unknown as KbPatchesRepository;
    const service = new KbService(CONFIG, revisions, patches, noAudit, packs);
    const announced: AppliedPatch[] = [];
    service.onApplied((applied) => announced.push(applied));
    await service.onApplicationBootstrap();
    expect(appended).toEqual([]);
    expect(service.state()).toMatchObject({ nextOffset: 3, signedFrom: 0 });
    expect(service.history('shop:shop-a/warranty').map((version) => version.author?.login ?? null)).toEqual([null, 'wang']);
    // An unsigned record after the restart is still refused: the cut-over came back from kb_revisions.
    await onRecords!([{ offset: 3n, timestampMs: Date.parse(at), value: Buffer.from(JSON.stringify(addExamples({ userId: 'u-lead', login: 'zhao' }, ['又一个']))) }]);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ decision: { status: 'rejected', offset: 3 } });
    expect(announced).toEqual([]);
  });
});
