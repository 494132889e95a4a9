import type { Gap, KbTargetVersion, User } from '@warroom/contracts';

export const AT = '2026-11-11T12:00:00.000Z';

export function aUser(overrides: Partial<User> = {}): User {
  return { userId: 'u-wang', login: 'wang', displayName: '王芳', role: 'trainer', grade: 'junior', disabled: false, ...overrides };
}

/** An open gap of shop `s1` whose questions the answer `faq.pay` nearly matches. */
export function aGap(overrides: Partial<Gap> = {}): Gap {
  return {
    gapId: 'g-pay',
    source: 'live',
    shopId: 's1',
    status: 'open',
    representative: 'can I pay with digital yuan',
    examples: ['can I pay with digital yuan', 'digital yuan accepted?'],
    volume: { window: 2, total: 2 },
    flags: 0,
    firstSeenAt: AT,
    lastSeenAt: AT,
    stages: { pre_sale: 0, in_sale: 2, after_sale: 0, unspecified: 0 },
    skus: [],
    handoffShare: 0,
    meanEmotionWeight: 1,
    cost: 2,
    suggestion: { kind: 'add_examples', answerId: 'faq.pay', score: 0.5 },
    grades: ['assistant', 'junior', 'mid', 'senior'],
    claimedBy: null,
    published: null,
    verifiedAt: null,
    timeToPatchMs: null,
    dismissed: null,
    mergedIds: [],
    updatedAt: AT,
    ...overrides,
  };
}

/** Revision `revision` of `shop:s1/faq.pay`, by wang (revision 1 comes from the pack file). */
export function aVersion(revision: number, reply: string, examples: string[] = ['how do I pay']): KbTargetVersion {
  return {
    target: 'shop:s1/faq.pay',
    revision,
    content: { stage: null, reply: { type: 'text', text: reply }, examples },
    author: revision === 1 ? null : { userId: 'u-wang', login: 'wang' },
    appliedAt: revision === 1 ? null : AT,
    patchId: null,
    op: revision === 1 ? 'pack' : 'edit_answer',
  };
}
