import { z } from 'zod';
import { wellFormedString } from './well-formed';
import { describeIssues } from './zod-issues';

/**
 * ChatEvent: what a bot (ours or a shop's own) produces to Kafka `chat.events`, keyed by sessionId.
 *
 * Versioning: additive changes keep `v: 1`. A breaking change adds a `v: 2` member to
 * `chatEventSchema` below; readers accept both while both exist.
 *
 * Unknown fields: a v1 reader ignores and drops the fields it does not know (every object here is a
 * stripping `z.object`), so a producer that adds a field keeps `v: 1` and its events keep flowing to
 * readers that do not know the field yet. Anything that changes what a known field means, or removes one,
 * is breaking and needs `v: 2`; an unknown `v` is refused.
 *
 * Everything the contract accepts, the store accepts: every string is well formed (no lone UTF-16
 * surrogate, see well-formed.ts) and every number fits its ClickHouse column (migration 0002).
 */

export const EVENT_SOURCES = ['live', 'rehearsal', 'replay'] as const;
export const eventSourceSchema = z.enum(EVENT_SOURCES);
export type EventSource = z.infer<typeof eventSourceSchema>;

export const STAGES = ['pre_sale', 'in_sale', 'after_sale'] as const;
export const stageSchema = z.enum(STAGES);
export type Stage = z.infer<typeof stageSchema>;

export const MODES = ['bot', 'assist'] as const;
export const modeSchema = z.enum(MODES);
export type Mode = z.infer<typeof modeSchema>;

export const CHANNELS = ['app', 'web', 'mini_program', 'im'] as const;
export const channelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof channelSchema>;

export const HANDOFF_REASONS = ['customer_request', 'no_match', 'negative_emotion', 'assist_mode'] as const;
export const handoffReasonSchema = z.enum(HANDOFF_REASONS);
export type HandoffReason = z.infer<typeof handoffReasonSchema>;

export const OUTCOMES = ['answered', 'unmatched', 'handoff'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const EMOTIONS = ['angry', 'anxious', 'worried', 'disappointed', 'neutral', 'satisfied', 'grateful'] as const;
export const emotionNameSchema = z.enum(EMOTIONS);
export type EmotionName = z.infer<typeof emotionNameSchema>;

/** DESIGN.md "Outreach": the situation in which a session shows purchase intent, each with its own rules. */
export const OUTREACH_SCENARIOS = ['hesitating', 'unpaid_order', 'out_of_stock', 'coupon_expiring', 'repurchase'] as const;
export const outreachScenarioSchema = z.enum(OUTREACH_SCENARIOS);
export type OutreachScenario = z.infer<typeof outreachScenarioSchema>;

/** What came of an agent's follow-up call or message. */
export const FOLLOW_UP_RESULTS = ['reached', 'no_answer', 'declined'] as const;
export const followUpResultSchema = z.enum(FOLLOW_UP_RESULTS);
export type FollowUpResult = z.infer<typeof followUpResultSchema>;

export const EVENT_KINDS = [
  'question',
  'answer',
  'handoff',
  'agent_accept',
  'agent_reply',
  'agent_end',
  'agent_flag',
  'order',
  'abandon',
  'intent',
  'outreach',
  'outreach_reply',
  'follow_up_open',
  'follow_up_done',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Identifiers travel as opaque strings; the bound keeps one bad producer from bloating every row. */
const id = wellFormedString().min(1).max(128);
/** Customer text is bounded so one message cannot blow up a batch; longer texts are a producer bug. */
const text = wellFormedString().min(1).max(4000);
/** Finite by zod's rule (it refuses Infinity and NaN); stored as Float32. */
const score = z.number().min(0).max(1);
/** `answer_revision UInt32`. */
const revision = z.number().int().nonnegative().max(2 ** 32 - 1);

export const emotionSchema = z.object({ name: emotionNameSchema, intensity: z.number().min(0).max(1) });
export type Emotion = z.infer<typeof emotionSchema>;

export const answerRefSchema = z.object({ answerId: id, revision, score });
export const candidateSchema = z.object({ answerId: id, score });

const common = {
  v: z.literal(1, { error: 'unsupported version: this reader knows v 1 only' }),
  eventId: id,
  /** The real time the customer acted, ISO-8601 with offset. Never compressed, even in rehearsals. */
  eventTime: z.iso.datetime({ offset: true }),
  source: eventSourceSchema,
  campaignId: id,
  shopId: id,
  sessionId: id,
  /** Pseudonymous: never a phone number or account name. */
  customerId: id,
  channel: channelSchema,
  mode: modeSchema,
  stage: stageSchema.optional(),
  sku: id.optional(),
  /** For replays: the id of the event this one re-asks. */
  originalEventId: id.optional(),
};

const questionCommon = { ...common, kind: z.literal('question'), text, emotion: emotionSchema };

export const questionEventSchema = z.discriminatedUnion('outcome', [
  z.object({ ...questionCommon, outcome: z.literal('answered'), match: answerRefSchema }),
  z.object({
    ...questionCommon,
    outcome: z.literal('unmatched'),
    /** Best candidate below the threshold; null when the knowledge base had nothing at all. */
    bestCandidate: candidateSchema.nullable(),
  }),
  z.object({
    ...questionCommon,
    outcome: z.literal('handoff'),
    handoffReason: handoffReasonSchema,
    bestCandidate: candidateSchema.nullable(),
  }),
]);

const chatEventV1Schema = z.discriminatedUnion('kind', [
  questionEventSchema,
  z.object({ ...common, kind: z.literal('answer'), text, answer: answerRefSchema, questionEventId: id }),
  z.object({ ...common, kind: z.literal('handoff'), handoffReason: handoffReasonSchema }),
  z.object({ ...common, kind: z.literal('agent_accept'), agentId: id }),
  z.object({ ...common, kind: z.literal('agent_reply'), agentId: id, text }),
  z.object({ ...common, kind: z.literal('agent_end'), agentId: id }),
  z.object({ ...common, kind: z.literal('agent_flag'), agentId: id, text, questionEventId: id.optional() }),
  z.object({
    ...common,
    kind: z.literal('order'),
    orderId: id,
    /** `amount_cents UInt64`; zod's int() keeps it a safe integer, so JSON carries it exactly. */
    amountCents: z.number().int().nonnegative(),
  }),
  z.object({ ...common, kind: z.literal('abandon') }),
  /** The bot's judgment of a session's purchase intent, recorded when the scenario or the score changes. */
  z.object({ ...common, kind: z.literal('intent'), scenario: outreachScenarioSchema, intentScore: score }),
  /** One proactive bot message to a customer whose high-intent session ended without an order. */
  z.object({ ...common, kind: z.literal('outreach'), scenario: outreachScenarioSchema, intentScore: score, text }),
  /** The customer's answer to an outreach; `optOut`: they said no, and are never reached again. */
  z.object({ ...common, kind: z.literal('outreach_reply'), text, optOut: z.boolean(), outreachEventId: id }),
  /** A high-intent session of a scenario the shop keeps for humans: put on the agents' follow-up list. */
  z.object({ ...common, kind: z.literal('follow_up_open'), scenario: outreachScenarioSchema, intentScore: score }),
  /** An agent followed the customer up (the touch attribution counts from), with what came of it. */
  z.object({
    ...common,
    kind: z.literal('follow_up_done'),
    agentId: id,
    scenario: outreachScenarioSchema,
    result: followUpResultSchema,
    followUpEventId: id,
  }),
]);

/** Every version a reader accepts. Today only v1. */
export const chatEventSchema = chatEventV1Schema;
export type ChatEvent = z.infer<typeof chatEventSchema>;
export type QuestionEvent = Extract<ChatEvent, { kind: 'question' }>;

/** DESIGN.md: events more than 7 days old or more than 5 minutes in the future are dead letters. */
export const EVENT_TIME_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const EVENT_TIME_MAX_FUTURE_MS = 5 * 60 * 1000;

/** Returns why an event time is out of the accepted range, or null when it is accepted. */
export function eventTimeRangeViolation(eventTime: string, nowMs: number): string | null {
  const t = Date.parse(eventTime);
  if (nowMs - t > EVENT_TIME_MAX_AGE_MS) return `eventTime ${eventTime} is more than 7 days old`;
  if (t - nowMs > EVENT_TIME_MAX_FUTURE_MS) return `eventTime ${eventTime} is more than 5 minutes in the future`;
  return null;
}

/** A dead letter's reasons fit in this many characters in all, so a hostile message cannot bloat the DLQ. */
export const REASONS_MAX_CHARS = 1024;
const REASON_MAX_CHARS = 200;

/**
 * Cuts reasons to fit `REASONS_MAX_CHARS`: each at most 200 characters, and once the budget is spent one
 * last `… and N more` line says how many were left out.
 */
export function boundReasons(reasons: readonly string[]): string[] {
  const bounded: string[] = [];
  let used = 0;
  for (const [index, reason] of reasons.entries()) {
    const line = reason.length > REASON_MAX_CHARS ? `${reason.slice(0, REASON_MAX_CHARS - 1)}…` : reason;
    const rest = `… and ${reasons.length - index} more`;
    // Keep room for the `… and N more` line unless this is the last reason.
    const needed = line.length + (index === reasons.length - 1 ? 0 : rest.length);
    if (used + needed > REASONS_MAX_CHARS) {
      bounded.push(rest);
      return bounded;
    }
    bounded.push(line);
    used += line.length;
  }
  return bounded;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reasons: string[] };

/** Refuses bytes that are not UTF-8, where Buffer#toString would silently turn them into U+FFFD. */
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses raw Kafka bytes into a ChatEvent, or explains (in at most 1 KiB) every reason it is not one. */
export function parseChatEvent(raw: Buffer | string | null, nowMs: number): ParseResult<ChatEvent> {
  if (raw === null) return { ok: false, reasons: ['(root): message has no value'] };
  let source: string;
  if (typeof raw === 'string') {
    source = raw;
  } else {
    try {
      source = strictUtf8.decode(raw);
    } catch {
      return { ok: false, reasons: ['(root): not valid UTF-8'] };
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(source);
  } catch (error) {
    // V8 quotes the offending input in its message: keep the reason short whatever the bytes were.
    return { ok: false, reasons: boundReasons([`(root): not JSON: ${(error as Error).message}`]) };
  }
  const parsed = chatEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reasons: boundReasons(describeIssues(parsed.error)) };
  const outOfRange = eventTimeRangeViolation(parsed.data.eventTime, nowMs);
  if (outOfRange) return { ok: false, reasons: boundReasons([`eventTime: ${outOfRange}`]) };
  return { ok: true, value: parsed.data };
}
