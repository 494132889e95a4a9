/**
 * What `GapsRepository` reads and writes for the gaps: questions and flags from `chat_events`, and the
 * rows of `gap_lifecycle`. Declared here, beside the repository that stores them, so that the repository
 * imports nothing from the gaps service's folder; the engine and the lifecycle rules import them from here.
 */
import { GAP_LIFECYCLE_ACTIONS, type Actor, type EmotionName, type EventSource, type Gap, type Stage } from '@warroom/contracts';

/** A question or flag that belongs in a gap, as read from `chat_events`. */
export interface GapInput {
  eventId: string;
  /** Epoch ms. */
  eventTime: number;
  source: EventSource;
  shopId: string;
  kind: 'question' | 'agent_flag';
  text: string;
  /** A question that ended in a handoff (reason `no_match`); a flag always counts as one. */
  handoff: boolean;
  stage: Stage | null;
  sku: string | null;
  emotion: EmotionName | null;
  /** The bot's best candidate below its threshold, if any. */
  candidate: { answerId: string; score: number } | null;
  /** A flag's question, when the agent flagged one. */
  questionEventId: string | null;
}

/** A question the bot answered, seen while looking for verifications. */
export interface AnsweredInput {
  eventId: string;
  eventTime: number;
  source: EventSource;
  shopId: string;
  text: string;
  answerId: string;
  revision: number;
}

export const LIFECYCLE_ACTIONS = GAP_LIFECYCLE_ACTIONS;
export type LifecycleAction = (typeof LIFECYCLE_ACTIONS)[number];

/** One row of `gap_lifecycle` (migration 0006), times in epoch ms. */
export interface LifecycleRecord {
  actionId: string;
  source: Gap['source'];
  shopId: string;
  gapId: string;
  action: LifecycleAction;
  at: number;
  /** Who; null for `verify` (the system saw it). */
  actor: Actor | null;
  reason: string;
  target: string;
  answerId: string;
  revision: number;
  /** `verify`: the question answered by the published revision. */
  refEventId: string;
}

/** A change decided on the `gap.lifecycle` log, stored with its offset there (-1: stored before the log existed). */
export interface DecidedLifecycleRecord extends LifecycleRecord {
  logOffset: number;
}
