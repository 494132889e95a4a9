import type { Actor } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import type { LifecycleRecord } from '../repositories/gap-records';
import { OPEN_STATE, decide, mayRelease, mergeStates, type LifecycleState } from './gap-lifecycle';

const ALICE: Actor = { userId: 'u-alice', login: 'alice' };
const BOB: Actor = { userId: 'u-bob', login: 'bob' };

function record(action: LifecycleRecord['action'], overrides: Partial<LifecycleRecord> = {}): LifecycleRecord {
  return { actionId: 'a', source: 'live', shopId: 's', gapId: 'g', action, at: 1000, actor: ALICE, reason: '', target: '', answerId: '', revision: 0, refEventId: '', ...overrides };
}

function apply(state: LifecycleState, r: LifecycleRecord): LifecycleState {
  const decision = decide(state, r);
  if (decision.kind !== 'apply') throw new Error(`expected apply, got ${JSON.stringify(decision)}`);
  return decision.state;
}

describe('gap lifecycle', () => {
  it('goes open → claimed → published → verified', () => {
    const claimed = apply(OPEN_STATE, record('claim'));
    expect(claimed).toMatchObject({ status: 'claimed', claimedBy: { actor: ALICE, at: 1000 } });
    const published = apply(claimed, record('publish', { at: 2000, target: 't', answerId: 'x', revision: 2 }));
    expect(published).toMatchObject({ status: 'published', published: { answerId: 'x', revision: 2, at: 2000 }, claimedBy: { actor: ALICE } });
    const verified = apply(published, record('verify', { actor: null, at: 3000, answerId: 'x', revision: 2 }));
    expect(verified).toMatchObject({ status: 'verified', verifiedAt: 3000 });
  });

  it('lets one trainer claim; a repeat by the same one is idempotent; another gets a conflict', () => {
    const claimed = apply(OPEN_STATE, record('claim'));
    expect(decide(claimed, record('claim'))).toEqual({ kind: 'unchanged' });
    expect(decide(claimed, record('claim', { actor: BOB }))).toEqual({ kind: 'conflict', message: 'the gap is claimed by alice since 1970-01-01T00:00:01.000Z' });
    expect(apply(claimed, record('release'))).toEqual(OPEN_STATE);
    expect(decide(OPEN_STATE, record('release'))).toEqual({ kind: 'unchanged' });
  });

  it('publishes without a claim, ignores a repeat or an older revision, takes a newer one', () => {
    const published = apply(OPEN_STATE, record('publish', { answerId: 'x', revision: 2 }));
    expect(decide(published, record('publish', { answerId: 'x', revision: 2 }))).toEqual({ kind: 'unchanged' });
    expect(decide(published, record('publish', { answerId: 'x', revision: 1 }))).toEqual({ kind: 'unchanged' });
    expect(apply(published, record('publish', { answerId: 'x', revision: 3 })).published?.revision).toBe(3);
  });

  it('verifies only with the published answer at its revision or later', () => {
    const published = apply(OPEN_STATE, record('publish', { answerId: 'x', revision: 2 }));
    expect(decide(published, record('verify', { answerId: 'x', revision: 1 })).kind).toBe('conflict');
    expect(decide(published, record('verify', { answerId: 'y', revision: 2 })).kind).toBe('conflict');
    expect(decide(OPEN_STATE, record('verify', { answerId: 'x', revision: 2 })).kind).toBe('conflict');
  });

  it('dismisses anything not yet closed, with the reason', () => {
    expect(apply(OPEN_STATE, record('dismiss', { reason: 'spam' }))).toMatchObject({ status: 'dismissed', dismissed: { reason: 'spam', actor: ALICE } });
    const dismissed = apply(OPEN_STATE, record('dismiss', { reason: 'spam' }));
    expect(decide(dismissed, record('dismiss', { reason: 'again' })).kind).toBe('conflict');
    expect(decide(dismissed, record('claim')).kind).toBe('conflict');
    expect(decide(dismissed, record('publish', { answerId: 'x', revision: 1 })).kind).toBe('conflict');
  });
});

describe('mergeStates', () => {
  const claimedByBob = apply(OPEN_STATE, record('claim', { actor: BOB }));
  const claimedByAlice = apply(OPEN_STATE, record('claim'));
  it('keeps the survivor’s claim', () => {
    expect(mergeStates(claimedByAlice, [claimedByBob])).toBe(claimedByAlice);
  });
  it('gives an open survivor the most advanced absorbed state, but never a dismissal', () => {
    const published = apply(OPEN_STATE, record('publish', { answerId: 'x', revision: 1 }));
    expect(mergeStates(OPEN_STATE, [claimedByBob, published])).toBe(published);
    expect(mergeStates(OPEN_STATE, [apply(OPEN_STATE, record('dismiss', { reason: 'spam' }))])).toBe(OPEN_STATE);
  });
});

describe('release permission', () => {
  it('lets the claimer or a lead release', () => {
    const claimed = apply(OPEN_STATE, record('claim'));
    expect(mayRelease({ role: 'trainer', userId: 'u-alice' }, claimed.claimedBy)).toBe(true);
    expect(mayRelease({ role: 'trainer', userId: 'u-bob' }, claimed.claimedBy)).toBe(false);
    expect(mayRelease({ role: 'lead', userId: 'u-carol' }, claimed.claimedBy)).toBe(true);
  });
});
