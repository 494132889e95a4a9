import type { Emotion, HandoffReason, Mode } from '@warroom/contracts';

/**
 * The outcome of one question (DESIGN.md "Metrics"), decided in this order:
 * 1. assist mode → handoff `assist_mode` (a human answers; the bot only suggests);
 * 2. the customer asks for a human → handoff `customer_request`;
 * 3. angry at or above the configured intensity → handoff `negative_emotion`;
 * 4. a knowledge-base answer above the threshold → `answered`;
 * 5. nothing matched and the previous question of the session did not match either → handoff `no_match`;
 * 6. otherwise `unmatched`: the bot asks the customer to rephrase.
 * A customer's explicit request and anger come before matching: answering an angry customer who asked
 * for a person with a canned text is what makes them angrier.
 */

export type Decision = { outcome: 'answered' } | { outcome: 'unmatched' } | { outcome: 'handoff'; reason: HandoffReason };

export interface DecisionInput {
  mode: Mode;
  wantsHuman: boolean;
  emotion: Emotion;
  /** The best candidate is above the threshold. */
  matched: boolean;
  /** Questions in a row, just before this one, that matched nothing (session state). */
  unmatchedStreak: number;
  angryHandoffIntensity: number;
}

export function decideOutcome(input: DecisionInput): Decision {
  if (input.mode === 'assist') return { outcome: 'handoff', reason: 'assist_mode' };
  if (input.wantsHuman) return { outcome: 'handoff', reason: 'customer_request' };
  if (input.emotion.name === 'angry' && input.emotion.intensity >= input.angryHandoffIntensity) {
    return { outcome: 'handoff', reason: 'negative_emotion' };
  }
  if (input.matched) return { outcome: 'answered' };
  if (input.unmatchedStreak >= 1) return { outcome: 'handoff', reason: 'no_match' };
  return { outcome: 'unmatched' };
}

/** The session's streak after this decision: only `unmatched` extends it; anything else ends it. */
export function nextUnmatchedStreak(decision: Decision, streak: number): number {
  return decision.outcome === 'unmatched' ? streak + 1 : 0;
}
