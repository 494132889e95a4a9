import type { KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { channelSchema, describeIssues, eventSourceSchema, shopIdSchema, wellFormedString } from '@warroom/contracts';
import { ed25519PublicKeyFrom } from '@warroom/knowledge';
import { kafkaBrokerListSchema, kafkaSecurityEnvShape, kafkaSecurityFrom, kafkaSecurityProblems, type KafkaSecurity } from '@warroom/kafka';
import { logFormatEnvShape, logFormatFrom, type LogFormat } from '@warroom/observability';
import { z } from 'zod';

/** DI token of the parsed, validated configuration (see `parseBotConfig`). */
export const BOT_CONFIG = Symbol('BOT_CONFIG');

/** A bad environment: every problem names its variable; main.ts prints them and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Environment of apps/bot, parsed once at start. Every default lives here. */
export const botEnvSchema = z.object({
  KAFKA_BROKERS: kafkaBrokerListSchema,
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
  /**
   * The api deployment's Ed25519 public keys (SPKI DER, base64, comma-separated; two during a rotation):
   * a `kb.patches` record they did not sign is refused. Unset: the keys the api's `GET /api/kb/state` names
   * (the channel the bot already trusts for the packs), or without BOT_KB_API_URL none (every signed record refused).
   */
  BOT_KB_PUBLIC_KEYS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
    .optional(),
  BOT_CAMPAIGN_ID: z.string().min(1).max(128).default('demo-1111'),
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
  /**
   * Key (HMAC-SHA256, at least 32 characters) of the customers' session tokens (`POST /api/chat/session`),
   * shared by every bot of the deployment. Set: a customer's ask and abandon take their session and customer
   * from the token (services still name them). Unset: customers name their own (a developer's bot on its own).
   */
  BOT_CUSTOMER_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a customer's session token stays valid, minutes. */
  BOT_CUSTOMER_SESSION_TTL_MIN: z.coerce.number().int().min(1).max(30 * 24 * 60).default(24 * 60),
  /** Source of events when a request does not name one. */
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
  /**
   * This bot's name for routing: the name the balancer hashes customers' sessions over (the dev router's
   * `bot-1`, …). The bots hash the same way to decide who adopts a dead bot's queued customers. Unset:
   * host name and port.
   */
  BOT_ID: wellFormedString().min(1).max(128).regex(/^\S+$/, 'must be one word').optional(),
  /** A bot whose presence on bot.handoffs is older than this is dead: the others adopt its queued customers. */
  BOT_TAKEOVER_AFTER_MS: z.coerce.number().int().min(1000).max(600_000).default(5000),
  /**
   * A session that showed intent and is silent this long has ended (the customer left): the bot judges
   * whether to reach out. Rehearsals set it short, since their customers leave within seconds.
   */
  BOT_OUTREACH_IDLE_MS: z.coerce.number().int().min(1000).default(10 * 60 * 1000),
  /** How often ended sessions are looked for. */
  BOT_OUTREACH_SWEEP_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** A session held back (quiet hours, an open handoff) longer than this after it ended is not reached. */
  BOT_OUTREACH_MAX_WAIT_MS: z.coerce.number().int().min(1000).default(12 * 3600 * 1000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  ...logFormatEnvShape,
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
  /** Customers' session tokens: null when customers name their own sessions (development). */
  customerSessions: { secret: string; ttlMs: number } | null;
  /** BOT_KB_PUBLIC_KEYS; empty: the api's state names them. */
  kbPublicKeys: KeyObject[];
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
  /** Takeover of a dead bot's queued customers (bot.handoffs): this bot's routing name, and when a silent bot is dead. */
  takeover: { botId: string; afterMs: number };
  /** Reaching high-intent customers: when a session has ended, how often to look, how long one may wait. */
  outreach: { idleMs: number; sweepMs: number; maxWaitMs: number };
  logLevel: BotEnv['LOG_LEVEL'];
  logFormat: LogFormat;
}

/** Parses an environment into the bot's typed config, or throws one ConfigError naming every bad variable. */
export function parseBotConfig(env: Record<string, string | undefined>): BotConfig {
  const parsed = botEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const e = parsed.data;
  const insecure = kafkaSecurityProblems(e);
  if (insecure.length > 0) throw new ConfigError(insecure);
  const kbPublicKeys = (e.BOT_KB_PUBLIC_KEYS ?? []).map((text) => {
    try {
      return ed25519PublicKeyFrom(text);
    } catch (error) {
      throw new ConfigError([`BOT_KB_PUBLIC_KEYS: ${error instanceof Error ? error.message : String(error)}`]);
    }
  });
  return {
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, security: kafkaSecurityFrom(e) },
    serviceTokens: e.BOT_SERVICE_TOKENS ?? [],
    http: { host: e.HOST, port: e.PORT },
    shops: [...new Set(e.BOT_SHOP_IDS)],
    packDir: e.BOT_PACK_DIR,
    kbApi: e.BOT_KB_API_URL && e.BOT_KB_API_TOKEN ? { url: e.BOT_KB_API_URL, token: e.BOT_KB_API_TOKEN } : null,
    kbPublicKeys,
    customerSessions: e.BOT_CUSTOMER_SESSION_SECRET === undefined ? null : { secret: e.BOT_CUSTOMER_SESSION_SECRET, ttlMs: e.BOT_CUSTOMER_SESSION_TTL_MIN * 60_000 },
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
    takeover: { botId: e.BOT_ID ?? `${hostname()}:${e.PORT}`, afterMs: e.BOT_TAKEOVER_AFTER_MS },
    outreach: { idleMs: e.BOT_OUTREACH_IDLE_MS, sweepMs: e.BOT_OUTREACH_SWEEP_MS, maxWaitMs: e.BOT_OUTREACH_MAX_WAIT_MS },
    logLevel: e.LOG_LEVEL,
    logFormat: logFormatFrom(e),
  };
}
