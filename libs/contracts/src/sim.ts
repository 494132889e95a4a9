import { z } from 'zod';
import { shopIdSchema } from './kb-pack';

/**
 * What the rehearsal simulator (apps/sim) tells the programs that run it (npm start, the rehearsal-campaign
 * script, tests, benches): its ready line on stderr and, with `--json`, its last two stdout lines. Its
 * profile format and settings are apps/sim's own (`profile.ts`, `config.ts`).
 */

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
