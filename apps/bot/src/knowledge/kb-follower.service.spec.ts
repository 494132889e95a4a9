import { randomUUID } from 'node:crypto';
import type { KbState } from '@warroom/contracts';
import { KbRecordGate } from '@warroom/knowledge';
import { describe, expect, it } from 'vitest';
import type { KbPatchesRepository } from '../repositories/kb-patches.repository';
import type { KbStateRepository } from '../repositories/kb-state.repository';
import { FakeMatcher } from '../testing/fake-matcher';
import { ALL_PACKS, testKnowledgeBase } from '../testing/packs';
import { KbFollowerService } from './kb-follower.service';
import { KbReplica } from './kb-replica';

const scope = { pack: 'shop' as const, shopId: 'shop-a' };
const proposal = (id: string, examples: string[]) => ({
  v: 1 as const,
  patchId: randomUUID(),
  proposedAt: '2026-11-11T00:00:00.000Z',
  author: { userId: 'u', login: 'li' },
  baseRevision: 0,
  patch: { op: 'new_answer' as const, scope, answer: { id, topic: 'promotion' as const, stage: 'pre_sale' as const, examples, reply: { type: 'text' as const, text: '好的。' } } },
});

/** The api's state as `GET /api/kb/state` gives it; counts the loads. */
class FakeState {
  loads = 0;
  constructor(
    readonly fromApi: boolean,
    private readonly state: KbState,
  ) {}
  load(): Promise<KbState> {
    this.loads += 1;
    return Promise.resolve(this.state);
  }
}

function follower(state: FakeState): { service: KbFollowerService; replica: KbReplica } {
  const replica = new KbReplica(ALL_PACKS, testKnowledgeBase(), () => new FakeMatcher(), 0, new KbRecordGate([]));
  const service = new KbFollowerService(replica, {} as KbPatchesRepository, state as unknown as KbStateRepository);
  return { service, replica };
}

describe('KbFollowerService', () => {
  const cut = proposal('trade-in', ['旧机能抵多少钱']);
  const after = proposal('subsidy', ['国补怎么领']);
  const record = (offset: number, value: ReturnType<typeof proposal>) => ({ offset, timestampMs: 0, value: Buffer.from(JSON.stringify(value)) });

  it('takes what retention cut from the log out of the api state, then follows on', async () => {
    const state = new FakeState(true, { packFiles: [], proposals: [{ offset: 4, timestampMs: 0, proposal: cut }], nextOffset: 10, signedFrom: null, publicKeys: [] });
    const { service, replica } = follower(state);
    await service.take([record(7, after)]);
    expect(state.loads).toBe(1);
    expect(replica.nextOffset).toBe(8);
    expect(replica.knowledgeBase.match('shop-a', '旧机能抵多少钱', 1).candidates[0]?.answerId).toBe('trade-in');
    expect(replica.knowledgeBase.match('shop-a', '国补怎么领', 1).candidates[0]?.answerId).toBe('subsidy');
    // A batch that follows on needs no state.
    await service.take([record(8, proposal('other', ['别的问题']))]);
    expect(state.loads).toBe(1);
  });

  it('without the api follows on from the cut, loudly', async () => {
    const state = new FakeState(false, { packFiles: [], proposals: [], nextOffset: 0, signedFrom: null, publicKeys: [] });
    const { service, replica } = follower(state);
    await service.take([record(7, after)]);
    expect(state.loads).toBe(0);
    expect(replica.nextOffset).toBe(8);
  });
});
