import { z } from 'zod';
import { eventSourceSchema } from './chat-event';
import { shopIdSchema } from './kb-pack';
import { personText } from './well-formed';

/**
 * A campaign (DESIGN.md "Words"): a sales campaign such as 11.11 or 618, with its start and end, its
 * promo moments (20:00 deposit payment, 00:00 sales open…), its plan (expected questions per minute over
 * time) and its shops.
 *
 * Each campaign belongs to one event source: a rehearsal's campaign (`rehearsal`) is a separate record
 * from the live one (`live`), so a rehearsal never moves the live wall's countdown or its "since the
 * campaign started" window, and a rehearsal watched on purpose gets its own.
 *
 * Records are versioned: every `PUT /api/campaigns/:id` stores a new version, readers see the newest.
 */

/** Largest plan: one point a minute for two weeks. */
export const MAX_PLAN_POINTS = 20_160;
export const MAX_PROMO_MOMENTS = 500;

const instant = z.iso.datetime({ offset: true });

export const campaignIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_.-]{0,63}$/, 'expected a campaign id: lower-case letters, digits, "_", "." or "-", at most 64');

/**
 * What happens at a promo moment: the same kind brings the same kinds of questions every campaign (the
 * briefing aligns campaigns by it). `other` for a moment its owner did not classify.
 */
export const PROMO_MOMENT_KINDS = ['deposit_payment', 'final_payment', 'sales_open', 'flash_sale', 'other'] as const;
export const promoMomentKindSchema = z.enum(PROMO_MOMENT_KINDS);
export type PromoMomentKind = z.infer<typeof promoMomentKindSchema>;

export const promoMomentSchema = z.strictObject({
  label: personText().min(1).max(80).regex(/\S/, 'must not be blank'),
  at: instant,
  /** Absent on records stored before moments had a kind: read as `other` (`promoMomentKind`). */
  kind: promoMomentKindSchema.optional(),
});
export type PromoMoment = z.infer<typeof promoMomentSchema>;

export function promoMomentKind(moment: Pick<PromoMoment, 'kind'>): PromoMomentKind {
  return moment.kind ?? 'other';
}

/** The plan at one time: between two points it runs linearly from one to the next. */
export const planPointSchema = z.strictObject({
  at: instant,
  questionsPerMinute: z.number().nonnegative().max(10_000_000),
});
export type PlanPoint = z.infer<typeof planPointSchema>;

const campaignFields = {
  name: personText().min(1).max(120).regex(/\S/, 'must not be blank'),
  source: eventSourceSchema,
  startsAt: instant,
  endsAt: instant,
  shops: z.array(shopIdSchema).min(1).max(100),
  /** In time order, each within [startsAt, endsAt]. */
  promoMoments: z.array(promoMomentSchema).max(MAX_PROMO_MOMENTS),
  /** In strictly increasing time order, each within [startsAt, endsAt]; may be empty (no plan). */
  plan: z.array(planPointSchema).max(MAX_PLAN_POINTS),
};

type CampaignFields = z.infer<z.ZodObject<typeof campaignFields>>;

/** The rules a shape cannot say: order, bounds, distinct shops. One issue per broken rule, with its path. */
function checkCampaign(campaign: CampaignFields, ctx: z.RefinementCtx): void {
  const start = Date.parse(campaign.startsAt);
  const end = Date.parse(campaign.endsAt);
  if (!(end > start)) ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'must be after startsAt' });
  if (new Set(campaign.shops).size !== campaign.shops.length) {
    ctx.addIssue({ code: 'custom', path: ['shops'], message: 'each shop once' });
  }
  const inside = (at: number) => at >= start && at <= end;
  campaign.promoMoments.forEach((moment, index) => {
    const at = Date.parse(moment.at);
    if (!inside(at)) ctx.addIssue({ code: 'custom', path: ['promoMoments', index, 'at'], message: 'must be within [startsAt, endsAt]' });
    const previous = campaign.promoMoments[index - 1];
    if (previous && at < Date.parse(previous.at)) {
      ctx.addIssue({ code: 'custom', path: ['promoMoments', index, 'at'], message: 'promo moments must be in time order' });
    }
  });
  // One issue for the whole plan at most: a plan of 20,000 points out of order should not answer with 20,000 issues.
  const badPoint = campaign.plan.findIndex((point, index) => {
    const at = Date.parse(point.at);
    const previous = campaign.plan[index - 1];
    return !inside(at) || (previous !== undefined && at <= Date.parse(previous.at));
  });
  if (badPoint >= 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['plan', badPoint, 'at'],
      message: 'plan points must be in strictly increasing time order, within [startsAt, endsAt]',
    });
  }
}

/** The body of `PUT /api/campaigns/:id`: the campaign as its owner describes it (the id is in the path). */
export const campaignInputSchema = z.strictObject(campaignFields).superRefine(checkCampaign);
export type CampaignInput = z.infer<typeof campaignInputSchema>;

/** A stored campaign, as `GET /api/campaigns[/:id]` returns it: its newest version. */
export const campaignSchema = z
  .strictObject({
    id: campaignIdSchema,
    ...campaignFields,
    /** Grows with every stored change of this campaign. */
    version: z.number().int().positive(),
    updatedAt: instant,
  })
  .superRefine(checkCampaign);
export type Campaign = z.infer<typeof campaignSchema>;

export const campaignListSchema = z.array(campaignSchema);

export const campaignListQuerySchema = z.strictObject({
  /** Only the campaigns of this source; all when absent. */
  source: eventSourceSchema.optional(),
});
export type CampaignListQuery = z.infer<typeof campaignListQuerySchema>;
