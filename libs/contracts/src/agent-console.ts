import { z } from 'zod';
import { channelSchema, emotionSchema, eventSourceSchema, handoffReasonSchema, modeSchema, stageSchema } from './chat-event';
import { shopIdSchema, skuSchema } from './kb-pack';
import { personText, wellFormedString } from './well-formed';

/**
 * The human agent's side of the bot's HTTP API (apps/bot), what an agent console and the simulator's
 * agents use. A handoff (any reason but `assist_mode`) puts the session in the bot's handoff queue; an
 * agent accepts it, replies, ends it, and may flag a question for the trainers. Each step is recorded
 * as a ChatEvent (`agent_accept`, `agent_reply`, `agent_end`, `agent_flag`), from which the staffing
 * reports measure handling time (accept → end). A customer who gives up waiting is recorded as `abandon`.
 *
 * | method and path | body / query | reply | event |
 * | --- | --- | --- | --- |
 * | `GET /api/agent/queue` | `agentQueueQuerySchema` | `agentQueueSchema` | — |
 * | `POST /api/agent/accept` | `agentAcceptRequestSchema` | `agentChatSchema` | `agent_accept` |
 * | `POST /api/agent/reply` | `agentChatReplyRequestSchema` | `recordedEventSchema` | `agent_reply` |
 * | `POST /api/agent/end` | `agentEndRequestSchema` | `recordedEventSchema` | `agent_end` |
 * | `POST /api/agent/flag` | `agentFlagRequestSchema` | `recordedEventSchema` | `agent_flag` |
 * | `POST /api/chat/abandon` | `abandonRequestSchema` | `recordedEventSchema` | `abandon` |
 *
 * Errors: 400 with every failing path (bad body); 404 when the bot does not serve the shop or the session
 * is not in the queue; 409 when the session is in the queue but not in the state the step needs (already
 * accepted by someone, held by another agent, no longer waiting). Every 4xx body is `agentErrorSchema` or
 * the validation pipe's `{message, issues}`.
 *
 * Abandon: a customer leaving the queue is reported by the chat client (`POST /api/chat/abandon`: the
 * customer closed the window or said they would not wait); a customer who goes silent is abandoned by the
 * bot itself once the wait passes its `BOT_QUEUE_MAX_WAIT_MS`. Either way the session leaves the queue
 * with one `abandon` event, and only a waiting session can be abandoned.
 */

/** Refused with a lone surrogate, repaired text: see well-formed.ts. */
const id = wellFormedString().min(1).max(128);
/** Same bound as ChatEvent text. */
const text = personText().min(1).max(4000).regex(/\S/, 'must not be blank');
const instant = z.iso.datetime({ offset: true });

/** `GET /api/agent/queue`: waiting sessions oldest first, and the chats agents hold. */
export const agentQueueQuerySchema = z.strictObject({
  /** Only this shop's sessions; absent: every shop the bot serves. */
  shopId: shopIdSchema.optional(),
  /** At most this many waiting sessions (the oldest); `waitingTotal` says how many there are. */
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type AgentQueueQuery = z.infer<typeof agentQueueQuerySchema>;

const sessionFacts = {
  shopId: shopIdSchema,
  sessionId: id,
  customerId: id,
  channel: channelSchema,
  source: eventSourceSchema,
  /** Mode of the question that was handed off (`bot`; assist-mode sessions never queue). */
  mode: modeSchema,
  stage: stageSchema,
  sku: skuSchema.nullable(),
  handoffReason: handoffReasonSchema,
  /** When the session was first handed off (it waits from then on). */
  handedOffAt: instant,
  /** The customer's newest question, raw: the agent is about to talk to this customer. */
  lastQuestion: z.strictObject({ eventId: id, text, at: instant }),
  /** Emotion of the newest question. */
  emotion: emotionSchema,
  /** Questions the customer asked since the handoff, the handed-off one included. */
  questions: z.number().int().nonnegative(),
};

export const waitingSessionSchema = z.strictObject({
  ...sessionFacts,
  /** Seconds since handedOffAt, at the queue's `asOf`. */
  waitSec: z.number().nonnegative(),
});
export type WaitingSession = z.infer<typeof waitingSessionSchema>;

/** A chat an agent holds (accepted, not ended). */
export const agentChatSchema = z.strictObject({
  ...sessionFacts,
  agentId: id,
  acceptedAt: instant,
  /** Seconds the customer waited, handoff → accept. */
  waitedSec: z.number().nonnegative(),
  /** The `agent_accept` event (for the accept that created it). */
  acceptEventId: id,
});
export type AgentChat = z.infer<typeof agentChatSchema>;

export const agentQueueSchema = z.strictObject({
  /** The bot's clock when the queue was read. */
  asOf: instant,
  waitingTotal: z.number().int().nonnegative(),
  /** Oldest first, at most `limit`. */
  waiting: z.array(waitingSessionSchema),
  /** Every chat agents hold, oldest accept first. */
  active: z.array(agentChatSchema),
});
export type AgentQueue = z.infer<typeof agentQueueSchema>;

const sessionRef = { shopId: shopIdSchema, sessionId: id };

export const agentAcceptRequestSchema = z.strictObject({ ...sessionRef, agentId: id });
export type AgentAcceptRequest = z.infer<typeof agentAcceptRequestSchema>;

/** A reply in a chat the agent holds. (Assist mode, where the agent answers beside the bot, is `POST /api/chat/agent-reply`.) */
export const agentChatReplyRequestSchema = z.strictObject({ ...sessionRef, agentId: id, text });
export type AgentChatReplyRequest = z.infer<typeof agentChatReplyRequestSchema>;

export const agentEndRequestSchema = z.strictObject({ ...sessionRef, agentId: id });
export type AgentEndRequest = z.infer<typeof agentEndRequestSchema>;

/**
 * A question the agent had to answer by hand, for the trainers: `text` is the agent's note (what the
 * customer meant, or the answer they gave). The session must be one the bot knows; the agent need not
 * hold it any more (flagging after the chat ended is normal).
 */
export const agentFlagRequestSchema = z.strictObject({
  ...sessionRef,
  agentId: id,
  text,
  /** The question flagged; absent: the session's newest question. */
  questionEventId: id.optional(),
});
export type AgentFlagRequest = z.infer<typeof agentFlagRequestSchema>;

/** The customer of a waiting session gave up (closed the chat, said they would not wait). */
export const abandonRequestSchema = z.strictObject({ ...sessionRef, customerId: id });
export type AbandonRequest = z.infer<typeof abandonRequestSchema>;

/** Body of the 404s and 409s of these endpoints. */
export const agentErrorSchema = z.strictObject({
  statusCode: z.union([z.literal(404), z.literal(409)]),
  message: z.string(),
  shopId: z.string(),
  sessionId: z.string().optional(),
  /** For 409: where the session stands. */
  state: z.enum(['waiting', 'active']).optional(),
});
export type AgentError = z.infer<typeof agentErrorSchema>;
