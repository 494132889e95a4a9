/**
 * Gap lifecycle rules (pure): `open → claimed → published → verified`, or `dismissed` with a reason, and
 * what a merge does to two lifecycles. The same function decides every change read from the
 * `gap.lifecycle` log in every api process, and re-applies the stored rows after a restart, so all agree.
 */
import type { Actor, GapStatus, Role } from '@warroom/contracts';
import type { LifecycleRecord } from '../repositories/gap-records';

export interface LifecycleState {
  status: GapStatus;
  claimedBy: { actor: Actor; at: number } | null;
  published: { actor: Actor; at: number; target: string; answerId: string; revision: number } | null;
  verifiedAt: number | null;
  dismissed: { actor: Actor; at: number; reason: string } | null;
}

export const OPEN_STATE: LifecycleState = { status: 'open', claimedBy: null, published: null, verifiedAt: null, dismissed: null };

/** Why a change is refused; `unchanged` is not an error (an idempotent repeat: nothing to write). */
export type LifecycleDecision =
  | { kind: 'apply'; state: LifecycleState }
  | { kind: 'unchanged' }
  | { kind: 'conflict'; message: string };

/** The state after `record`, or why it cannot apply. Permissions are checked before (see `mayClaim`). */
export function decide(state: LifecycleState, record: LifecycleRecord): LifecycleDecision {
  const conflict = (message: string): LifecycleDecision => ({ kind: 'conflict', message });
  switch (record.action) {
    case 'claim': {
      if (!record.actor) return conflict('a claim needs an actor');
      if (state.status === 'claimed' && state.claimedBy?.actor.userId === record.actor.userId) return { kind: 'unchanged' };
      if (state.status !== 'open') return conflict(`the gap is ${describe(state)}`);
      return { kind: 'apply', state: { ...state, status: 'claimed', claimedBy: { actor: record.actor, at: record.at } } };
    }
    case 'release': {
      if (state.status === 'open') return { kind: 'unchanged' };
      if (state.status !== 'claimed') return conflict(`the gap is ${describe(state)}; only a claim can be released`);
      return { kind: 'apply', state: { ...state, status: 'open', claimedBy: null } };
    }
    case 'publish': {
      if (!record.actor) return conflict('a publication needs an actor');
      const published = { actor: record.actor, at: record.at, target: record.target, answerId: record.answerId, revision: record.revision };
      if (state.status === 'dismissed') return conflict(`the gap is ${describe(state)}`);
      if (state.published && state.published.answerId === record.answerId && state.published.revision >= record.revision) {
        return { kind: 'unchanged' };
      }
      // A verified gap stays verified: its time-to-patch is history; a later patch improves the answer.
      if (state.status === 'verified') return { kind: 'unchanged' };
      return { kind: 'apply', state: { ...state, status: 'published', published } };
    }
    case 'verify': {
      if (state.status === 'verified') return { kind: 'unchanged' };
      if (state.status !== 'published' || !state.published) return conflict(`the gap is ${describe(state)}, not published`);
      if (state.published.answerId !== record.answerId || record.revision < state.published.revision) {
        return conflict(`answered by ${record.answerId} r${record.revision}, published ${state.published.answerId} r${state.published.revision}`);
      }
      return { kind: 'apply', state: { ...state, status: 'verified', verifiedAt: record.at } };
    }
    case 'dismiss': {
      if (!record.actor) return conflict('a dismissal needs an actor');
      if (state.status === 'dismissed' || state.status === 'verified') return conflict(`the gap is ${describe(state)}`);
      return { kind: 'apply', state: { ...state, status: 'dismissed', dismissed: { actor: record.actor, at: record.at, reason: record.reason } } };
    }
  }
}

const RANK: Record<GapStatus, number> = { open: 0, dismissed: 0, claimed: 1, published: 2, verified: 3 };

/**
 * The lifecycle of a merged gap: the surviving (older) gap keeps its own state unless it is still open,
 * in which case it takes the most advanced state among the absorbed ones (a claim, a publication or a
 * verification is work someone did; it is never lost). A dismissed absorbed gap does not dismiss the
 * survivor: the larger topic is still asked.
 */
export function mergeStates(survivor: LifecycleState, absorbed: readonly LifecycleState[]): LifecycleState {
  if (survivor.status !== 'open') return survivor;
  let best = survivor;
  for (const state of absorbed) if (RANK[state.status] > RANK[best.status]) best = state;
  return best;
}

/** Release: the trainer holding the claim, or a lead. */
export function mayRelease(user: { role: Role; userId: string }, claimedBy: { actor: Actor } | null): boolean {
  return user.role === 'lead' || claimedBy?.actor.userId === user.userId;
}

function describe(state: LifecycleState): string {
  switch (state.status) {
    case 'claimed':
      // Who and since when: the trainer who lost a race for the gap knows whom to ask.
      return state.claimedBy ? `claimed by ${state.claimedBy.actor.login} since ${new Date(state.claimedBy.at).toISOString()}` : 'claimed';
    case 'published':
      return `published (${state.published?.answerId ?? '?'} r${state.published?.revision ?? '?'})`;
    default:
      return state.status;
  }
}
