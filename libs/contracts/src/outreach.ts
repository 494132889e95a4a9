import { z } from 'zod';
import { channelSchema, eventSourceSchema, OUTREACH_SCENARIOS, outreachScenarioSchema, stageSchema, type OutreachScenario } from './chat-event';
import { personText, wellFormedString } from './well-formed';

/**
 * Outreach (DESIGN.md "Outreach"): the rules a shop's pack gives the bot to judge purchase intent and to
 * reach customers by itself, the `outreach.contacts` log that makes the contact rules hold for every bot
 * process, and what the bot's customer surface and the rehearsal's inbox exchange.
 */

const slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'expected a slug: lower-case letters, digits, ".", "_" or "-"');
/** Text a trainer (or a pack's author) typed: repaired, see well-formed.ts. */
const nonBlank = (max: number) => personText().min(1).max(max).regex(/\S/, 'must not be blank');
const id = wellFormedString().min(1).max(128);

/** One thing a customer says that shows intent: any of its phrases in a message counts the cue once per session. */
export const intentCueSchema = z.strictObject({
  id: slug,
  phrases: z.array(nonBlank(40)).min(1).max(50),
  /** How strongly the cue alone says "would buy": cues combine as 1 − Π(1 − weight). */
  weight: z.number().gt(0).max(1),
});
export type IntentCue = z.infer<typeof intentCueSchema>;

export const OUTREACH_HANDLERS = ['bot', 'human'] as const;

export const scenarioRuleSchema = z.strictObject({
  /** `bot`: the bot sends the template; `human`: the session goes to the agents' follow-up list. */
  handledBy: z.enum(OUTREACH_HANDLERS),
  /** A session whose score reaches this is high-intent in this scenario. */
  threshold: z.number().gt(0).max(1),
  cues: z.array(intentCueSchema).min(1).max(50),
  /**
   * The stages in which a message's cues count (as the bot detects them); absent: every stage. "When does
   * it ship" before an order hesitates; after one it is only a question.
   */
  stages: z.array(stageSchema).min(1).max(3).optional(),
  /** The proactive message (a reminder to pay, a coupon, a restock notice, a product link). */
  template: nonBlank(500),
});
export type ScenarioRule = z.infer<typeof scenarioRuleSchema>;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM');

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A shop pack's `outreach`: when and how the bot may contact the shop's customers by itself. */
export const shopOutreachSchema = z.strictObject({
  /** IANA time zone of the shop: quiet hours and "one per customer per day" follow its clock. */
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'expected an IANA time zone, e.g. Asia/Shanghai'),
  /** No message is sent from `from` to `to` (shop time; `to` earlier than `from` spans midnight). */
  quietHours: z
    .strictObject({ from: clockTime, to: clockTime })
    .refine((hours) => hours.from !== hours.to, 'from and to must differ')
    .optional(),
  /** Scenarios the shop uses; a scenario not named here is never scored. */
  scenarios: z.partialRecord(outreachScenarioSchema, scenarioRuleSchema).refine(
    (scenarios) => Object.keys(scenarios).length > 0,
    'name at least one scenario',
  ),
});
export type ShopOutreach = z.infer<typeof shopOutreachSchema>;

/** The scenarios of a shop's rules in the contract's order (ties in score go to the earlier one). */
export function scenariosOf(rules: ShopOutreach): { scenario: OutreachScenario; rule: ScenarioRule }[] {
  return OUTREACH_SCENARIOS.flatMap((scenario) => {
    const rule = rules.scenarios[scenario];
    return rule ? [{ scenario, rule }] : [];
  });
}

/** What a channel carries to a customer: one outreach message. */
export const outreachDeliverySchema = z.strictObject({
  /** The `outreach` ChatEvent's id: a reply names it. */
  outreachEventId: id,
  shopId: id,
  customerId: id,
  /** The session that ended; a reply continues it. */
  sessionId: id,
  source: eventSourceSchema,
  channel: channelSchema,
  scenario: outreachScenarioSchema,
  intentScore: z.number().min(0).max(1),
  text: wellFormedString().min(1).max(4000),
  /** The product the session was about, for the message box to show. */
  sku: id.optional(),
  sentAt: z.iso.datetime({ offset: true }),
});
export type OutreachDelivery = z.infer<typeof outreachDeliverySchema>;

export const TOUCH_KINDS = ['outreach', 'follow_up'] as const;

/**
 * `outreach.contacts` (one partition: the sequencer), followed by every bot from its beginning:
 * - `touch`: a bot asks to contact a customer (its outreach or a follow-up for the agents); granted by the
 *   one rule of the ledger when applied in log order (never after an opt-out, one per customer per shop day);
 * - `opt_out`: the customer said no, for good;
 * - `delivery`: a granted outreach as the inbox channel delivered it (the rehearsal's inbox reads these).
 */
export const outreachLogRecordSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('touch'),
    proposalId: id,
    touch: z.enum(TOUCH_KINDS),
    shopId: id,
    customerId: id,
    /** The shop's calendar day (YYYY-MM-DD in its time zone), decided by the proposer so replicas agree. */
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  }),
  z.strictObject({ type: z.literal('opt_out'), shopId: id, customerId: id, outreachEventId: id }),
  z.strictObject({ type: z.literal('delivery'), delivery: outreachDeliverySchema }),
]);
export type OutreachLogRecord = z.infer<typeof outreachLogRecordSchema>;

/** `POST /api/outreach/reply` (the bot's customer surface): the customer answers an outreach. */
export const outreachReplyRequestSchema = z.strictObject({
  shopId: id,
  sessionId: id,
  customerId: id,
  outreachEventId: id,
  text: personText().min(1).max(4000),
  /** The message box's "stop these messages"; absent: the bot judges the text. */
  optOut: z.boolean().optional(),
});
export type OutreachReplyRequest = z.infer<typeof outreachReplyRequestSchema>;

export const outreachReplyResultSchema = z.strictObject({ eventId: id, optOut: z.boolean() });
export type OutreachReplyResult = z.infer<typeof outreachReplyResultSchema>;

/** `GET /api/outreach/inbox` (service credential): deliveries after a log offset, in log order. */
export const outreachInboxQuerySchema = z.strictObject({
  /** The `next` of the previous page; absent: from the oldest delivery the bot still holds. */
  after: z.coerce.number().int().min(-1).default(-1),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type OutreachInboxQuery = z.infer<typeof outreachInboxQuerySchema>;

export const outreachInboxSchema = z.strictObject({
  deliveries: z.array(outreachDeliverySchema),
  /** The log offset of the last delivery returned (or `after` when none): the next page's `after`. */
  next: z.number().int().min(-1),
});
export type OutreachInbox = z.infer<typeof outreachInboxSchema>;
