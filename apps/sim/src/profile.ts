import { promoMomentKindSchema, shopIdSchema } from '@warroom/contracts';
import { z } from 'zod';

/**
 * A traffic profile file (`apps/sim/profiles/<name>.json`): the curve (a daily level pattern plus the
 * campaign's peaks), its default compression, the stage and emotion mix, how conversations go and how
 * often they end in an order. `scripts/rehearsal-campaign.ts` reads the same files.
 *
 * Time: a profile's curve runs on *curve minutes*; `speed` curve minutes pass per real minute, so
 * "24 hours in 10 minutes" is speed 144. Rates stay real: `baseRatePerShop` questions per real second,
 * and every event carries the real time the question was asked. The curve is compressed, never the clock.
 */

const clockSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time HH:MM');
const share = z.number().min(0).max(1);

function range(min: number, max: number, int: boolean) {
  const bound = int ? z.number().int().min(min).max(max) : z.number().min(min).max(max);
  return z
    .strictObject({ min: bound, max: bound })
    .refine((value) => value.min <= value.max, { message: 'min must not exceed max' });
}

/** One point of the daily level pattern: the rate at this clock time, as a multiple of the base rate. */
export const simLevelPointSchema = z.strictObject({ clock: clockSchema, level: z.number().min(0).max(100) });
export type SimLevelPoint = z.infer<typeof simLevelPointSchema>;

/**
 * A promo moment's rush (e.g. 00:00 sales open): from `at` the rate climbs linearly for `riseMinutes`
 * to `multiplier` × the base rate, then the extra traffic halves every `halfLifeMinutes`. `at` is the
 * first time the clock shows it at or after the profile's `startClock`, plus `day` days.
 */
export const simPeakSchema = z.strictObject({
  label: z.string().min(1).max(80),
  /** The promo moment kind the rehearsal campaign records for this peak: the briefing aligns campaigns by kind. */
  kind: promoMomentKindSchema.optional(),
  at: clockSchema,
  day: z.number().int().min(0).max(6).default(0),
  multiplier: z.number().min(1).max(50),
  riseMinutes: z.number().min(0).max(240),
  halfLifeMinutes: z.number().positive().max(1440),
});
export type SimPeak = z.infer<typeof simPeakSchema>;

export const simStageMixSchema = z
  .strictObject({ pre_sale: share, in_sale: share, after_sale: share })
  .refine((mix) => mix.pre_sale + mix.in_sale + mix.after_sale > 0, { message: 'at least one stage needs a share' });
export type SimStageMix = z.infer<typeof simStageMixSchema>;

/** Shares of questions worded with each emotion; the rest are neutral. */
export const simEmotionMixSchema = z
  .strictObject({ angry: share, anxious: share, worried: share, disappointed: share, satisfied: share, grateful: share })
  .refine((mix) => Object.values(mix).reduce((sum, value) => sum + value, 0) <= 1, { message: 'shares must add up to at most 1' });
export type SimEmotionMix = z.infer<typeof simEmotionMixSchema>;

/**
 * One team of the roster: `agents` people on shift from `from` to `to` every day, in the profile's clock
 * (so a compressed rehearsal compresses shifts with the curve); `to` before `from` crosses midnight, `to`
 * equal to `from` is all day.
 */
export const simShiftSchema = z.strictObject({
  team: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a slug'),
  agents: z.number().int().min(1).max(5000),
  from: clockSchema,
  to: clockSchema,
});
export type SimShift = z.infer<typeof simShiftSchema>;

/**
 * Simulated human agents, who take handed-off customers from the bot's handoff queue (`GET /api/agent/queue`,
 * then accept, reply, end, sometimes flag). Shifts follow the compressed curve clock; handling times and
 * patience are real seconds, like the question rates: a human chat takes as long in a rehearsal as on the
 * night, so the staffing reports measure real handling times.
 */
export const simAgentsSchema = z.strictObject({
  shifts: z.array(simShiftSchema).min(1).max(100),
  /** Chats an agent holds at once. */
  concurrency: z.number().int().min(1).max(20),
  /** Real seconds of a human chat, accept → end: log-normal with this median and 90th percentile. */
  handleSeconds: z
    .strictObject({ median: z.number().positive().max(7200), p90: z.number().positive().max(14_400) })
    .refine((value) => value.p90 >= value.median, { message: 'p90 must not be below the median' }),
  /** Real seconds from accepting a chat to the agent's first reply. */
  firstReplySeconds: range(0, 600, false),
  /**
   * Mean patience of a handed-off customer, real seconds (exponential, as Erlang A assumes): a customer not
   * accepted by then gives up (`POST /api/chat/abandon`).
   */
  patienceSeconds: z.number().positive().max(3600),
  /** Handled chats after which the agent flags the question for the trainers. */
  flagShare: share,
  /**
   * Handed-off pre-sale customers who order after the agent's chat (the agents' side of conversion); other
   * stages order less (agents.ts, AGENT_ORDER_STAGE_FACTOR).
   */
  orderShare: share,
});
export type SimAgents = z.infer<typeof simAgentsSchema>;

export const simProfileSchema = z
  .strictObject({
    v: z.literal(1),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a slug'),
    description: z.string().max(1000).optional(),
    /** Shops the customers write to; the bot must answer for each. */
    shops: z.array(shopIdSchema).min(1).max(100),
    /** Questions per real second per shop at level 1 (the "normal rate"). */
    baseRatePerShop: z.number().positive().max(10_000),
    /** Clock time at curve minute 0 (labels and `at` times; events carry the real time). */
    startClock: clockSchema,
    /** Length of the curve in curve minutes. */
    durationMinutes: z.number().positive().max(7 * 1440),
    /** Default compression: curve minutes per real minute (144 plays 24 hours in 10 minutes). */
    speed: z.number().positive().max(100_000),
    /** The daily pattern, interpolated linearly between points and around midnight. */
    levels: z
      .array(simLevelPointSchema)
      .min(1)
      .refine((points) => new Set(points.map((point) => point.clock)).size === points.length, { message: 'each clock time once' }),
    peaks: z.array(simPeakSchema).max(50).default([]),
    /** Share of conversations (and so of questions) per stage. */
    stageMix: simStageMixSchema,
    emotions: simEmotionMixSchema,
    conversation: z.strictObject({
      /** Customer messages per conversation, a greeting and a thank-you included. */
      turns: range(1, 12, true),
      /** Real seconds a customer takes to write the next message after a reply. */
      thinkSeconds: range(0, 600, false),
      /** Conversations that open with a bare greeting (在吗, 你好). */
      greetingShare: share,
      /** Conversations that end with a thank-you after an answer. */
      thanksShare: share,
      /** Known questions asked in their everyday phrasing (the rest in other words: the matcher's work). */
      commonShare: share.default(0.7),
      /** Questions the knowledge base is not meant to answer (new promo rules, new products): the gaps. */
      unknownShare: share,
      /** Conversations in which the customer asks for a human (转人工) at some point. */
      humanRequestShare: share,
      /** Pre-sale conversations started from a product page (the request carries its SKU) or with its link. */
      productShare: share,
    }),
    orders: z.strictObject({
      /** Pre-sale conversations with an answer and no handoff that end in an order. */
      share,
      amountCents: range(1, 100_000_000, true),
    }),
    /** Human agents taking the handoffs; absent: nobody takes them (the bot abandons them after its wait limit). */
    agents: simAgentsSchema.optional(),
  })
  .superRefine((profile, ctx) => {
    const total = profile.stageMix.pre_sale + profile.stageMix.in_sale + profile.stageMix.after_sale;
    if (Math.abs(total - 1) > 0.001) ctx.addIssue({ code: 'custom', path: ['stageMix'], message: `shares must add up to 1 (they add up to ${total})` });
  });
export type SimProfile = z.infer<typeof simProfileSchema>;
