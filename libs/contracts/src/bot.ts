import { z } from 'zod';
import {
  answerRefSchema,
  candidateSchema,
  channelSchema,
  emotionSchema,
  eventSourceSchema,
  handoffReasonSchema,
  modeSchema,
  stageSchema,
} from './chat-event';
import { kbReplySchema, shopIdSchema, skuSchema } from './kb-pack';
import { kbPatchProposalSchema } from './kb-patch';
import { personText, wellFormedString } from './well-formed';

/**
 * The bot's chat API (apps/bot): `POST /api/chat`, the same over the WebSocket `/chat`, the agent's
 * reply in assist mode and orders. Every request body is parsed with these schemas, and every reply
 * follows them. The bot's environment is its own (apps/bot/src/config/bot-config.ts).
 */

/** Ids a client names are refused, not repaired, when they hold a lone surrogate: a repair could merge two. */
const id = wellFormedString().min(1).max(128);
/** Same bound as ChatEvent text, so every accepted message fits its event; repaired, so the customer is answered. */
const text = personText().min(1).max(4000).regex(/\S/, 'must not be blank');

/**
 * One customer message. `mode` defaults to bot, `channel` and `source` to the bot's configuration; those
 * three and `originalEventId` are a service's to set (SERVICE_CHAT_FIELDS), never a customer's.
 */
export const chatRequestSchema = z.strictObject({
  shopId: shopIdSchema,
  sessionId: id,
  customerId: id,
  text,
  /** The product page the customer is asking from; it becomes the session's product. */
  sku: skuSchema.optional(),
  mode: modeSchema.optional(),
  channel: channelSchema.optional(),
  source: eventSourceSchema.optional(),
  /** Replays: the event this question re-asks (DESIGN.md "event time"). */
  originalEventId: id.optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

/** Fields of a chat request that only a service credential may set (a customer choosing assist mode skips the bot). */
export const SERVICE_CHAT_FIELDS = ['mode', 'channel', 'source', 'originalEventId'] as const satisfies readonly (keyof ChatRequest)[];

/**
 * Where a request names its customer's session for a load balancer in front of several bots: the header on
 * HTTP requests (`POST /api/chat`, abandon, orders, the agent steps), the query parameter on the `/chat`
 * WebSocket upgrade (a browser cannot set headers there). The balancer routes by it, so a session always
 * reaches the bot holding it; a request without it may go to any bot.
 */
export const BOT_SESSION_HEADER = 'x-warroom-session';
export const BOT_SESSION_QUERY_PARAM = 'session';

/**
 * A customer's session, issued by the bot (`POST /api/chat/session`, issue 17): the token binds the session
 * and customer ids, signed by the deployment's bots. A customer sends it where the session is named
 * (BOT_SESSION_HEADER, or BOT_SESSION_QUERY_PARAM on `/chat`), so balancers route by it as by a session id,
 * and the bot takes `sessionId` and `customerId` from it, never from what the customer typed into a body.
 */
export const customerSessionSchema = z.strictObject({
  token: z.string().min(1).max(512),
  sessionId: id,
  customerId: id,
  expiresAt: z.iso.datetime({ offset: true }),
});
export type CustomerSession = z.infer<typeof customerSessionSchema>;

/** A suggestion for the human agent in assist mode. */
export const suggestionSchema = z.strictObject({
  answerId: id,
  revision: z.number().int().nonnegative(),
  score: z.number().min(0).max(1),
  reply: kbReplySchema,
});
export type Suggestion = z.infer<typeof suggestionSchema>;

const replyCommon = {
  questionEventId: id,
  sessionId: id,
  stage: stageSchema,
  emotion: emotionSchema,
  /** The product the session is about after this message, if any. */
  sku: skuSchema.nullable(),
};

/** What the bot did with one message. */
export const chatReplySchema = z.discriminatedUnion('outcome', [
  z.strictObject({ ...replyCommon, outcome: z.literal('answered'), answer: answerRefSchema, reply: kbReplySchema }),
  z.strictObject({
    ...replyCommon,
    outcome: z.literal('unmatched'),
    bestCandidate: candidateSchema.nullable(),
    /** Asks the customer to rephrase. */
    reply: kbReplySchema,
  }),
  z.strictObject({
    ...replyCommon,
    outcome: z.literal('handoff'),
    handoffReason: handoffReasonSchema,
    bestCandidate: candidateSchema.nullable(),
    /** What the customer is told (null in assist mode: the agent answers). */
    reply: kbReplySchema.nullable(),
    /** Assist mode: the top 3 answers for the agent, best first. Empty otherwise. */
    suggestions: z.array(suggestionSchema).max(3),
  }),
]);
export type ChatReply = z.infer<typeof chatReplySchema>;

/** The reply a human agent sent (a suggestion as is, edited, or their own): recorded as `agent_reply`. */
export const agentReplyRequestSchema = z.strictObject({
  shopId: shopIdSchema,
  sessionId: id,
  customerId: id,
  agentId: id,
  text,
  channel: channelSchema.optional(),
  source: eventSourceSchema.optional(),
});
export type AgentReplyRequest = z.infer<typeof agentReplyRequestSchema>;

/** An order placed in a session: recorded as `order`, and the session's stage moves to in_sale. */
export const orderRequestSchema = z.strictObject({
  shopId: shopIdSchema,
  sessionId: id,
  customerId: id,
  orderId: id,
  amountCents: z.number().int().nonnegative(),
  sku: skuSchema.optional(),
  mode: modeSchema.optional(),
  channel: channelSchema.optional(),
  source: eventSourceSchema.optional(),
});
export type OrderRequest = z.infer<typeof orderRequestSchema>;

export const recordedEventSchema = z.strictObject({ eventId: id });
export type RecordedEvent = z.infer<typeof recordedEventSchema>;

/** `GET /health` of the bot. */
export const botHealthSchema = z.strictObject({
  status: z.enum(['ok', 'degraded']),
  shops: z.array(z.strictObject({ shopId: shopIdSchema, answers: z.number().int().nonnegative(), products: z.number().int().nonnegative() })),
  events: z.strictObject({
    /** Events waiting in memory for the next send. */
    queued: z.number().int().nonnegative(),
    /** Events (and bytes) in the on-disk spool, waiting for the broker. */
    spooled: z.number().int().nonnegative(),
    spoolBytes: z.number().int().nonnegative(),
    delivered: z.number().int().nonnegative(),
    /** Events lost because the spool was full: anything above 0 needs an operator. */
    dropped: z.number().int().nonnegative(),
    lastError: z.string().nullable(),
  }),
  sessions: z.number().int().nonnegative(),
});
export type BotHealth = z.infer<typeof botHealthSchema>;

/**
 * The largest frame a client may send on `/chat`; the socket is closed (1009) past it, before anything
 * reads the frame. The largest valid ask (4,000 characters of text, each escaped as `\uXXXX`, and its
 * ids) is about 27 KiB.
 */
export const BOT_CHAT_MAX_FRAME_BYTES = 64 * 1024;

/** WebSocket `/chat`: frames are `{event, data}` as Nest's WsAdapter reads and writes them. */
const requestId = wellFormedString().min(1).max(64);
export const botClientFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('ask'), data: chatRequestSchema.extend({ requestId: requestId.optional() }) }),
]);
export type BotClientFrame = z.infer<typeof botClientFrameSchema>;
export const botServerFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('reply'), data: z.strictObject({ requestId: requestId.nullable(), reply: chatReplySchema }) }),
  z.strictObject({ event: z.literal('error'), data: z.strictObject({ requestId: requestId.nullable(), message: z.string() }) }),
]);
export type BotServerFrame = z.infer<typeof botServerFrameSchema>;
export type BotServerEventMap = { [F in BotServerFrame as F['event']]: F['data'] };

/** What `GET /api/kb/state` gives an answer engine: the pack files and the `kb.patches` log so far. */
export const kbStateSchema = z.strictObject({
  packFiles: z.array(z.strictObject({ file: z.string().min(1), text: z.string() })),
  proposals: z.array(z.strictObject({ offset: z.number().int().nonnegative(), timestampMs: z.number().int().nonnegative(), proposal: kbPatchProposalSchema })),
  /** The first log offset not in `proposals`: where to follow on. */
  nextOffset: z.number().int().nonnegative(),
  /** The offset of the signing cut-over (unsigned records after it are refused), null before there is one. */
  signedFrom: z.number().int().nonnegative().nullable(),
  /** The api deployment's Ed25519 public keys (SPKI DER, base64) that sign `kb.patches`. */
  publicKeys: z.array(z.string().min(1).max(200)),
});
export type KbState = z.infer<typeof kbStateSchema>;
