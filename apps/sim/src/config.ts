import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { describeIssues, shopIdSchema } from '@warroom/contracts';
import { z } from 'zod';
import { curveMinuteOfClock } from './curve';
import { simProfileSchema, type SimProfile } from './profile';

/**
 * The simulator's settings: command-line flags laid over the environment under the SIM_* names, parsed
 * once by `simEnvSchema`; then the profile file, parsed by `simProfileSchema`. Anything wrong is one
 * ConfigError naming every problem (exit 2).
 */

/** A bad setting or profile: every problem names its SIM_* variable; main.ts prints them and exits 2. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

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
  /**
   * Simulated trainers (trainers.ts), signed in at SIM_API_URL as these users: `login:password`, comma-separated
   * (npm start passes its demo users). Unset: nobody patches anything.
   */
  SIM_TRAINERS: z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()).filter(Boolean))
    .pipe(
      z.array(
        z
          .string()
          .regex(/^[^:]+:.+$/, 'expected login:password')
          .transform((entry) => ({ login: entry.slice(0, entry.indexOf(':')), password: entry.slice(entry.indexOf(':') + 1) })),
      ),
    )
    .optional(),
  /** Share of the simulated trainers' patches put on the wrong answer, each rolled back by the lead. */
  SIM_TRAINER_WRONG_SHARE: z.coerce.number().min(0).max(1).default(0.1),
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
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  return parsed.data;
}

export const PROFILE_DIR = resolve(__dirname, '../profiles');

const FLAGS = {
  'bot-url': { env: 'SIM_BOT_URL', type: 'string', help: 'the bot, e.g. http://127.0.0.1:3100 (required)' },
  'bot-token': { env: 'SIM_BOT_TOKEN', type: 'string', help: "the simulator's credential on the bot (one of its BOT_SERVICE_TOKENS)" },
  profile: { env: 'SIM_PROFILE', type: 'string', help: 'profile name in apps/sim/profiles, or a file (default double11)' },
  speed: { env: 'SIM_SPEED', type: 'string', help: "curve minutes per real minute (default: the profile's)" },
  minutes: { env: 'SIM_MINUTES', type: 'string', help: 'real minutes to run (default: the whole curve at this speed)' },
  from: { env: 'SIM_FROM', type: 'string', help: 'where on the curve to start: HH:MM or curve minutes (default 0)' },
  loop: { env: 'SIM_LOOP', type: 'boolean', help: 'play the curve over and over until stopped' },
  'base-rate': { env: 'SIM_BASE_RATE', type: 'string', help: "questions per second per shop at level 1 (default: the profile's)" },
  shops: { env: 'SIM_SHOPS', type: 'string', help: "comma-separated shop ids (default: the profile's)" },
  source: { env: 'SIM_SOURCE', type: 'string', help: 'rehearsal (default) or live' },
  seed: { env: 'SIM_SEED', type: 'string', help: 'random seed of the conversations (default 1111)' },
  packs: { env: 'SIM_PACK_DIR', type: 'string', help: 'pack directory with the SKUs (default packs)' },
  corpus: { env: 'SIM_CORPUS', type: 'string', help: 'replay customer messages of a chat-sample.tsv-style file' },
  json: { env: 'SIM_JSON', type: 'boolean', help: 'last stdout line: {"questions","answered","unmatched","handoffs","peakPerSec"}' },
  quiet: { env: 'SIM_QUIET', type: 'boolean', help: 'no progress display' },
  'progress-every': { env: 'SIM_PROGRESS_EVERY', type: 'string', help: 'seconds between progress lines when stderr is no terminal (default 10)' },
  'max-in-flight': { env: 'SIM_MAX_IN_FLIGHT', type: 'string', help: 'requests in flight at most (default 256)' },
  'timeout-ms': { env: 'SIM_TIMEOUT_MS', type: 'string', help: 'a request without a reply after this long is an error (default 10000)' },
  'replay-from': { env: 'SIM_REPLAY_FROM', type: 'string', help: 'replay: ask the questions from this ISO time again (at --speed x their pace)' },
  'replay-to': { env: 'SIM_REPLAY_TO', type: 'string', help: 'replay: … up to this ISO time' },
  'replay-source': { env: 'SIM_REPLAY_SOURCE', type: 'string', help: 'replay: source of the questions to replay (default live)' },
  'replay-campaign': { env: 'SIM_REPLAY_CAMPAIGN', type: 'string', help: "replay: only this campaign's questions" },
  'api-url': { env: 'SIM_API_URL', type: 'string', help: "replay: the api, e.g. http://127.0.0.1:3000" },
  'service-token': { env: 'SIM_SERVICE_TOKEN', type: 'string', help: "replay: the api's WARROOM_SERVICE_TOKEN" },
  trainers: { env: 'SIM_TRAINERS', type: 'string', help: 'simulated trainers at --api-url: login:password,… (they claim, preview and publish)' },
  'trainer-wrong-share': { env: 'SIM_TRAINER_WRONG_SHARE', type: 'string', help: "share of trainers' patches on the wrong answer, rolled back by a lead (default 0.1)" },
} as const;

export const USAGE = [
  'usage: npm run -s sim -- [flags]     (every flag also reads from its SIM_* variable)',
  '',
  ...Object.entries(FLAGS).map(([name, flag]) => `  --${`${name}${flag.type === 'string' ? ' X' : ''}`.padEnd(18)} ${flag.env.padEnd(19)} ${flag.help}`),
  '  --help',
  '',
  'example: SIM_BOT_URL=http://127.0.0.1:3100 npm run -s sim -- --profile double11 --minutes 2 --speed 60 --json',
].join('\n');

/** Names the flag beside each SIM_* variable in a ConfigError's problems. */
export function withFlagNames(error: ConfigError): ConfigError {
  const flagOf = new Map<string, string>(Object.entries(FLAGS).map(([name, flag]) => [flag.env, name]));
  return new ConfigError(
    error.problems.map((problem) => problem.replace(/^(SIM_[A-Z_]+)(?=:)/, (variable: string) => (flagOf.has(variable) ? `${variable} (--${flagOf.get(variable)})` : variable))),
  );
}

/** Flags over the environment, as one SIM_* record; `help` when --help was asked. */
export function settingsFromArgs(argv: readonly string[], env: Record<string, string | undefined>): { help: boolean; settings: Record<string, string | undefined> } {
  const options = Object.fromEntries([
    ...Object.entries(FLAGS).map(([name, flag]) => [name, { type: flag.type }] as const),
    ['help', { type: 'boolean' }] as const,
  ]);
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new ConfigError([`${(error as Error).message} (see --help)`]);
  }
  const settings: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith('SIM_')) settings[key] = value;
  for (const [name, flag] of Object.entries(FLAGS)) {
    const value = values[name];
    if (value !== undefined) settings[flag.env] = typeof value === 'boolean' ? String(value) : value;
  }
  return { help: values.help === true, settings };
}

/** A profile by name (apps/sim/profiles/<name>.json) or path, checked by its schema. */
export function loadProfile(nameOrPath: string): { profile: SimProfile; file: string } {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes('\\');
  if (!isPath && !/^[a-z0-9][a-z0-9_-]{0,63}$/.test(nameOrPath)) {
    throw new ConfigError([`SIM_PROFILE: "${nameOrPath}" is neither a profile name (a slug) nor a .json file`]);
  }
  const file = isPath ? (isAbsolute(nameOrPath) ? nameOrPath : resolve(process.cwd(), nameOrPath)) : resolve(PROFILE_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) throw new ConfigError([`SIM_PROFILE: no profile file ${file}`]);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError([`SIM_PROFILE: ${file}: not JSON: ${(error as Error).message}`]);
  }
  const parsed = simProfileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ConfigError(describeIssues(parsed.error).map((issue) => `SIM_PROFILE: ${file}: ${issue}`));
  }
  return { profile: parsed.data, file };
}

/** What a run does, flags and profile combined. */
export interface SimSetup {
  env: SimEnv;
  profile: SimProfile;
  shops: string[];
  baseRatePerShop: number;
  speed: number;
  fromMinute: number;
  loop: boolean;
  /** Real minutes; null: until stopped. */
  realMinutes: number | null;
}

export function resolveSetup(env: SimEnv, profile: SimProfile): SimSetup {
  const speed = env.SIM_SPEED ?? profile.speed;
  let fromMinute = 0;
  if (env.SIM_FROM !== undefined) {
    fromMinute = env.SIM_FROM.includes(':') ? curveMinuteOfClock(profile.startClock, env.SIM_FROM) : Number(env.SIM_FROM);
  }
  if (fromMinute >= profile.durationMinutes) {
    throw new ConfigError([`SIM_FROM: curve minute ${fromMinute} is past the profile's ${profile.durationMinutes} minutes`]);
  }
  const realMinutes = env.SIM_MINUTES ?? (env.SIM_LOOP ? null : (profile.durationMinutes - fromMinute) / speed);
  return {
    env,
    profile,
    shops: [...new Set(env.SIM_SHOPS ?? profile.shops)],
    baseRatePerShop: env.SIM_BASE_RATE ?? profile.baseRatePerShop,
    speed,
    fromMinute,
    loop: env.SIM_LOOP,
    realMinutes,
  };
}
