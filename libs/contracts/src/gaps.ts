import { z } from 'zod';
import { EMOTIONS, STAGES, eventSourceSchema } from './chat-event';
import { actorSchema, gradeSchema } from './auth';
import { personText } from './well-formed';

/**
 * Gaps (DESIGN.md "gap"): unmatched queries and agents' flags, clustered online into what they mean.
 * Customer text in a gap is PII-masked before it leaves the api.
 *
 * Lifecycle: open → claimed → published (a revision that should answer it) → verified (the first question
 * of the gap's cluster answered by that revision), or dismissed with a reason. time-to-patch = first seen
 * → verified. When two gaps merge, the older id survives and keeps its claim.
 */

export const GAP_STATUSES = ['open', 'claimed', 'published', 'verified', 'dismissed'] as const;
export const gapStatusSchema = z.enum(GAP_STATUSES);
export type GapStatus = z.infer<typeof gapStatusSchema>;

/** Emotion weights of the cost (DESIGN.md; configurable). */
export const DEFAULT_EMOTION_WEIGHTS: Record<(typeof EMOTIONS)[number], number> = {
  angry: 2,
  anxious: 1.5,
  worried: 1.3,
  disappointed: 1.3,
  neutral: 1,
  satisfied: 1,
  grateful: 1,
};

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();

export const gapSchema = z.strictObject({
  gapId: z.string().min(1).max(64),
  /** Live gaps and rehearsal (or replay) gaps are clustered apart and never mix. */
  source: eventSourceSchema,
  shopId: z.string().min(1),
  status: gapStatusSchema,
  /** The question that best represents the cluster (masked). */
  representative: z.string(),
  /** Up to 10 distinct example questions (masked), newest first. */
  examples: z.array(z.string()).max(10),
  /** Questions of the cluster in the cost window (the last 60 minutes), and ever. */
  volume: z.strictObject({ window: count, total: count }),
  /** Agents' flags ("I had to answer this by hand") in the cluster, ever. */
  flags: count,
  firstSeenAt: instant,
  lastSeenAt: instant,
  /** Questions per stage, ever. */
  stages: z.record(z.enum([...STAGES, 'unspecified']), count),
  /** Products the questions were about, most frequent first (at most 5). */
  skus: z.array(z.string()).max(5),
  /** Share of the window's questions that ended in a handoff. */
  handoffShare: z.number().min(0).max(1),
  /** Mean emotion weight of the window's questions. */
  meanEmotionWeight: z.number().min(0),
  /** volume.window × (1 + handoffShare) × meanEmotionWeight. */
  cost: z.number().min(0),
  /** What probably closes it: examples for a near answer (the best candidate), or a new answer. */
  suggestion: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('add_examples'), answerId: z.string(), score: z.number().min(0).max(1) }),
    z.strictObject({ kind: z.literal('new_answer') }),
  ]),
  /** Grades that may take it (DESIGN.md "Roles"): all for examples, junior and above for a new answer. */
  grades: z.array(gradeSchema).min(1),
  claimedBy: z.strictObject({ actor: actorSchema, at: instant }).nullable(),
  published: z.strictObject({ actor: actorSchema, at: instant, target: z.string(), answerId: z.string(), revision: z.number().int().positive() }).nullable(),
  verifiedAt: instant.nullable(),
  /** firstSeenAt → verifiedAt. */
  timeToPatchMs: z.number().int().nonnegative().nullable(),
  dismissed: z.strictObject({ actor: actorSchema, at: instant, reason: z.string() }).nullable(),
  /** Ids of gaps merged into this one. */
  mergedIds: z.array(z.string()),
  updatedAt: instant,
  /**
   * Present when the briefing expects this topic at a coming promo moment (briefing.ts): a gap opened
   * before anyone asked, or a live gap the moment will make worse. The inbox ranks it by `expectedCost`
   * until its own cost is higher.
   */
  predicted: z.strictObject({ momentLabel: z.string(), momentAt: instant, expectedCost: z.number().min(0) }).optional(),
});
export type Gap = z.infer<typeof gapSchema>;

export const gapListQuerySchema = z.strictObject({
  shop: z.string().regex(/^(all|[A-Za-z0-9_.-]{1,128})$/).default('all'),
  source: eventSourceSchema.default('live'),
  status: z.enum([...GAP_STATUSES, 'active']).default('active'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type GapListQuery = z.infer<typeof gapListQuerySchema>;

export const dismissGapRequestSchema = z.strictObject({ reason: personText().trim().min(3).max(500) });
export type DismissGapRequest = z.infer<typeof dismissGapRequestSchema>;

/** Time-to-patch over the verified gaps of the running campaign (in the live snapshot). */
export const timeToPatchSchema = z.strictObject({
  verified: count,
  medianMs: z.number().nonnegative().nullable(),
  p90Ms: z.number().nonnegative().nullable(),
});
export type TimeToPatch = z.infer<typeof timeToPatchSchema>;

/** `subscribe_gaps` (client → server on `/live`): the gaps of one shop (or all) of one source. */
export const gapSubscriptionSchema = z.strictObject({
  shop: z.string().regex(/^(all|[A-Za-z0-9_.-]{1,128})$/).default('all'),
  source: eventSourceSchema.default('live'),
});
export type GapSubscription = z.infer<typeof gapSubscriptionSchema>;

/** How many gaps the `gaps` frame carries (the most costly active ones). */
export const GAPS_FRAME_LIMIT = 100;

/**
 * Server frames about gaps on `/live`, after a `subscribe_gaps`: `gaps` once (the most costly active gaps,
 * cost descending), then `gap` whenever one opens, grows (at most twice a second per gap), changes state
 * or is closed (verified, dismissed); `gap_merged` when a gap was absorbed into an older one (whose `gap`
 * frame follows); `gap_expired` when a gap left the rebuild horizon and is no longer kept.
 */
export const gapsFrameDataSchema = z.strictObject({
  source: eventSourceSchema,
  shop: z.string(),
  gaps: z.array(gapSchema).max(GAPS_FRAME_LIMIT),
});
export const gapMergedFrameDataSchema = z.strictObject({ gapId: z.string(), into: z.string() });
export const gapExpiredFrameDataSchema = z.strictObject({ gapId: z.string() });

/** `GET /api/gaps/:id/answered`: questions the bot answered with the gap's published revision (or later) since it was published. */
export const gapAnsweredSchema = z.strictObject({
  gapId: z.string(),
  answerId: z.string(),
  revision: z.number().int().positive(),
  since: z.iso.datetime({ offset: true }),
  answered: z.number().int().nonnegative(),
});
export type GapAnswered = z.infer<typeof gapAnsweredSchema>;
