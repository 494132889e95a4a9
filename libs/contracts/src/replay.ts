import { z } from 'zod';
import { channelSchema, eventSourceSchema, handoffReasonSchema, modeSchema, stageSchema } from './chat-event';
import { shopSelectorSchema } from './live';
import { wellFormedString } from './well-formed';

/**
 * Replay (DESIGN.md "event time"): the questions of a past campaign or time range, read from ClickHouse
 * through the api, asked again now against today's knowledge base (apps/sim `--replay-from`), as
 * `source: replay` events that keep the original's id.
 *
 * `GET /api/replay/questions` (service token, `Authorization: Bearer <WARROOM_SERVICE_TOKEN>`) returns one
 * page of questions in event-time order (then event id), and `nextCursor` for the next page: a whole
 * campaign is read page by page and never held in memory, by the api or the reader. The text is
 * PII-masked like every customer text leaving the api.
 */

export const REPLAY_PAGE_MAX = 5_000;
/** The oldest a replay range may reach: the raw events' TTL (400 days). */
export const REPLAY_MAX_RANGE_DAYS = 400;

const instant = z.iso.datetime({ offset: true });
/** Refused with a lone surrogate (see well-formed.ts): it goes into a store query. */
const id = wellFormedString().min(1).max(128);

/** Where the previous page ended: opaque to callers. */
export const replayCursorSchema = z.string().regex(/^\d{1,15}~[A-Za-z0-9_.:~-]{1,128}$/, 'not a cursor of this api');

export const replayQuestionsQuerySchema = z
  .strictObject({
    /** The source of the questions to replay (what the customers asked then). */
    source: eventSourceSchema.default('live'),
    shop: shopSelectorSchema.default('all'),
    /** Only this campaign's questions. */
    campaignId: id.optional(),
    /** [from, to) by event time. */
    from: instant,
    to: instant,
    after: replayCursorSchema.optional(),
    limit: z.coerce.number().int().min(1).max(REPLAY_PAGE_MAX).default(1_000),
  })
  .superRefine((query, ctx) => {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if (to - from > REPLAY_MAX_RANGE_DAYS * 86_400_000) ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may span at most ${REPLAY_MAX_RANGE_DAYS} days` });
  });
export type ReplayQuestionsQuery = z.infer<typeof replayQuestionsQuerySchema>;

/** A question as it was asked and decided then. */
export const pastQuestionSchema = z.strictObject({
  eventId: id,
  eventTime: instant,
  campaignId: id,
  shopId: id,
  sessionId: id,
  customerId: id,
  channel: channelSchema,
  mode: modeSchema,
  stage: stageSchema.nullable(),
  sku: z.string().min(1).nullable(),
  /** PII-masked. */
  text: z.string().min(1),
  outcome: z.enum(['answered', 'unmatched', 'handoff']),
  handoffReason: handoffReasonSchema.nullable(),
  /** The answer given, or the best candidate below the threshold; null when none. */
  answerId: z.string().min(1).nullable(),
});
export type PastQuestion = z.infer<typeof pastQuestionSchema>;

export const replayQuestionsPageSchema = z.strictObject({
  questions: z.array(pastQuestionSchema).max(REPLAY_PAGE_MAX),
  /** Pass as `after` for the next page; null when this page is the last. */
  nextCursor: replayCursorSchema.nullable(),
});
export type ReplayQuestionsPage = z.infer<typeof replayQuestionsPageSchema>;

/** The last stdout line of `npm run -s sim -- --replay-from … --json`: hit rate then and now. */
export const replaySummarySchema = z.strictObject({
  questions: z.number().int().nonnegative(),
  /** Bot-mode questions replayed (the hit rate's denominator, then and now). */
  botQuestions: z.number().int().nonnegative(),
  answeredThen: z.number().int().nonnegative(),
  answeredNow: z.number().int().nonnegative(),
  hitRateThen: z.number().min(0).max(1).nullable(),
  hitRateNow: z.number().min(0).max(1).nullable(),
  /** Bot-mode questions unanswered then and answered now, and the reverse. */
  nowAnswered: z.number().int().nonnegative(),
  nowMissed: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
});
export type ReplaySummary = z.infer<typeof replaySummarySchema>;
