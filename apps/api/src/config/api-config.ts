import { createPublicKey, type KeyObject } from 'node:crypto';
import { DEFAULT_EMOTION_WEIGHTS, describeIssues, emotionNameSchema, type EmotionName } from '@warroom/contracts';
import { clickhouseConnectionEnvShape, clickhouseSecurityProblems, clickhouseTlsFrom, type ClickHouseTls } from '@warroom/clickhouse';
import { kafkaBrokerListSchema, kafkaSecurityEnvShape, kafkaSecurityFrom, kafkaSecurityProblems, type KafkaSecurity } from '@warroom/kafka';
import { ed25519PrivateKeyDerivedFrom, ed25519PrivateKeyFrom, ed25519PublicKeyFrom } from '@warroom/knowledge';
import { logFormatEnvShape, logFormatFrom, type LogFormat } from '@warroom/observability';
import { z } from 'zod';

/**
 * Environment of the api app, parsed once at start. A bad or missing variable fails fast with its name;
 * every default lives here.
 */

export const API_ROLES = ['ingest', 'api'] as const;

/** The services with a credential of their own on the api (DESIGN.md "Roles"), each allowed only its routes. */
export const API_SERVICES = ['bot', 'simulator', 'order_feed', 'replay'] as const;
export type ApiService = (typeof API_SERVICES)[number];

const serviceCredentialList = z
  .string()
  .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
  .pipe(
    z
      .array(
        z.string().transform((entry, context) => {
          const [service = '', ...rest] = entry.split('=');
          const token = rest.join('=');
          if (!(API_SERVICES as readonly string[]).includes(service)) {
            context.addIssue({ code: 'custom', message: `expected service=token with a service of ${API_SERVICES.join(', ')}, got "${service}"` });
            return z.NEVER;
          }
          if (token.length < 16) {
            context.addIssue({ code: 'custom', message: `the token of ${service} must be at least 16 characters` });
            return z.NEVER;
          }
          return { service: service as ApiService, token };
        }),
      )
      .min(1, 'name at least one service=token'),
  );
export type ApiRole = (typeof API_ROLES)[number];

const roleList = z
  .string()
  .transform((value) => value.split(',').map((role) => role.trim()).filter(Boolean))
  .pipe(z.array(z.enum(API_ROLES)).min(1, 'name at least one role'));

export const apiEnvSchema = z
  .object({
  WARROOM_ROLES: roleList.default(['ingest', 'api']),
  KAFKA_BROKERS: kafkaBrokerListSchema,
  KAFKA_CLIENT_ID: z.string().min(1).default('warroom-api'),
  ...kafkaSecurityEnvShape,
  ...clickhouseConnectionEnvShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  INGEST_GROUP_ID: z.string().min(1).default('warroom-ingest'),
  /** Rows at which an INSERT is cut at once. */
  INGEST_BATCH_MAX_ROWS: z.coerce.number().int().min(1).max(200_000).default(50_000),
  /** Longest a row waits for others to share its INSERT. */
  INGEST_BATCH_MAX_MS: z.coerce.number().int().min(1).max(250).default(30),
  /** Read-only token for wall kiosks; long enough that it cannot be guessed. Required by the `api` role. */
  WALL_KIOSK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Key that signs session tokens (HMAC-SHA256); at least 32 characters. Required by the `api` role. */
  WARROOM_SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a session token stays valid, minutes (default 12 h: one shift). */
  WARROOM_SESSION_TTL_MIN: z.coerce.number().int().min(1).max(7 * 24 * 60).default(720),
  /** How often an open `/live` socket's session is checked again: a disabled user's screen stops within it. */
  LIVE_SESSION_RECHECK_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /**
   * Token of trusted services (the simulator registering its rehearsal's campaign) for writes such as
   * `PUT /api/campaigns/:id`, sent as `Authorization: Bearer …`. Unset: those writes are refused.
   */
  WARROOM_SERVICE_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * One credential per service, `service=token` comma-separated (services: bot, simulator, order_feed,
   * replay), each admitted only on its own routes; a service listed twice has two valid tokens while it
   * is rotated (api processes restarted one at a time with both, then the service, then the old dropped).
   * Instead of WARROOM_SERVICE_TOKEN, which every service shares.
   */
  WARROOM_SERVICE_CREDENTIALS: serviceCredentialList.optional(),
  /** Start of the running campaign: the "since the campaign started" window. Unset: that window is refused. */
  CAMPAIGN_STARTED_AT: z.iso.datetime({ offset: true }).optional(),
  METRICS_TICK_MS: z.coerce.number().int().min(50).max(5_000).default(250),
  /** How long a trainer's publish waits for its patch to come back from the log before a 503. */
  KB_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** The answer engine (apps/bot) that replays questions for a patch preview. Unset: previews are refused. */
  WARROOM_BOT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Every bot of the deployment, comma-separated (each bot's own address, not a balancer's): the agents'
   * queue is read from all of them and a step goes to the bot holding its session. Instead of WARROOM_BOT_URL.
   */
  WARROOM_BOT_URLS: z
    .string()
    .transform((value) => value.split(',').map((url) => url.trim()).filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ })).min(1, 'name at least one bot'))
    .optional(),
  /** The api's credential on the bot's internal routes (one of the bot's BOT_SERVICE_TOKENS). */
  WARROOM_BOT_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * The deployment's Ed25519 private key (PKCS#8 DER, base64) that signs every proposal on `kb.patches`;
   * every api process of a deployment shares it, and bots get its public key. Unset: a key derived from
   * WARROOM_SESSION_SECRET (what every process of the deployment shares), with a warning at start.
   */
  KB_SIGNING_KEY: z.string().min(1).optional(),
  /** Further public keys (SPKI DER, base64, comma-separated) whose signatures are accepted: the previous key during a rotation. */
  KB_VERIFY_KEYS: z
    .string()
    .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean))
    .optional(),
  WEB_DIST_DIR: z.string().min(1).default('apps/web/dist'),
  /**
   * The knowledge base's pack files (the "1+N" packs; the bot's BOT_PACK_DIR): the base the api's
   * ledger rebuilds on (patches come from kb_revisions and kb.patches), and whose answers weigh the
   * words gaps are clustered by.
   */
  KB_PACK_DIR: z.string().min(1).default('packs'),
  /** The cost window of gaps (DESIGN.md: the last 60 minutes). */
  GAP_WINDOW_MIN: z.coerce.number().int().min(1).max(24 * 60).default(60),
  /** Emotion weights of the gap cost as JSON, overriding DESIGN.md's defaults per emotion, e.g. {"angry":3}. */
  GAP_EMOTION_WEIGHTS: z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: 'expected JSON such as {"angry":3}' });
        return z.NEVER;
      }
    })
    .pipe(z.partialRecord(emotionNameSchema, z.number().min(0).max(100)))
    .optional(),
  /** How often the api looks for new unmatched questions and flags in ClickHouse. */
  GAP_POLL_MS: z.coerce.number().int().min(50).max(10_000).default(300),
  /** The briefing opens this long before a promo moment, and compares the same length after it. */
  BRIEFING_LEAD_MIN: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** Questions the briefing lists per moment. */
  BRIEFING_ENTRIES: z.coerce.number().int().min(1).max(100).default(20),
  /**
   * Where the `api` role asks the other parts how they are, for the walls' status strip: ingest's
   * `GET /health/ingest` and the bot's `GET /health`. Unset: that part is left off the strip.
   */
  HEALTH_INGEST_URL: z.url({ protocol: /^https?$/ }).optional(),
  HEALTH_BOT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** How often the parts' health is asked (and a part that does not answer within it counts as down). */
  HEALTH_POLL_MS: z.coerce.number().int().min(100).max(60_000).default(2_000),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug']).default('log'),
  ...logFormatEnvShape,
  })
  .refine((env) => env.WARROOM_BOT_URL === undefined || env.WARROOM_BOT_URLS === undefined, {
    path: ['WARROOM_BOT_URLS'],
    message: 'set either WARROOM_BOT_URLS or WARROOM_BOT_URL (a list of one), not both',
  })
  .refine((env) => env.WARROOM_SERVICE_TOKEN === undefined || env.WARROOM_SERVICE_CREDENTIALS === undefined, {
    path: ['WARROOM_SERVICE_CREDENTIALS'],
    message: 'set either WARROOM_SERVICE_CREDENTIALS (one per service) or the shared WARROOM_SERVICE_TOKEN, not both',
  })
  .refine((env) => !env.WARROOM_ROLES.includes('api') || env.WALL_KIOSK_TOKEN !== undefined, {
    path: ['WALL_KIOSK_TOKEN'],
    message: 'required when WARROOM_ROLES includes api',
  })
  .refine((env) => !env.WARROOM_ROLES.includes('api') || env.WARROOM_SESSION_SECRET !== undefined, {
    path: ['WARROOM_SESSION_SECRET'],
    message: 'required when WARROOM_ROLES includes api',
  })
  .superRefine((env, context) => {
    for (const problem of [...kafkaSecurityProblems(env), ...clickhouseSecurityProblems(env)]) {
      const [variable = '(env)', ...message] = problem.split(': ');
      context.addIssue({ code: 'custom', path: [variable], message: message.join(': ') });
    }
  });
export type ApiEnv = z.infer<typeof apiEnvSchema>;

export interface ApiConfig {
  roles: ReadonlySet<ApiRole>;
  kafka: { brokers: string[]; clientId: string; security: KafkaSecurity };
  clickhouse: {
    url: string;
    database: string;
    username: string;
    password: string;
    tls: ClickHouseTls;
    /** On a cluster: migrations run ON CLUSTER with replicated engines. */
    cluster: string | null;
    /** `migrate` at start, or only `verify` that `npm run migrate` has run. */
    schema: 'migrate' | 'verify';
  };
  http: { host: string; port: number };
  ingest: { groupId: string; batchMaxRows: number; batchMaxMs: number };
  live: { kioskToken: string; tickMs: number; campaignStartedAt: Date | null; sessionRecheckMs: number };
  /** Signing key ('' when the process does not run the api role) and lifetime of session tokens. */
  session: { secret: string; ttlMinutes: number };
  /** Token of trusted services; null when unset (service writes are refused). */
  serviceToken: string | null;
  /**
   * Who may call the service routes: each service's credentials (two during a rotation); with only the
   * shared WARROOM_SERVICE_TOKEN, that token for every service; empty: service routes are refused.
   */
  serviceCredentials: { service: ApiService; token: string }[];
  kb: {
    packDir: string;
    publishTimeoutMs: number;
    /** Every bot (WARROOM_BOT_URLS, or WARROOM_BOT_URL alone); empty: none, what needs a bot answers 503. */
    botUrls: string[];
    botToken: string | null;
    /** Signs `kb.patches` records (null without the api role); `derived`: from the session secret. */
    signing: { privateKey: KeyObject; derived: boolean } | null;
    /** Public keys whose signatures are accepted on `kb.patches`: the signing key's first. */
    verifyKeys: KeyObject[];
  };
  web: { distDir: string };
  gaps: { windowMs: number; emotionWeights: Record<EmotionName, number>; pollMs: number };
  briefing: { leadMs: number; entries: number };
  /** The parts' health endpoints (null: not watched) and how often they are asked. */
  health: { ingestUrl: string | null; botUrl: string | null; pollMs: number };
  logLevel: ApiEnv['LOG_LEVEL'];
  logFormat: LogFormat;
}

/** A bad environment: every problem names its variable; main.ts prints them and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses an environment into the api's typed config, or throws one ConfigError naming every bad variable. */
export function parseApiConfig(env: Record<string, string | undefined>): ApiConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const e = parsed.data;
  const keys = kbKeysFrom(e);
  return {
    roles: new Set(e.WARROOM_ROLES),
    kafka: { brokers: e.KAFKA_BROKERS, clientId: e.KAFKA_CLIENT_ID, security: kafkaSecurityFrom(e) },
    clickhouse: {
      url: e.CLICKHOUSE_URL,
      database: e.CLICKHOUSE_DATABASE,
      username: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      tls: clickhouseTlsFrom(e),
      cluster: e.CLICKHOUSE_CLUSTER ?? null,
      schema: e.CLICKHOUSE_SCHEMA,
    },
    http: { host: e.HOST, port: e.PORT },
    ingest: { groupId: e.INGEST_GROUP_ID, batchMaxRows: e.INGEST_BATCH_MAX_ROWS, batchMaxMs: e.INGEST_BATCH_MAX_MS },
    live: {
      kioskToken: e.WALL_KIOSK_TOKEN ?? '',
      tickMs: e.METRICS_TICK_MS,
      campaignStartedAt: e.CAMPAIGN_STARTED_AT ? new Date(e.CAMPAIGN_STARTED_AT) : null,
      sessionRecheckMs: e.LIVE_SESSION_RECHECK_MS,
    },
    session: { secret: e.WARROOM_SESSION_SECRET ?? '', ttlMinutes: e.WARROOM_SESSION_TTL_MIN },
    serviceToken: e.WARROOM_SERVICE_TOKEN ?? null,
    serviceCredentials:
      e.WARROOM_SERVICE_CREDENTIALS ?? (e.WARROOM_SERVICE_TOKEN === undefined ? [] : API_SERVICES.map((service) => ({ service, token: e.WARROOM_SERVICE_TOKEN! }))),
    kb: {
      packDir: e.KB_PACK_DIR,
      publishTimeoutMs: e.KB_PUBLISH_TIMEOUT_MS,
      botUrls: e.WARROOM_BOT_URLS ?? (e.WARROOM_BOT_URL === undefined ? [] : [e.WARROOM_BOT_URL]),
      botToken: e.WARROOM_BOT_TOKEN ?? null,
      ...keys,
    },
    web: { distDir: e.WEB_DIST_DIR },
    gaps: {
      windowMs: e.GAP_WINDOW_MIN * 60_000,
      emotionWeights: { ...DEFAULT_EMOTION_WEIGHTS, ...e.GAP_EMOTION_WEIGHTS },
      pollMs: e.GAP_POLL_MS,
    },
    briefing: { leadMs: e.BRIEFING_LEAD_MIN * 60_000, entries: e.BRIEFING_ENTRIES },
    health: { ingestUrl: e.HEALTH_INGEST_URL ?? null, botUrl: e.HEALTH_BOT_URL ?? null, pollMs: e.HEALTH_POLL_MS },
    logLevel: e.LOG_LEVEL,
    logFormat: logFormatFrom(e),
  };
}

/** The `kb.patches` keys, or a ConfigError naming the variable that does not hold an Ed25519 key. */
function kbKeysFrom(e: ApiEnv): Pick<ApiConfig['kb'], 'signing' | 'verifyKeys'> {
  const problems: string[] = [];
  const read = (variable: string, parse: () => KeyObject): KeyObject | null => {
    try {
      return parse();
    } catch (error) {
      problems.push(`${variable}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  };
  let signing: ApiConfig['kb']['signing'] = null;
  if (e.KB_SIGNING_KEY !== undefined) {
    const privateKey = read('KB_SIGNING_KEY', () => ed25519PrivateKeyFrom(e.KB_SIGNING_KEY!));
    signing = privateKey && { privateKey, derived: false };
  } else if (e.WARROOM_SESSION_SECRET !== undefined) {
    signing = { privateKey: ed25519PrivateKeyDerivedFrom(e.WARROOM_SESSION_SECRET), derived: true };
  }
  const others = (e.KB_VERIFY_KEYS ?? []).map((text) => read('KB_VERIFY_KEYS', () => ed25519PublicKeyFrom(text)));
  if (problems.length > 0) throw new ConfigError(problems);
  const verifyKeys = [...(signing ? [createPublicKey(signing.privateKey)] : []), ...others.filter((key): key is KeyObject => key !== null)];
  return { signing, verifyKeys };
}
