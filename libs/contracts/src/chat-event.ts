import { z } from 'zod';

/**
 * ChatEvent: what a bot (ours or a shop's own) produces to Kafka `chat.events`, keyed by sessionId.
 *
 * Versioning: additive changes keep `v: 1`. A breaking change adds a `v: 2` member to
 * `chatEventSchema` below; readers accept both while both exist.
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
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Identifiers travel as opaque strings; the bound keeps one bad producer from bloating every row. */
const id = z.string().min(1).max(128);
/** Customer text is bounded so one message cannot blow up a batch; longer texts are a producer bug. */
const text = z.string().min(1).max(4000);
const score = z.number().min(0).max(1);

export const emotionSchema = z.strictObject({ name: emotionNameSchema, intensity: z.number().min(0).max(1) });
export type Emotion = z.infer<typeof emotionSchema>;

export const answerRefSchema = z.strictObject({ answerId: id, revision: z.number().int().nonnegative(), score });
export const candidateSchema = z.strictObject({ answerId: id, score });

const common = {
  v: z.literal(1),
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
  z.strictObject({ ...questionCommon, outcome: z.literal('answered'), match: answerRefSchema }),
  z.strictObject({
    ...questionCommon,
    outcome: z.literal('unmatched'),
    /** Best candidate below the threshold; null when the knowledge base had nothing at all. */
    bestCandidate: candidateSchema.nullable(),
  }),
  z.strictObject({
    ...questionCommon,
    outcome: z.literal('handoff'),
    handoffReason: handoffReasonSchema,
    bestCandidate: candidateSchema.nullable(),
  }),
]);

const chatEventV1Schema = z.discriminatedUnion('kind', [
  questionEventSchema,
  z.strictObject({ ...common, kind: z.literal('answer'), text, answer: answerRefSchema, questionEventId: id }),
  z.strictObject({ ...common, kind: z.literal('handoff'), handoffReason: handoffReasonSchema }),
  z.strictObject({ ...common, kind: z.literal('agent_accept'), agentId: id }),
  z.strictObject({ ...common, kind: z.literal('agent_reply'), agentId: id, text }),
  z.strictObject({ ...common, kind: z.literal('agent_end'), agentId: id }),
  z.strictObject({ ...common, kind: z.literal('agent_flag'), agentId: id, text, questionEventId: id.optional() }),
  z.strictObject({
    ...common,
    kind: z.literal('order'),
    orderId: id,
    amountCents: z.number().int().nonnegative(),
  }),
  z.strictObject({ ...common, kind: z.literal('abandon') }),
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

/** One line per failing field, e.g. `match.score: Too big: expected number to be <=1`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reasons: string[] };

/** Parses raw Kafka bytes into a ChatEvent, or explains every reason it is not one. */
export function parseChatEvent(raw: Buffer | string | null, nowMs: number): ParseResult<ChatEvent> {
  if (raw === null) return { ok: false, reasons: ['(root): message has no value'] };
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch (error) {
    return { ok: false, reasons: [`(root): not JSON: ${(error as Error).message}`] };
  }
  const parsed = chatEventSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reasons: describeIssues(parsed.error) };
  const outOfRange = eventTimeRangeViolation(parsed.data.eventTime, nowMs);
  if (outOfRange) return { ok: false, reasons: [`eventTime: ${outOfRange}`] };
  return { ok: true, value: parsed.data };
}
