import { z } from 'zod';
import { actorSchema } from './auth';
import { eventSourceSchema } from './chat-event';

export const GAP_LIFECYCLE_ACTIONS = ['claim', 'release', 'publish', 'verify', 'dismiss'] as const;
export const gapLifecycleActionSchema = z.enum(GAP_LIFECYCLE_ACTIONS);

/**
 * One proposed lifecycle change of a gap, as the api writes it to `gap.lifecycle` (one partition: the
 * sequencer). Every api process applies the log in order with the same rule, so the first claim of a gap
 * on the log wins everywhere. Times in epoch ms, stamped by the proposing process.
 */
export const gapLifecycleProposalSchema = z.strictObject({
  v: z.literal(1),
  actionId: z.string().min(1).max(64),
  source: eventSourceSchema,
  shopId: z.string().min(1).max(64),
  gapId: z.string().min(1).max(64),
  action: gapLifecycleActionSchema,
  at: z.number().int().nonnegative(),
  /** Null for `verify` (the system saw it). */
  actor: actorSchema.nullable(),
  reason: z.string().max(500),
  target: z.string().max(300),
  answerId: z.string().max(200),
  revision: z.number().int().nonnegative(),
  refEventId: z.string().max(200),
});
export type GapLifecycleProposal = z.infer<typeof gapLifecycleProposalSchema>;
