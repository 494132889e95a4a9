import { z } from 'zod';
import { OUTREACH_SCENARIOS, eventSourceSchema, followUpResultSchema, outreachScenarioSchema } from './chat-event';
import { outreachSideSchema, shopSelectorSchema } from './live';

/**
 * What outreach earns (DESIGN.md "Outreach", issue 22): the figures the wall's tile, the outreach report,
 * its CSV and the rehearsal read, all from the api's one attribution query.
 *
 * Attribution: an order of the same (source, shop, customer) at most the attribution window after a touch
 * (an `outreach` of the bot, or an agent's `follow_up_done`, whatever its result) belongs to the first touch
 * at or before it within the window, and to no other: counted once. A touch side's sessions are the
 * distinct (shop, session) of its touches; a session converted when one of its touches has an attributed
 * order. Conversion = converted sessions / sessions. Orders and amount are the attributed orders themselves
 * (a customer who orders twice after one touch brings two orders, one converted session).
 */

export const ATTRIBUTION_WINDOW_DEFAULT_HOURS = 24;
/** A window longer than a week reaches past what ingest accepts (events at most 7 days old). */
export const ATTRIBUTION_WINDOW_MAX_HOURS = 7 * 24;

const count = z.number().int().nonnegative();
const instant = z.iso.datetime({ offset: true });

/**
 * What `readOutreachFigures` returns for (source, shop, range): what the rehearsal prints. `followUpsOpen`
 * counts the range's `follow_up_open` events that no `follow_up_done` answers yet.
 */
export const outreachFiguresSchema = z.strictObject({
  outreachSent: count,
  outreachSessions: count,
  followUps: count,
  botOutreachConversion: z.number().min(0).max(1).nullable(),
  humanFollowUpConversion: z.number().min(0).max(1).nullable(),
  followUpsOpen: count,
});
export type OutreachFigures = z.infer<typeof outreachFiguresSchema>;

/** At most this many hours per report (31 days). */
export const OUTREACH_REPORT_MAX_HOURS = 31 * 24;
const HOUR_MS = 3_600_000;

/** `GET /api/reports/outreach` and its `.csv` twin: whole hours, touches in [from, to). */
export const outreachReportQuerySchema = z
  .strictObject({
    shop: shopSelectorSchema.default('all'),
    source: eventSourceSchema.default('live'),
    from: instant,
    to: instant,
    attributionHours: z.coerce.number().int().min(1).max(ATTRIBUTION_WINDOW_MAX_HOURS).default(ATTRIBUTION_WINDOW_DEFAULT_HOURS),
  })
  .superRefine((query, ctx) => {
    const from = Date.parse(query.from);
    const to = Date.parse(query.to);
    if (Number.isNaN(from) || Number.isNaN(to)) return;
    if (from % HOUR_MS !== 0) ctx.addIssue({ code: 'custom', path: ['from'], message: 'must start an hour' });
    if (to % HOUR_MS !== 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must end an hour' });
    if (to <= from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after from' });
    else if ((to - from) / HOUR_MS > OUTREACH_REPORT_MAX_HOURS) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range may hold at most ${OUTREACH_REPORT_MAX_HOURS} hours` });
    }
  });
export type OutreachReportQuery = z.infer<typeof outreachReportQuerySchema>;

const sidesShape = { bot: outreachSideSchema, agent: outreachSideSchema };

export const outreachReportSchema = z.strictObject({
  generatedAt: instant,
  shop: shopSelectorSchema,
  source: eventSourceSchema,
  from: instant,
  to: instant,
  attributionHours: z.number().int().positive(),
  total: z.strictObject({ ...sidesShape, followUpsOpen: count }),
  /** Every scenario, in OUTREACH_SCENARIOS order, touches counted under their own scenario. */
  byScenario: z.array(z.strictObject({ scenario: outreachScenarioSchema, ...sidesShape })).max(OUTREACH_SCENARIOS.length),
  /** Every hour of the range, touches counted in the hour they happened. */
  byHour: z.array(z.strictObject({ hourStart: instant, ...sidesShape })).max(OUTREACH_REPORT_MAX_HOURS),
});
export type OutreachReport = z.infer<typeof outreachReportSchema>;

// ---------------------------------------------------------------------------------------------------
// The agents' follow-up list (agent console).

/** How many open follow-ups `GET /api/follow-ups` lists at most, and how far back it looks. */
export const FOLLOW_UPS_LIMIT = 100;
export const FOLLOW_UPS_LOOKBACK_HOURS = 72;

export const followUpsQuerySchema = z.strictObject({
  shop: shopSelectorSchema.default('all'),
  source: eventSourceSchema.default('live'),
});
export type FollowUpsQuery = z.infer<typeof followUpsQuerySchema>;

export const openFollowUpSchema = z.strictObject({
  /** The `follow_up_open` event's id: what `POST /api/follow-ups/:id/done` names. */
  id: z.string().min(1),
  openedAt: instant,
  shopId: z.string().min(1),
  sessionId: z.string().min(1),
  customerId: z.string().min(1),
  scenario: outreachScenarioSchema,
  intentScore: z.number().min(0).max(1),
  /** The customer's last question in the session, PII-masked; null when the session asked none. */
  lastQuestion: z.string().nullable(),
});
export type OpenFollowUp = z.infer<typeof openFollowUpSchema>;

export const followUpsListSchema = z.strictObject({
  /** Longest-waiting first by the minute it opened; within a minute, highest intent first. */
  followUps: z.array(openFollowUpSchema).max(FOLLOW_UPS_LIMIT),
});
export type FollowUpsList = z.infer<typeof followUpsListSchema>;

/** `POST /api/follow-ups/:id/done`: the id as the list gives it (an event id, printable ASCII). */
export const followUpIdSchema = z.string().min(1).max(128).regex(/^[\x21-\x7e]+$/, 'a follow-up id as the list gives it');

export const followUpDoneRequestSchema = z.strictObject({ result: followUpResultSchema, source: eventSourceSchema.default('live') });
export type FollowUpDoneRequest = z.infer<typeof followUpDoneRequestSchema>;

export const followUpDoneResponseSchema = z.strictObject({ eventId: z.string().min(1), followUpId: z.string().min(1) });
export type FollowUpDoneResponse = z.infer<typeof followUpDoneResponseSchema>;
