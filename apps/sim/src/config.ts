import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, simProfileSchema, type SimEnv, type SimProfile } from '@warroom/contracts';
import { curveMinuteOfClock } from './curve';

/**
 * The simulator's settings: command-line flags laid over the environment under the SIM_* names, parsed
 * once by `simEnvSchema`; then the profile file, parsed by `simProfileSchema`. Anything wrong is one
 * ConfigError naming every problem (exit 2).
 */

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
    throw new ConfigError(parsed.error.issues.map((issue) => `SIM_PROFILE: ${file}: ${issue.path.join('.') || '(root)'}: ${issue.message}`));
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
