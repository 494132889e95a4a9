import { z } from 'zod';
import { ConfigError } from './config';
import { shopIdSchema } from './kb-pack';

/**
 * The rehearsal simulator (apps/sim): customers talking to the bot over `POST /api/chat`.
 *
 * - `simProfileSchema`: a traffic profile file (`apps/sim/profiles/<name>.json`): the curve (a daily level
 *   pattern plus the campaign's peaks), its default compression, the stage and emotion mix, how
 *   conversations go and how often they end in an order.
 * - `simEnvSchema` / `parseSimConfig`: the simulator's configuration, from its environment with its
 *   command-line flags laid over it (`--bot-url` is `SIM_BOT_URL`, …), parsed once.
 * - `simSummarySchema`: the last stdout line of `--json` runs.
 *
 * Time: a profile's curve runs on *curve minutes*; `speed` curve minutes pass per real minute, so
 * "24 hours in 10 minutes" is speed 144. Rates stay real: `baseRatePerShop` questions per real second,
 * and every event carries the real time the question was asked. The curve is compressed, never the clock.
 */

const clockSchema = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a clock time HH:MM');
const share = z.number().min(0).max(1);

function range(min: number, max: number, int: boolean) {
  const bound = int ? z.number().int().min(min).max(max) : z.number().min(min).max(max);
  return z
    .strictObject({ min: bound, max: bound })
    .refine((value) => value.min <= value.max, { message: 'min must not exceed max' });
}

/** One point of the daily level pattern: the rate at this clock time, as a multiple of the base rate. */
export const simLevelPointSchema = z.strictObject({ clock: clockSchema, level: z.number().min(0).max(100) });
export type SimLevelPoint = z.infer<typeof simLevelPointSchema>;

/**
 * A promo moment's rush (e.g. 00:00 sales open): from `at` the rate climbs linearly for `riseMinutes`
 * to `multiplier` × the base rate, then the extra traffic halves every `halfLifeMinutes`. `at` is the
 * first time the clock shows it at or after the profile's `startClock`, plus `day` days.
 */
export const simPeakSchema = z.strictObject({
  label: z.string().min(1).max(80),
  at: clockSchema,
  day: z.number().int().min(0).max(6).default(0),
  multiplier: z.number().min(1).max(50),
  riseMinutes: z.number().min(0).max(240),
  halfLifeMinutes: z.number().positive().max(1440),
});
export type SimPeak = z.infer<typeof simPeakSchema>;

export const simStageMixSchema = z
  .strictObject({ pre_sale: share, in_sale: share, after_sale: share })
  .refine((mix) => mix.pre_sale + mix.in_sale + mix.after_sale > 0, { message: 'at least one stage needs a share' });
export type SimStageMix = z.infer<typeof simStageMixSchema>;

/** Shares of questions worded with each emotion; the rest are neutral. */
export const simEmotionMixSchema = z
  .strictObject({ angry: share, anxious: share, worried: share, disappointed: share, satisfied: share, grateful: share })
  .refine((mix) => Object.values(mix).reduce((sum, value) => sum + value, 0) <= 1, { message: 'shares must add up to at most 1' });
export type SimEmotionMix = z.infer<typeof simEmotionMixSchema>;

/**
 * One team of the roster: `agents` people on shift from `from` to `to` every day, in the profile's clock
 * (so a compressed rehearsal compresses shifts with the curve); `to` before `from` crosses midnight, `to`
 * equal to `from` is all day.
 */
export const simShiftSchema = z.strictObject({
  team: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a slug'),
  agents: z.number().int().min(1).max(5000),
  from: clockSchema,
  to: clockSchema,
});
export type SimShift = z.infer<typeof simShiftSchema>;

/**
 * Simulated human agents, who take handed-off customers from the bot's handoff queue (`GET /api/agent/queue`,
 * then accept, reply, end, sometimes flag). Shifts follow the compressed curve clock; handling times and
 * patience are real seconds, like the question rates: a human chat takes as long in a rehearsal as on the
 * night, so the staffing reports measure real handling times.
 */
export const simAgentsSchema = z.strictObject({
  shifts: z.array(simShiftSchema).min(1).max(100),
  /** Chats an agent holds at once. */
  concurrency: z.number().int().min(1).max(20),
  /** Real seconds of a human chat, accept → end: log-normal with this median and 90th percentile. */
  handleSeconds: z
    .strictObject({ median: z.number().positive().max(7200), p90: z.number().positive().max(14_400) })
    .refine((value) => value.p90 >= value.median, { message: 'p90 must not be below the median' }),
  /** Real seconds from accepting a chat to the agent's first reply. */
  firstReplySeconds: range(0, 600, false),
  /**
   * Mean patience of a handed-off customer, real seconds (exponential, as Erlang A assumes): a customer not
   * accepted by then gives up (`POST /api/chat/abandon`).
   */
  patienceSeconds: z.number().positive().max(3600),
  /** Handled chats after which the agent flags the question for the trainers. */
  flagShare: share,
  /** Handed-off pre-sale customers who order after the agent's chat (the agents' side of conversion). */
  orderShare: share,
});
export type SimAgents = z.infer<typeof simAgentsSchema>;

export const simProfileSchema = z
  .strictObject({
    v: z.literal(1),
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a slug'),
    description: z.string().max(1000).optional(),
    /** Shops the customers write to; the bot must answer for each. */
    shops: z.array(shopIdSchema).min(1).max(100),
    /** Questions per real second per shop at level 1 (the "normal rate"). */
    baseRatePerShop: z.number().positive().max(10_000),
    /** Clock time at curve minute 0 (labels and `at` times; events carry the real time). */
    startClock: clockSchema,
    /** Length of the curve in curve minutes. */
    durationMinutes: z.number().positive().max(7 * 1440),
    /** Default compression: curve minutes per real minute (144 plays 24 hours in 10 minutes). */
    speed: z.number().positive().max(100_000),
    /** The daily pattern, interpolated linearly between points and around midnight. */
    levels: z
      .array(simLevelPointSchema)
      .min(1)
      .refine((points) => new Set(points.map((point) => point.clock)).size === points.length, { message: 'each clock time once' }),
    peaks: z.array(simPeakSchema).max(50).default([]),
    /** Share of conversations (and so of questions) per stage. */
    stageMix: simStageMixSchema,
    emotions: simEmotionMixSchema,
    conversation: z.strictObject({
      /** Customer messages per conversation, a greeting and a thank-you included. */
      turns: range(1, 12, true),
      /** Real seconds a customer takes to write the next message after a reply. */
      thinkSeconds: range(0, 600, false),
      /** Conversations that open with a bare greeting (在吗, 你好). */
      greetingShare: share,
      /** Conversations that end with a thank-you after an answer. */
      thanksShare: share,
      /** Known questions asked in their everyday phrasing (the rest in other words: the matcher's work). */
      commonShare: share.default(0.7),
      /** Questions the knowledge base is not meant to answer (new promo rules, new products): the gaps. */
      unknownShare: share,
      /** Conversations in which the customer asks for a human (转人工) at some point. */
      humanRequestShare: share,
      /** Pre-sale conversations started from a product page (the request carries its SKU) or with its link. */
      productShare: share,
    }),
    orders: z.strictObject({
      /** Pre-sale conversations with an answer and no handoff that end in an order. */
      share,
      amountCents: range(1, 100_000_000, true),
    }),
    /** Human agents taking the handoffs; absent: nobody takes them (the bot abandons them after its wait limit). */
    agents: simAgentsSchema.optional(),
  })
  .superRefine((profile, ctx) => {
    const total = profile.stageMix.pre_sale + profile.stageMix.in_sale + profile.stageMix.after_sale;
    if (Math.abs(total - 1) > 0.001) ctx.addIssue({ code: 'custom', path: ['stageMix'], message: `shares must add up to 1 (they add up to ${total})` });
  });
export type SimProfile = z.infer<typeof simProfileSchema>;

const positiveNumber = (max: number) => z.coerce.number().positive().max(max);
const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .transform((value) => value === 'true' || value === '1')
  .default(false);

/**
 * Configuration of the simulator: the environment, with the command-line flags laid over it under the
 * same names (`--bot-url` → SIM_BOT_URL, `--profile` → SIM_PROFILE, …). Every default lives here.
 */
export const simEnvSchema = z.object({
  /** The bot's base URL, e.g. http://127.0.0.1:3100. */
  SIM_BOT_URL: z.url({
    protocol: /^https?$/,
    error: (issue) => (issue.input === undefined ? "required: the bot's URL, e.g. http://127.0.0.1:3100" : undefined),
  }),
  /**
   * The simulator's credential on the bot (one of its BOT_SERVICE_TOKENS): it sets its questions' source and
   * mode, and works the agents' desk, which a customer may not. Unset: for a bot with no credentials.
   */
  SIM_BOT_TOKEN: z.string().min(16).optional(),
  /** A profile name (apps/sim/profiles/<name>.json) or a path to a profile file. */
  SIM_PROFILE: z.string().min(1).default('double11'),
  /** Curve minutes per real minute; unset: the profile's. */
  SIM_SPEED: positiveNumber(100_000).optional(),
  /** Real minutes to run; unset: the profile's duration at this speed (ignored with SIM_LOOP). */
  SIM_MINUTES: positiveNumber(7 * 1440).optional(),
  /** Where on the curve to start: a clock time HH:MM (its first occurrence) or curve minutes. */
  SIM_FROM: z
    .string()
    .regex(/^(([01]\d|2[0-3]):[0-5]\d|\d+(\.\d+)?)$/, 'expected a clock time HH:MM or curve minutes')
    .optional(),
  /** Play the curve over and over until stopped (npm start). */
  SIM_LOOP: flag,
  /** Questions per real second per shop at level 1; unset: the profile's. */
  SIM_BASE_RATE: positiveNumber(10_000).optional(),
  /** Shops to talk to; unset: the profile's. */
  SIM_SHOPS: z
    .string()
    .transform((value) => value.split(',').map((shop) => shop.trim()).filter(Boolean))
    .pipe(z.array(shopIdSchema).min(1, 'name at least one shop'))
    .optional(),
  /** `source` of every request (DESIGN.md): rehearsals are `rehearsal`. */
  SIM_SOURCE: z.enum(['rehearsal', 'live']).default('rehearsal'),
  SIM_SEED: z.coerce.number().int().default(1111),
  /** Pack directory: the SKUs customers ask about. */
  SIM_PACK_DIR: z.string().min(1).default('packs'),
  /** Replays customer messages from this chat-sample.tsv-style file instead of the built-in corpus. */
  SIM_CORPUS: z.string().min(1).optional(),
  /** The last stdout line is the JSON summary. */
  SIM_JSON: flag,
  /** No progress display. */
  SIM_QUIET: flag,
  /** Seconds between progress lines when stderr is not a terminal. */
  SIM_PROGRESS_EVERY: positiveNumber(3600).default(10),
  /** Requests in flight at most; a question due beyond this is skipped and counted. */
  SIM_MAX_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(256),
  /** A request without a reply after this long counts as an error. */
  SIM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /**
   * Replay instead of a rehearsal: the questions of [SIM_REPLAY_FROM, SIM_REPLAY_TO) read through the api
   * (SIM_API_URL, SIM_SERVICE_TOKEN) are asked again at SIM_SPEED× their original pace, as `source: replay`.
   */
  SIM_REPLAY_FROM: z.iso.datetime({ offset: true }).optional(),
  SIM_REPLAY_TO: z.iso.datetime({ offset: true }).optional(),
  /** The source of the questions to replay. */
  SIM_REPLAY_SOURCE: z.enum(['live', 'rehearsal', 'replay']).default('live'),
  SIM_REPLAY_CAMPAIGN: z.string().min(1).max(128).optional(),
  /** The api's base URL, e.g. http://127.0.0.1:3000 (replay). */
  SIM_API_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The api's WARROOM_SERVICE_TOKEN (replay). */
  SIM_SERVICE_TOKEN: z.string().min(16).optional(),
});
export type SimEnv = z.infer<typeof simEnvSchema>;

/** SIM_* settings a replay needs besides SIM_REPLAY_FROM: named in one error when missing. */
export function replayProblems(env: SimEnv): string[] {
  if (env.SIM_REPLAY_FROM === undefined) return [];
  const problems: string[] = [];
  if (env.SIM_REPLAY_TO === undefined) problems.push('SIM_REPLAY_TO: required with SIM_REPLAY_FROM');
  if (env.SIM_API_URL === undefined) problems.push("SIM_API_URL: required to replay: the api's URL, e.g. http://127.0.0.1:3000");
  if (env.SIM_SERVICE_TOKEN === undefined) problems.push("SIM_SERVICE_TOKEN: required to replay: the api's WARROOM_SERVICE_TOKEN");
  return problems;
}

/** Parses the simulator's settings, or throws one ConfigError naming every bad variable or flag. */
export function parseSimConfig(env: Record<string, string | undefined>): SimEnv {
  const parsed = simEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`));
  }
  return parsed.data;
}

const count = z.number().int().nonnegative();

/** Last stdout line of a `--json` run, counted from the bot's replies. */
export const simSummarySchema = z.strictObject({
  questions: count,
  answered: count,
  unmatched: count,
  handoffs: count,
  /** Most replies received within one real second. */
  peakPerSec: count,
});
export type SimSummary = z.infer<typeof simSummarySchema>;

/** The line before it in `--json` runs: everything else the run counted. */
export const simReportSchema = z.strictObject({
  event: z.literal('report'),
  profile: z.string(),
  startedAt: z.iso.datetime(),
  realSeconds: z.number().nonnegative(),
  curveMinutes: z.number().nonnegative(),
  speed: z.number().positive(),
  sessions: count,
  orders: count,
  errors: count,
  skipped: count,
  lastError: z.string().nullable(),
  handoffReasons: z.record(z.string(), count),
  /** Questions per stage, as the bot decided it. */
  stages: z.strictObject({ pre_sale: count, in_sale: count, after_sale: count }),
  emotions: z.record(z.string(), count),
  /** Questions the curve asked for, by the profile, over the time actually run. */
  expectedQuestions: z.number().nonnegative(),
  /** What the simulated agents did; null when the profile has none. */
  agents: z
    .strictObject({
      /** Agents in the roster, and most on shift at once during the run. */
      roster: count,
      peakOnShift: count,
      /** Handed-off customers who started waiting (for the sim's agents). */
      waited: count,
      accepted: count,
      /** Chats ended; those still held when the run stopped are `openAtEnd` (no agent_end yet). */
      ended: count,
      openAtEnd: count,
      abandoned: count,
      flagged: count,
      orders: count,
      /** Mean real seconds from handoff to accept, and from accept to end, of the chats of this run. */
      meanWaitSec: z.number().nonnegative().nullable(),
      meanHandleSec: z.number().nonnegative().nullable(),
      errors: count,
    })
    .nullable(),
});
export type SimReport = z.infer<typeof simReportSchema>;

/** The sim's ready line (stderr): where on the curve real time `startedAt` is. */
export const simReadySchema = z.strictObject({
  event: z.literal('ready'),
  profile: z.string(),
  botUrl: z.string(),
  shops: z.array(shopIdSchema),
  startedAt: z.iso.datetime(),
  fromMinute: z.number().nonnegative(),
  speed: z.number().positive(),
  loop: z.boolean(),
  realMinutes: z.number().positive().nullable(),
  corpus: z.enum(['built-in', 'replay']),
});
export type SimReady = z.infer<typeof simReadySchema>;
