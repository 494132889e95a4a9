import { z } from 'zod';
import { eventSourceSchema } from './chat-event';
import { shopSelectorSchema } from './live';

/**
 * Staffing reports (DESIGN.md "Roles": managers): per 15-minute or 1-hour interval, how many human agents
 * the traffic needs with the bot and without it, what the roster on shift reaches, and what more hit rate
 * would save. What `GET|POST /api/reports/staffing` and its `.csv` twin take, and what the JSON returns.
 *
 * Inputs, measured from `chat_events` per interval (a session is a shop's session id):
 * - conversations: sessions with a question in the range, counted in the interval of their first question;
 * - handoffs: sessions handed to a human in the range (a `handoff` event, or a question whose outcome is
 *   `handoff`, any reason), counted once, in the interval of the first such event;
 * - handled chats and AHT: sessions with an `agent_accept` in the range and an `agent_end` at or after it;
 *   handling time = first `agent_end` at or after the first `agent_accept` − that accept; counted in the
 *   interval of the accept. An end up to 12 h after the range still closes a chat accepted in it;
 * - abandons: sessions with an `abandon` event, counted once, in the interval of the first;
 * - hit rate: answered / bot-mode questions (DESIGN.md's definition), questions counted in their interval.
 */

export const STAFFING_INTERVALS = ['15m', '1h'] as const;
export const staffingIntervalSchema = z.enum(STAFFING_INTERVALS);
export type StaffingInterval = z.infer<typeof staffingIntervalSchema>;
export const STAFFING_INTERVAL_MS: Record<StaffingInterval, number> = { '15m': 15 * 60_000, '1h': 3_600_000 };

/**
 * At most this many intervals per range: 31 days of hours, 7¾ days of quarter-hours. Each interval costs
 * a few Erlang searches on the api's event loop (under a millisecond each at 10,000 chats an hour with
 * Erlang C, a few with Erlang A), so the cap bounds a report's CPU time.
 */
export const MAX_REPORT_INTERVALS = 31 * 24;
/** The "what if the hit rate were higher" scenarios, in percentage points. */
export const WHAT_IF_HIT_RATE_POINTS = [1, 5] as const;
export const MAX_ROSTER_AGENTS = 100_000;
/** Longest roster CSV accepted, characters (a month of 15-minute lines is ~100 kB). */
export const MAX_ROSTER_CSV_CHARS = 500_000;

export const STAFFING_DEFAULTS = {
  interval: '1h',
  serviceLevel: 0.8,
  withinSec: 20,
  concurrency: 3,
  shrinkage: 0.3,
} as const;

const instant = z.iso.datetime({ offset: true });

/**
 * A number from a query string or a JSON body. Unlike `z.coerce.number()` alone, empty or blank text is an
 * error, not 0.
 */
function numberParam<S extends z.ZodType<number, number>>(schema: S) {
  const text = z.string().regex(/^\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*$/, 'expected a number');
  return z.union([z.number(), text.pipe(z.coerce.number())], { error: 'expected a number' }).pipe(schema);
}

/**
 * The query fields. Numbers are coerced because they arrive as query-string text; the same schema parses
 * a JSON body. Fractions are 0–1, never percentages.
 */
const queryShape = {
  shop: shopSelectorSchema.default('all'),
  source: eventSourceSchema.default('live'),
  /** Start of the range, inclusive: on an interval boundary (epoch multiple of the interval). */
  from: instant,
  /** End of the range, exclusive: on an interval boundary. */
  to: instant,
  interval: staffingIntervalSchema.default(STAFFING_DEFAULTS.interval),
  /** Target share of handed-off chats answered within `withinSec`. */
  serviceLevel: numberParam(z.number().gt(0).lt(1)).default(STAFFING_DEFAULTS.serviceLevel),
  withinSec: numberParam(z.number().min(0).max(3600)).default(STAFFING_DEFAULTS.withinSec),
  /** Chats an agent handles at once. */
  concurrency: numberParam(z.number().int().min(1).max(20)).default(STAFFING_DEFAULTS.concurrency),
  /** Share of time on shift not on chat (breaks, training): agents on shift = on chat / (1 − shrinkage). */
  shrinkage: numberParam(z.number().min(0).lt(1)).default(STAFFING_DEFAULTS.shrinkage),
  /** Mean patience of a waiting customer, seconds: given, Erlang A (customers abandon); absent, Erlang C. */
  patienceSec: numberParam(z.number().positive().max(86_400)).optional(),
  /** Handling time to plan with instead of the measured one, seconds. */
  ahtSec: numberParam(z.number().positive().max(86_400)).optional(),
  /** A previous range (the last campaign) reported beside this one: both or neither, on interval boundaries. */
  compareFrom: instant.optional(),
  compareTo: instant.optional(),
};

type QueryFields = z.infer<z.ZodObject<typeof queryShape>>;

function checkRange(
  ctx: z.RefinementCtx,
  fromIso: string,
  toIso: string,
  stepMs: number,
  paths: { from: string; to: string },
): void {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  // An unparsable time already has its own issue.
  if (Number.isNaN(from) || Number.isNaN(to)) return;
  if (from % stepMs !== 0) {
    ctx.addIssue({ code: 'custom', path: [paths.from], message: `must start an interval (a multiple of ${stepMs / 60_000} minutes)` });
  }
  if (to % stepMs !== 0) {
    ctx.addIssue({ code: 'custom', path: [paths.to], message: `must end an interval (a multiple of ${stepMs / 60_000} minutes)` });
  }
  if (to <= from) {
    ctx.addIssue({ code: 'custom', path: [paths.to], message: `must be after ${paths.from}` });
  } else if ((to - from) / stepMs > MAX_REPORT_INTERVALS) {
    ctx.addIssue({ code: 'custom', path: [paths.to], message: `the range may hold at most ${MAX_REPORT_INTERVALS} intervals` });
  }
}

function checkQuery(query: QueryFields, ctx: z.RefinementCtx): void {
  // Refinements run even when a field failed: an unknown interval already has its own issue.
  const stepMs = STAFFING_INTERVAL_MS[query.interval] as number | undefined;
  if (stepMs === undefined) return;
  checkRange(ctx, query.from, query.to, stepMs, { from: 'from', to: 'to' });
  if ((query.compareFrom === undefined) !== (query.compareTo === undefined)) {
    const missing = query.compareFrom === undefined ? 'compareFrom' : 'compareTo';
    ctx.addIssue({ code: 'custom', path: [missing], message: 'compareFrom and compareTo go together' });
  } else if (query.compareFrom !== undefined && query.compareTo !== undefined) {
    checkRange(ctx, query.compareFrom, query.compareTo, stepMs, { from: 'compareFrom', to: 'compareTo' });
  }
}

/** `GET /api/reports/staffing` and `GET /api/reports/staffing.csv`: the query string. */
export const staffingQuerySchema = z.strictObject(queryShape).superRefine(checkQuery);
export type StaffingQuery = z.infer<typeof staffingQuerySchema>;

/** Agents on shift in one interval of the range. */
export const rosterEntrySchema = z.strictObject({
  intervalStart: instant,
  agents: z.number().int().min(0).max(MAX_ROSTER_AGENTS),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

export interface RosterCsvLine extends RosterEntry {
  /** 1-based line number in the CSV text. */
  line: number;
}

export interface RosterCsvParse {
  entries: RosterCsvLine[];
  problems: { line: number; message: string }[];
}

const ROSTER_CSV_HEADER = 'interval_start,agents';

/**
 * Parses roster CSV: `interval_start,agents` lines (ISO time with offset, whole agents on shift), an
 * optional header line `interval_start,agents`, blank lines ignored. Every bad line is reported with its
 * 1-based number; nothing is thrown.
 */
export function parseRosterCsv(text: string): RosterCsvParse {
  const entries: RosterCsvLine[] = [];
  const problems: RosterCsvParse['problems'] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  let seenContent = false;
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.trim();
    if (content === '') return;
    const first = !seenContent;
    seenContent = true;
    if (first && content.replace(/\s+/g, '').toLowerCase() === ROSTER_CSV_HEADER) return;
    const fields = content.split(',').map((field) => field.trim());
    if (fields.length !== 2) {
      problems.push({ line, message: `line ${line}: expected 2 fields "${ROSTER_CSV_HEADER}", got ${fields.length}` });
      return;
    }
    const [start = '', agentsText = ''] = fields;
    const startOk = instant.safeParse(start).success;
    if (!startOk) {
      problems.push({ line, message: `line ${line}: interval_start "${start}" is not an ISO time with offset (e.g. 2026-11-11T00:00:00+08:00)` });
    }
    const agents = /^\d{1,9}$/.test(agentsText) ? Number(agentsText) : Number.NaN;
    const agentsOk = Number.isInteger(agents) && agents <= MAX_ROSTER_AGENTS;
    if (!agentsOk) {
      problems.push({ line, message: `line ${line}: agents "${agentsText}" must be a whole number from 0 to ${MAX_ROSTER_AGENTS}` });
    }
    if (startOk && agentsOk) entries.push({ line, intervalStart: start, agents });
  });
  return { entries, problems };
}

const requestShape = {
  ...queryShape,
  /**
   * Agents on shift per interval; intervals without an entry have no roster figures. Without `roster` and
   * `rosterCsv`, the roster stored for the shop, source and interval (PUT /api/reports/roster) is used.
   */
  roster: z.array(rosterEntrySchema).max(MAX_REPORT_INTERVALS).optional(),
  /** The same as CSV text (`interval_start,agents` lines), e.g. an uploaded file. Not with `roster`. */
  rosterCsv: z.string().max(MAX_ROSTER_CSV_CHARS).optional(),
};

type RequestFields = z.infer<z.ZodObject<typeof requestShape>>;

/** Each entry on an interval start inside [from, to), each interval at most once. */
function checkRosterEntries(
  query: QueryFields,
  entries: { intervalStart: string; path: (string | number)[]; where: string }[],
  ctx: z.RefinementCtx,
): void {
  const stepMs = STAFFING_INTERVAL_MS[query.interval] as number | undefined;
  const from = Date.parse(query.from);
  const to = Date.parse(query.to);
  if (stepMs === undefined || Number.isNaN(from) || Number.isNaN(to)) return;
  const seen = new Map<number, string>();
  for (const entry of entries) {
    const start = Date.parse(entry.intervalStart);
    if (start % stepMs !== 0 || start < from || start >= to) {
      ctx.addIssue({
        code: 'custom',
        path: entry.path,
        message: `${entry.where}: interval_start ${entry.intervalStart} is not the start of a ${query.interval} interval in [from, to)`,
      });
      continue;
    }
    const previous = seen.get(start);
    if (previous === undefined) seen.set(start, entry.where);
    else ctx.addIssue({ code: 'custom', path: entry.path, message: `${entry.where}: interval ${entry.intervalStart} repeats ${previous}` });
  }
}

function checkRequest(request: RequestFields, ctx: z.RefinementCtx): void {
  checkQuery(request, ctx);
  if (request.roster !== undefined && request.rosterCsv !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['rosterCsv'], message: 'send roster or rosterCsv, not both' });
    return;
  }
  if (request.roster !== undefined) {
    const entries = request.roster.map((entry, index) => ({
      intervalStart: entry.intervalStart,
      path: ['roster', index, 'intervalStart'],
      where: `roster entry ${index}`,
    }));
    checkRosterEntries(request, entries, ctx);
  }
  if (request.rosterCsv !== undefined) {
    const parsed = parseRosterCsv(request.rosterCsv);
    for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', path: ['rosterCsv', problem.line], message: problem.message });
    const entries = parsed.entries.map((entry) => ({
      intervalStart: entry.intervalStart,
      path: ['rosterCsv', entry.line],
      where: `line ${entry.line}`,
    }));
    checkRosterEntries(request, entries, ctx);
  }
}

/** `POST /api/reports/staffing` and `POST /api/reports/staffing.csv`: the query plus a roster, as JSON. */
export const staffingReportRequestSchema = z.strictObject(requestShape).superRefine(checkRequest);
export type StaffingReportRequest = z.infer<typeof staffingReportRequestSchema>;

/** Most roster entries one upload may carry: 31 days of quarter-hours. */
export const MAX_STORED_ROSTER_ENTRIES = 31 * 24 * 4;

/**
 * `PUT /api/reports/roster` (service token): stores agents on shift per interval for a shop (or `all`) and
 * source; an interval uploaded again is replaced. Reports without a roster of their own use the stored
 * one, and the wall's "agents needed now" shows who is on shift from it.
 */
export const rosterUploadSchema = z
  .strictObject({
    shop: shopSelectorSchema.default('all'),
    source: eventSourceSchema.default('live'),
    interval: staffingIntervalSchema,
    roster: z.array(rosterEntrySchema).min(1).max(MAX_STORED_ROSTER_ENTRIES).optional(),
    rosterCsv: z.string().max(MAX_ROSTER_CSV_CHARS * 4).optional(),
  })
  .superRefine((upload, ctx) => {
    if ((upload.roster === undefined) === (upload.rosterCsv === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['roster'], message: 'send roster or rosterCsv (one of them)' });
      return;
    }
    const stepMs = STAFFING_INTERVAL_MS[upload.interval] as number | undefined;
    if (stepMs === undefined) return;
    const entries =
      upload.roster?.map((entry, index) => ({ intervalStart: entry.intervalStart, path: ['roster', index, 'intervalStart'], where: `roster entry ${index}` })) ?? [];
    if (upload.rosterCsv !== undefined) {
      const parsed = parseRosterCsv(upload.rosterCsv);
      for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', path: ['rosterCsv', problem.line], message: problem.message });
      if (parsed.entries.length === 0 && parsed.problems.length === 0) ctx.addIssue({ code: 'custom', path: ['rosterCsv'], message: 'no roster line' });
      if (parsed.entries.length > MAX_STORED_ROSTER_ENTRIES) ctx.addIssue({ code: 'custom', path: ['rosterCsv'], message: `at most ${MAX_STORED_ROSTER_ENTRIES} lines` });
      entries.push(...parsed.entries.map((entry) => ({ intervalStart: entry.intervalStart, path: ['rosterCsv', entry.line], where: `line ${entry.line}` })));
    }
    const seen = new Map<number, string>();
    for (const entry of entries) {
      const start = Date.parse(entry.intervalStart);
      if (start % stepMs !== 0) {
        ctx.addIssue({ code: 'custom', path: entry.path, message: `${entry.where}: ${entry.intervalStart} does not start a ${upload.interval} interval` });
        continue;
      }
      const previous = seen.get(start);
      if (previous === undefined) seen.set(start, entry.where);
      else ctx.addIssue({ code: 'custom', path: entry.path, message: `${entry.where}: interval ${entry.intervalStart} repeats ${previous}` });
    }
  });
export type RosterUpload = z.infer<typeof rosterUploadSchema>;

export const rosterStoredSchema = z.strictObject({ stored: z.number().int().nonnegative() });
export type RosterStored = z.infer<typeof rosterStoredSchema>;

const count = z.number().int().nonnegative();
/** A share in [0, 1]; null when its denominator is 0 or a figure it needs is unknown. */
const fraction = z.number().min(0).max(1).nullable();
/** Agents; null when the handling time needed to compute them is unknown. */
const agents = z.number().int().nonnegative().nullable();

/** The agents one stream of chats to humans needs to meet the target. */
export const staffingDemandSchema = z.strictObject({
  /** Chats offered to humans per hour during the interval. */
  chatsPerHour: z.number().nonnegative(),
  /** Fewest agents on chat meeting the target; 0 without traffic. */
  agentsOnChat: agents,
  /** agentsOnChat grossed up for shrinkage, ⌈onChat / (1 − shrinkage)⌉: the agents to have on shift. */
  agentsScheduled: agents,
  /**
   * The same need as a continuous quantity (libs/staffing `agentsScheduledFractional`): interpolated between
   * whole agents in the same Erlang model, so sums over intervals show what small changes of load are worth.
   */
  agentsScheduledFractional: z.number().nonnegative().nullable(),
  /** Service level agentsOnChat reach (≥ the target); null without traffic or handling time. */
  serviceLevel: fraction,
});
export type StaffingDemand = z.infer<typeof staffingDemandSchema>;

/**
 * The interval had the hit rate been `hitRatePoints` points higher. Model: the bot's misses (bot-mode
 * questions not answered) fall from 1 − h to 1 − h − p/100 (not below 0), and handoffs fall in the same
 * proportion; every handoff reason is assumed to follow the misses alike.
 */
export const whatIfSchema = z.strictObject({
  hitRatePoints: z.number().int().positive(),
  /** min(1, hit rate + p/100); null when the interval had no bot-mode question (then nothing changes). */
  hitRate: fraction,
  /** Expected handoffs (not whole). */
  handoffs: z.number().nonnegative(),
  /** With the bot, at these handoffs. */
  agentsScheduled: agents,
  /**
   * withBot's fractional agents scheduled − this scenario's (not whole: a point of hit rate rarely saves a
   * whole agent in one interval, and whole agents would show 0 everywhere).
   */
  agentsSaved: z.number().nullable(),
});
export type WhatIf = z.infer<typeof whatIfSchema>;

/** What the agents on shift reach with the interval's handoffs (Erlang C, or A with a patience). */
export const rosterFiguresSchema = z.strictObject({
  onShift: count,
  /** ⌊onShift × (1 − shrinkage)⌋: those actually on chat. */
  onChat: count,
  /** Share of handoffs answered within the threshold; null without handoffs or handling time. */
  serviceLevel: fraction,
  /** Mean wait of answered chats, seconds; null when unknown or without bound (too few agents). */
  asaSec: z.number().nonnegative().nullable(),
  occupancy: fraction,
  /** Share of handoffs that give up waiting: Erlang A only, else null. */
  abandonRate: fraction,
  /** serviceLevel ≥ the target; null when serviceLevel is null. */
  meetsTarget: z.boolean().nullable(),
});
export type RosterFigures = z.infer<typeof rosterFiguresSchema>;

export const AHT_BASES = ['interval', 'range', 'override', 'none'] as const;

export const staffingIntervalRowSchema = z.strictObject({
  intervalStart: instant,
  intervalEnd: instant,
  conversations: count,
  handoffs: count,
  /** handoffs / conversations. */
  handoffRate: z.number().nonnegative().nullable(),
  botQuestions: count,
  botAnswered: count,
  /** botAnswered / botQuestions. */
  hitRate: fraction,
  handledChats: count,
  /** Mean handling time of the chats accepted in this interval, seconds; null when none. */
  ahtSec: z.number().nonnegative().nullable(),
  /** Handling time the staffing figures use: this interval's, else the range's, else none. */
  ahtUsedSec: z.number().positive().nullable(),
  /** Where ahtUsedSec comes from: this interval, the whole range, the `ahtSec` parameter, or nowhere. */
  ahtBasis: z.enum(AHT_BASES),
  abandons: count,
  /** Handoffs only go to humans. */
  withBot: staffingDemandSchema,
  /** Every conversation goes to humans at the same handling time. */
  withoutBot: staffingDemandSchema,
  /** withoutBot.agentsScheduled − withBot.agentsScheduled. */
  agentsSavedByBot: z.number().int().nullable(),
  /** null when the roster has no entry for this interval. */
  roster: rosterFiguresSchema.nullable(),
  /** One per WHAT_IF_HIT_RATE_POINTS, in that order. */
  whatIf: z.array(whatIfSchema),
});
export type StaffingIntervalRow = z.infer<typeof staffingIntervalRowSchema>;

export const staffingTotalsSchema = z.strictObject({
  conversations: count,
  handoffs: count,
  handoffRate: z.number().nonnegative().nullable(),
  botQuestions: count,
  botAnswered: count,
  hitRate: fraction,
  handledChats: count,
  /** Mean handling time over every chat accepted in the range, seconds. */
  ahtSec: z.number().nonnegative().nullable(),
  abandons: count,
  /** abandons / handoffs. */
  abandonRate: z.number().nonnegative().nullable(),
  /** Intervals whose agents are unknown (no handling time): the sums below leave them out. */
  intervalsWithoutAht: count,
  peakAgentsWithBot: agents,
  peakAgentsWithoutBot: agents,
  /** Σ agentsScheduled × interval length in hours. */
  agentHoursWithBot: z.number().nonnegative(),
  agentHoursWithoutBot: z.number().nonnegative(),
  /** Σ agents on shift × hours over the intervals of the roster; null without a roster. */
  rosterAgentHours: z.number().nonnegative().nullable(),
  /** Intervals of the roster whose service level misses the target; null without a roster. */
  intervalsBelowTarget: count.nullable(),
  whatIf: z.array(z.strictObject({ hitRatePoints: z.number().int().positive(), agentHoursSaved: z.number() })),
});
export type StaffingTotals = z.infer<typeof staffingTotalsSchema>;

export const staffingRangeReportSchema = z.strictObject({
  from: instant,
  to: instant,
  intervals: z.array(staffingIntervalRowSchema),
  totals: staffingTotalsSchema,
});
export type StaffingRangeReport = z.infer<typeof staffingRangeReportSchema>;

export const staffingReportSchema = z.strictObject({
  generatedAt: instant,
  /**
   * Low watermark (as the wall's): every event that reached the broker before it is counted. Intervals
   * after it may still grow. Null when ingest could not be seen caught up while the report was computed
   * (ingest lagging or Kafka unreachable): then no interval is known to be complete.
   */
  asOf: instant.nullable(),
  shop: shopSelectorSchema,
  source: eventSourceSchema,
  interval: staffingIntervalSchema,
  assumptions: z.strictObject({
    serviceLevel: z.number().gt(0).lt(1),
    withinSec: z.number().nonnegative(),
    concurrency: z.number().int().positive(),
    shrinkage: z.number().min(0).lt(1),
    patienceSec: z.number().positive().nullable(),
    ahtOverrideSec: z.number().positive().nullable(),
    model: z.enum(['erlang-c', 'erlang-a']),
  }),
  current: staffingRangeReportSchema,
  /** The comparison range (compareFrom/compareTo), without roster; null when not asked for. */
  previous: staffingRangeReportSchema.nullable(),
});
export type StaffingReport = z.infer<typeof staffingReportSchema>;

/** Body of a 400 from the api's validation pipe: every failing path with its message. */
export const badRequestBodySchema = z.object({
  message: z.union([z.string(), z.array(z.string())]),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type BadRequestBody = z.infer<typeof badRequestBodySchema>;
