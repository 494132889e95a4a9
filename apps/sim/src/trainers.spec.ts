import type { Gap, PatchPreview, PatchRequest, ShopAnswer, User } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { mulberry32 } from './traffic';
import { SimulatedTrainers, nextGap, patchExamples, realMsOfCurveMinutes, suggestedPatch, type TrainerDesk } from './trainers';

const T = '2026-11-11T00:00:00.000Z';

function user(login: string, role: User['role'], grade: User['grade']): User {
  return { userId: `u-${login}`, login, displayName: login, role, grade, disabled: false };
}
const assistant = user('assistant', 'trainer', 'assistant');
const junior = user('junior', 'trainer', 'junior');
const lead = user('lead', 'lead', null);

function gap(id: string, cost: number, over: Partial<Gap> = {}): Gap {
  return {
    gapId: id,
    source: 'rehearsal',
    shopId: 'demo-electronics',
    status: 'open',
    representative: '以旧换新怎么折算',
    examples: ['以旧换新怎么折算', '旧手机能抵多少钱'],
    volume: { window: 5, total: 5 },
    flags: 0,
    firstSeenAt: T,
    lastSeenAt: T,
    stages: { pre_sale: 4, in_sale: 1, after_sale: 0, unspecified: 0 },
    skus: [],
    handoffShare: 0,
    meanEmotionWeight: 1,
    cost,
    suggestion: { kind: 'new_answer' },
    grades: ['junior', 'mid', 'senior'],
    claimedBy: null,
    published: null,
    verifiedAt: null,
    timeToPatchMs: null,
    dismissed: null,
    mergedIds: [],
    updatedAt: T,
    ...over,
  };
}

function answer(answerId: string, target: string, revision: number): ShopAnswer {
  return {
    answerId,
    target,
    version: { target, revision, content: { stage: 'pre_sale', reply: { type: 'text', text: 'r' }, examples: ['e'] }, author: null, appliedAt: null, patchId: null, op: 'pack' },
  };
}
const ANSWERS = [
  answer('trade-in', 'industry:consumer-electronics/trade-in', 3),
  answer('warranty', 'shop:demo-electronics/warranty', 2),
  answer('smalltalk.greeting', 'shop:demo-electronics/smalltalk.greeting', 1),
];

describe('nextGap', () => {
  it('takes the costliest open, unclaimed gap the grade may take, not one a colleague is on', () => {
    const gaps = [
      gap('cheap', 3),
      gap('costly-new-answer', 50),
      gap('examples', 20, { suggestion: { kind: 'add_examples', answerId: 'trade-in', score: 0.5 }, grades: ['assistant', 'junior', 'mid', 'senior'] }),
      gap('claimed', 90, { claimedBy: { actor: { userId: 'u-x', login: 'x' }, at: T } }),
      gap('published', 80, { status: 'published' }),
    ];
    expect(nextGap(gaps, junior, new Set())?.gapId).toBe('costly-new-answer');
    // An assistant may not write new answers: the examples gap is theirs.
    expect(nextGap(gaps, assistant, new Set())?.gapId).toBe('examples');
    expect(nextGap(gaps, junior, new Set(['costly-new-answer']))?.gapId).toBe('examples');
    expect(nextGap(gaps, lead, new Set(['costly-new-answer', 'examples', 'cheap']))).toBeNull();
  });

  it('breaks a tie of cost by the oldest gap', () => {
    const gaps = [gap('newer', 10, { firstSeenAt: '2026-11-11T00:05:00.000Z' }), gap('older', 10)];
    expect(nextGap(gaps, junior, new Set())?.gapId).toBe('older');
  });
});

describe('suggestedPatch', () => {
  const rng = mulberry32(1);

  it('adds the gap’s questions to the suggested answer, based on the revision the shop sees', () => {
    const g = gap('g1', 10, { suggestion: { kind: 'add_examples', answerId: 'trade-in', score: 0.5 } });
    expect(suggestedPatch(g, assistant, ANSWERS, false, rng)).toEqual({
      request: {
        patch: { op: 'add_examples', scope: { pack: 'shop', shopId: 'demo-electronics' }, answerId: 'trade-in', examples: ['以旧换新怎么折算', '旧手机能抵多少钱'] },
        baseRevision: 3,
        gapId: 'g1',
      },
      wrong: false,
    });
  });

  it('writes a new answer of the gap’s questions at its main stage, only for a grade that may', () => {
    const patch = suggestedPatch(gap('G-2', 10), junior, ANSWERS, false, rng);
    expect(patch?.request).toMatchObject({ baseRevision: 0, gapId: 'G-2', patch: { op: 'new_answer', answer: { id: 'rehearsal-g-2', stage: 'pre_sale', examples: ['以旧换新怎么折算', '旧手机能抵多少钱'] } } });
    expect(suggestedPatch(gap('G-2', 10), assistant, ANSWERS, false, rng)).toBeNull();
  });

  it('puts a wrong patch on another answer the shop has its own version of (so it can be rolled back), never small talk', () => {
    const g = gap('g3', 10, { suggestion: { kind: 'add_examples', answerId: 'trade-in', score: 0.5 } });
    for (let i = 0; i < 20; i += 1) {
      const patch = suggestedPatch(g, junior, ANSWERS, true, rng);
      expect(patch).toMatchObject({ wrong: true, request: { patch: { op: 'add_examples', answerId: 'warranty' }, baseRevision: 2 } });
    }
  });

  it('keeps distinct, non-blank examples of at most 200 characters', () => {
    const long = '长'.repeat(300);
    expect(patchExamples(gap('g', 1, { representative: ' a ', examples: ['a', '  ', long, 'b'] }))).toEqual(['a', '长'.repeat(200), 'b']);
  });
});

describe('realMsOfCurveMinutes', () => {
  it('turns curve minutes into real time at the rehearsal’s speed', () => {
    expect(realMsOfCurveMinutes(10, 60)).toBe(10_000);
    expect(realMsOfCurveMinutes(1, 1)).toBe(60_000);
  });
});

/** The api as a fake: one open gap per call until `gaps` runs out; records what was published. */
class FakeDesk implements TrainerDesk {
  readonly published: PatchRequest[] = [];
  /** Revisions the wrong patches (on `warranty`) got, and rollbacks not based on the current revision. */
  readonly warrantyRevisions: number[] = [];
  readonly staleRollbacks: PatchRequest[] = [];
  readonly claims: string[] = [];
  private revision = 2;

  constructor(private readonly gaps: Gap[]) {}

  signIn(login: string): Promise<{ token: string; user: User }> {
    return Promise.resolve({ token: login, user: login === 'lead' ? lead : junior });
  }
  openGaps(): Promise<Gap[]> {
    return Promise.resolve(this.gaps.filter((g) => !this.claims.includes(g.gapId)));
  }
  claim(_token: string, gapId: string): Promise<boolean> {
    if (this.claims.includes(gapId)) return Promise.resolve(false);
    this.claims.push(gapId);
    return Promise.resolve(true);
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
  answers(): Promise<ShopAnswer[]> {
    return Promise.resolve([answer('trade-in', 'industry:consumer-electronics/trade-in', 3), answer('warranty', 'shop:demo-electronics/warranty', this.revision)]);
  }
  preview(): Promise<PatchPreview> {
    return Promise.resolve({ replayed: 1, cap: 5000, capped: false, gapQuestions: { total: 2, answered: 2 }, newlyAnswered: 2, changed: [] } as unknown as PatchPreview);
  }
  publish(_token: string, request: PatchRequest): Promise<{ target: string; revision: number }> {
    this.published.push(request);
    if (request.patch.op === 'rollback' && request.baseRevision !== this.revision) this.staleRollbacks.push(request);
    this.revision += 1;
    if (request.patch.op === 'add_examples' && request.patch.answerId === 'warranty') this.warrantyRevisions.push(this.revision);
    return Promise.resolve({ target: 'shop:demo-electronics/warranty', revision: this.revision });
  }
}

describe('SimulatedTrainers', () => {
  it('claim each gap once, publish its patch, and the lead rolls back every wrong one to the revision before it', async () => {
    const gaps = Array.from({ length: 6 }, (_, i) => gap(`g${i}`, 10 - i, { suggestion: { kind: 'add_examples', answerId: 'trade-in', score: 0.5 } }));
    const desk = new FakeDesk(gaps);
    // 60,000 curve minutes per real minute: a trainer's quarter of an hour is 15 ms.
    const trainers = new SimulatedTrainers(
      { logins: [{ login: 'junior', password: 'p' }, { login: 'lead', password: 'p' }], source: 'rehearsal', speed: 60_000, wrongShare: 0.5 },
      desk,
      mulberry32(7),
    );
    const running = trainers.run();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    trainers.stop();
    await running;
    const { report } = trainers;
    expect(report.errors).toBe(0);
    expect(new Set(desk.claims).size).toBe(6);
    expect(report.published).toBe(6);
    expect(report.wrong).toBeGreaterThan(0);
    expect(report.rolledBack).toBe(report.wrong);
    const rollbacks = desk.published.filter((request) => request.patch.op === 'rollback');
    expect(rollbacks.length).toBeGreaterThan(0);
    expect(desk.staleRollbacks).toEqual([]);
    // Each goes back to the revision before a wrong patch.
    for (const rollback of rollbacks) {
      expect(rollback.patch).toMatchObject({ answerId: 'warranty' });
      expect(desk.warrantyRevisions).toContain((rollback.patch as { toRevision: number }).toRevision + 1);
    }
  });
});
