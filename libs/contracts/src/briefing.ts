import { z } from 'zod';
import { campaignIdSchema, promoMomentKindSchema } from './campaign';
import { eventSourceSchema } from './chat-event';

/**
 * The briefing (issue 23): before a promo moment of the running campaign, what customers asked around
 * the same kind of moment in the previous comparable campaign, grouped like gaps, ranked by the volume
 * expected this time, each with what today's knowledge base does with it. Customer text is masked.
 */

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();

/** `GET /api/briefing`: the briefing of a source (and shop) now, or as it was at `at`. */
export const briefingQuerySchema = z.strictObject({
  source: eventSourceSchema.default('live'),
  shop: z.string().regex(/^(all|[A-Za-z0-9_.-]{1,128})$/).default('all'),
  /** The briefing as it was (or will be) at this time; now when absent. Predicts gaps only for now. */
  at: instant.optional(),
});
export type BriefingQuery = z.infer<typeof briefingQuerySchema>;

export const briefingMomentSchema = z.strictObject({ label: z.string(), at: instant, kind: promoMomentKindSchema });
export type BriefingMoment = z.infer<typeof briefingMomentSchema>;

/** What today's knowledge base does with an entry's most asked wording, as the bot's match path says. */
export const briefingVerdictSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('answered'),
    answerId: z.string(),
    score: z.number().min(0).max(1),
    /** The answer's current reply text and the revision it is at (null: an answer the ledger does not list). */
    reply: z.string().nullable(),
    target: z.string().nullable(),
    revision: z.number().int().nonnegative().nullable(),
  }),
  z.strictObject({ kind: z.literal('unmatched'), bestCandidate: z.strictObject({ answerId: z.string(), score: z.number().min(0).max(1) }).nullable() }),
  /** Not matched, and last time most of these customers were handed to a human for another reason. */
  z.strictObject({ kind: z.literal('handoff') }),
]);
export type BriefingVerdict = z.infer<typeof briefingVerdictSchema>;

export const briefingEntrySchema = z.strictObject({
  shopId: z.string(),
  /** The group's most asked wording last time (masked). */
  representative: z.string(),
  /** Up to 5 of its wordings, most asked first (masked). */
  examples: z.array(z.string()).max(5),
  /** Questions of the group in the window after last time's moment, and what became of them then. */
  lastTime: z.strictObject({ asked: count, answered: count, unmatched: count, handedOff: count }),
  /** lastTime.asked × the plan ratio. */
  expected: z.number().nonnegative(),
  now: briefingVerdictSchema,
  /** The predicted gap a trainer claims and patches (null when answered, or for a briefing not of now). */
  gapId: z.string().nullable(),
});
export type BriefingEntry = z.infer<typeof briefingEntrySchema>;

export const briefingSchema = z.strictObject({
  source: eventSourceSchema,
  shop: z.string(),
  /** `none`: no running campaign with a moment ahead, or no previous campaign with a moment of its kind. */
  status: z.enum(['none', 'upcoming', 'open', 'after']),
  /** Why there is no briefing (status `none`). */
  reason: z.string().nullable(),
  campaign: z.strictObject({ id: campaignIdSchema, name: z.string() }).nullable(),
  moment: briefingMomentSchema.nullable(),
  /** When the briefing opens (the moment minus the lead) and how long after the moment it compares. */
  opensAt: instant.nullable(),
  windowMinutes: z.number().int().positive(),
  previous: z.strictObject({ campaignId: campaignIdSchema, name: z.string(), moment: briefingMomentSchema }).nullable(),
  /** This campaign's plan around its moment / last campaign's around its (1 when either has none). */
  planRatio: z.number().nonnegative(),
  entries: z.array(briefingEntrySchema).max(100),
  /** After the moment: hit rate in the window after it last time, and since it now (null: none asked). */
  hitRate: z.strictObject({ lastTime: z.number().min(0).max(1).nullable(), now: z.number().min(0).max(1).nullable() }).nullable(),
  computedAt: instant,
});
export type Briefing = z.infer<typeof briefingSchema>;
