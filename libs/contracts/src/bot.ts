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
import { ConfigError } from './config';
import { connectionSecurityProblems, kafkaSecurityEnvShape, kafkaSecurityFrom, type KafkaSecurity } from './connection-security';
import { kbReplySchema, shopIdSchema, skuSchema } from './kb-pack';
import { kbPatchProposalSchema } from './kb-patch';
import { personText, wellFormedString } from './well-formed';

/**
 * The bot's chat API (apps/bot): `POST /api/chat`, the same over the WebSocket `/chat`, the agent's
 * reply in assist mode and orders. Every request body is parsed with these schemas, every reply
 * follows them, and the bot's environment is parsed once by `parseBotConfig`.
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

const brokerList = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port[,host:port…]')).min(1));

/** Environment of apps/bot, parsed once at start. Every default lives here. */
export const botEnvSchema = z.object({
  KAFKA_BROKERS: brokerList,
  KAFKA_CLIENT_ID: z.string().min(1).default('warroom-bot'),
  ...kafkaSecurityEnvShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3100),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Shops this bot answers for; each needs a shop pack in BOT_PACK_DIR. */
  BOT_SHOP_IDS: z
    .string()
    .transform((value) => value.split(',').map((shop) => shop.trim()).filter(Boolean))
    .pipe(z.array(shopIdSchema).min(1, 'name at least one shop'))
    .default(['demo-electronics']),
  BOT_PACK_DIR: z.string().min(1).default('packs'),
  /**
   * The api that holds the knowledge base (its packs and every patch so far): the bot loads from it at
   * start, then follows `kb.patches`. Unset: the packs come from BOT_PACK_DIR and the log is followed
   * from its beginning (a bot on its own, e.g. a benchmark).
   */
  BOT_KB_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The api's service token (WARROOM_SERVICE_TOKEN), required with BOT_KB_API_URL. */
  BOT_KB_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  BOT_CAMPAIGN_ID: z.string().min(1).max(128).default('demo-1111'),
  /** Source of events when a request does not name one. */
  /**
   * Credentials of the services allowed on the bot's internal routes (the api's agent desk and previews,
   * the simulator, an order feed), comma-separated; two at once while one is being rotated. They may also
   * set a question's mode, channel and source, which a customer may not. Unset: the internal routes are
   * open and anyone may set them (a developer's bot on its own; `npm start` sets one).
   */
  BOT_SERVICE_TOKENS: z
    .string()
    .transform((value) => value.split(',').map((token) => token.trim()).filter(Boolean))
    .pipe(z.array(z.string().min(16, 'each token must be at least 16 characters')).min(1, 'name at least one token'))
    .optional(),
  BOT_SOURCE: eventSourceSchema.default('live'),
  BOT_CHANNEL: channelSchema.default('app'),
  BOT_SPOOL_DIR: z.string().min(1).default('.data/bot-spool'),
  /** The spool refuses (and logs) events beyond this size; 64 MiB holds about 100,000 events. */
  BOT_SPOOL_MAX_BYTES: z.coerce.number().int().min(4096).default(64 * 1024 * 1024),
  /** Events kept in memory (besides the spool) while sends are in flight; past it they are read back from the spool. */
  BOT_QUEUE_MAX_EVENTS: z.coerce.number().int().min(100).default(200_000),
  /**
   * Events are sent in batches every this many ms (and at once past BOT_PRODUCE_BATCH_MAX): fewer,
   * larger produce requests cost the bot less CPU, and 25 ms is nothing against the wall's 3 s amber.
   */
  BOT_PRODUCE_LINGER_MS: z.coerce.number().int().min(0).max(1000).default(25),
  BOT_PRODUCE_BATCH_MAX: z.coerce.number().int().min(1).max(10_000).default(2000),
  /** Unset: the matcher's own calibrated decision (`matched`). Set: confidence at or above this. */
  BOT_MATCH_THRESHOLD: z.coerce.number().gt(0).max(1).optional(),
  /** Match results kept per shop for repeated questions (peak traffic repeats itself); 0 turns it off. */
  BOT_MATCH_CACHE_SIZE: z.coerce.number().int().min(0).default(20_000),
  /** An angry message at or above this intensity is handed off (reason negative_emotion). */
  BOT_ANGRY_HANDOFF_INTENSITY: z.coerce.number().min(0).max(1).default(0.7),
  /** Sessions idle this long are forgotten; at most BOT_MAX_SESSIONS are kept (oldest first out). */
  BOT_SESSION_IDLE_MS: z.coerce.number().int().min(1000).default(30 * 60 * 1000),
  BOT_MAX_SESSIONS: z.coerce.number().int().min(1).default(200_000),
  /**
   * A handed-off customer nobody accepted within this long has gone (closed the app without a word): the
   * session leaves the handoff queue with an `abandon` event. Clients report an earlier departure themselves.
   */
  BOT_QUEUE_MAX_WAIT_MS: z.coerce.number().int().min(1000).default(15 * 60 * 1000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
}).refine((env) => env.BOT_KB_API_URL === undefined || env.BOT_KB_API_TOKEN !== undefined, {
  path: ['BOT_KB_API_TOKEN'],
  message: 'required with BOT_KB_API_URL',
});
export type BotEnv = z.infer<typeof botEnvSchema>;

export interface BotConfig {
  kafka: { brokers: string[]; clientId: string; security: KafkaSecurity };
  /** Credentials of the services allowed on the internal routes; empty: those routes are open (development). */
  serviceTokens: string[];
  http: { host: string; port: number };
  shops: string[];
  packDir: string;
  /** Where the knowledge base comes from: the api (url and service token), or null for BOT_PACK_DIR. */
  kbApi: { url: string; token: string } | null;
  events: {
    campaignId: string;
    source: BotEnv['BOT_SOURCE'];
    channel: BotEnv['BOT_CHANNEL'];
    spoolDir: string;
    spoolMaxBytes: number;
    queueMaxEvents: number;
    lingerMs: number;
    batchMax: number;
  };
  matching: { threshold: number | null; cacheSize: number };
  rules: { angryHandoffIntensity: number };
  sessions: { idleMs: number; max: number };
  /** The handoff queue: waiting sessions are abandoned after maxWaitMs; at most `max` sessions (sessions.max). */
  queue: { maxWaitMs: number; max: number };
  logLevel: BotEnv['LOG_LEVEL'];
}

/** Parses an environment into the bot's typed config, or throws one ConfigError naming every bad variable. */
export function parseBotConfig(env: Record<string, string | undefined>): BotConfig {
  const parsed = botEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`));
  }
  const e = parsed.data;
  const insecure = connectionSecurityProblems(e);
  if (insecure.length > 0) throw new ConfigError(insecure);
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, security: kafkaSecurityFrom(e) },
    serviceTokens: e.BOT_SERVICE_TOKENS ?? [],
    http: { host: e.HOST, port: e.PORT },
    shops: [...new Set(e.BOT_SHOP_IDS)],
    packDir: e.BOT_PACK_DIR,
    kbApi: e.BOT_KB_API_URL && e.BOT_KB_API_TOKEN ? { url: e.BOT_KB_API_URL, token: e.BOT_KB_API_TOKEN } : null,
    events: {
      campaignId: e.BOT_CAMPAIGN_ID,
      source: e.BOT_SOURCE,
      channel: e.BOT_CHANNEL,
      spoolDir: e.BOT_SPOOL_DIR,
      spoolMaxBytes: e.BOT_SPOOL_MAX_BYTES,
      queueMaxEvents: e.BOT_QUEUE_MAX_EVENTS,
      lingerMs: e.BOT_PRODUCE_LINGER_MS,
      batchMax: e.BOT_PRODUCE_BATCH_MAX,
    },
    matching: { threshold: e.BOT_MATCH_THRESHOLD ?? null, cacheSize: e.BOT_MATCH_CACHE_SIZE },
    rules: { angryHandoffIntensity: e.BOT_ANGRY_HANDOFF_INTENSITY },
    sessions: { idleMs: e.BOT_SESSION_IDLE_MS, max: e.BOT_MAX_SESSIONS },
    queue: { maxWaitMs: e.BOT_QUEUE_MAX_WAIT_MS, max: e.BOT_MAX_SESSIONS },
    logLevel: e.LOG_LEVEL,
  };
}

/** What `GET /api/kb/state` gives an answer engine: the pack files and the `kb.patches` log so far. */
export const kbStateSchema = z.strictObject({
  packFiles: z.array(z.strictObject({ file: z.string().min(1), text: z.string() })),
  proposals: z.array(z.strictObject({ offset: z.number().int().nonnegative(), timestampMs: z.number().int().nonnegative(), proposal: kbPatchProposalSchema })),
  /** The first log offset not in `proposals`: where to follow on. */
  nextOffset: z.number().int().nonnegative(),
});
export type KbState = z.infer<typeof kbStateSchema>;
