import { z } from 'zod';
import { agentsNowSchema } from './agents-now';
import { campaignIdSchema, planPointSchema, promoMomentSchema } from './campaign';
import { EMOTIONS, STAGES, eventSourceSchema, handoffReasonSchema } from './chat-event';
import {
  gapExpiredFrameDataSchema,
  gapMergedFrameDataSchema,
  gapSchema,
  gapsFrameDataSchema,
  gapSubscriptionSchema,
  timeToPatchSchema,
} from './gaps';
import { systemStatusSchema } from './system-status';

/**
 * Live metrics: what the wall, the WebSocket gateway and `GET /api/metrics/snapshot` share. The exact
 * definitions are DESIGN.md's "Metrics"; where a figure needed a choice DESIGN.md leaves open, the field's
 * comment says which.
 */

export const WINDOWS = ['1m', '5m', '15m', '60m', 'campaign'] as const;
export const windowSchema = z.enum(WINDOWS);
export type MetricsWindow = z.infer<typeof windowSchema>;
export const WINDOW_MINUTES: Record<Exclude<MetricsWindow, 'campaign'>, number> = {
  '1m': 1,
  '5m': 5,
  '15m': 15,
  '60m': 60,
};

/** How many answers `topQuestions` lists, and how many texts `newestUnmatched` carries. */
export const TOP_QUESTIONS_LIMIT = 10;
export const NEWEST_UNMATCHED_LIMIT = 10;

/** `all` is every shop together. */
export const shopSelectorSchema = z.string().regex(/^(all|[A-Za-z0-9_.-]{1,128})$/, 'a shop id or "all"');

export const snapshotQuerySchema = z.strictObject({
  shop: shopSelectorSchema.default('all'),
  window: windowSchema.default('5m'),
  source: eventSourceSchema.default('live'),
});
export type SnapshotQuery = z.infer<typeof snapshotQuerySchema>;

const instant = z.iso.datetime({ offset: true });
const count = z.number().int().nonnegative();
/** A share or rate in [0, 1]; null when its denominator is 0 (no data is not 0 %). */
const fraction = z.number().min(0).max(1).nullable();

/** Stage of a question; `unspecified` counts questions that carried none. */
export const SNAPSHOT_STAGES = [...STAGES, 'unspecified'] as const;

export const reasonFiguresSchema = z.strictObject({
  count,
  /** count / botModeQuestions. */
  rate: fraction,
});

export const topQuestionSchema = z.strictObject({
  /** For links and tests only: screens show `wording` and `title`, never the id (DESIGN.md). */
  answerId: z.string().min(1),
  /**
   * The customers' own most asked wording of the questions it answered in the window, PII-masked; null
   * while it is being read.
   */
  wording: z.string().max(2000).nullable(),
  /** The answer's title: its first example question as the shop's knowledge base holds it now; null if unknown. */
  title: z.string().max(200).nullable(),
  /** Questions answered with this answer in the window (any mode). */
  count,
  /** count / questions (all questions in the window). */
  share: fraction,
  /** The same count over the previous window of the same length, ending where this one starts. */
  previousCount: count,
  /** (count − previousCount) / previousCount; null when previousCount is 0. */
  trend: z.number().min(-1).nullable(),
  /**
   * The answer's own hit rate: bot-mode questions answered with it / bot-mode questions whose best
   * candidate it was (answered or not), like the overall hit rate, which counts bot mode only.
   */
  hitRate: fraction,
});
export type TopQuestion = z.infer<typeof topQuestionSchema>;

export const unmatchedQuerySchema = z.strictObject({
  eventId: z.string().min(1),
  eventTime: instant,
  shopId: z.string().min(1),
  /** The customer's text with phone numbers, order ids, addresses and ID numbers masked. */
  text: z.string(),
  outcome: z.enum(['unmatched', 'handoff']),
  /** `no_match` for a handoff; null for `unmatched`. */
  handoffReason: handoffReasonSchema.nullable(),
  /** Best candidate below the threshold; null when the knowledge base had none. */
  bestCandidateId: z.string().min(1).nullable(),
});
export type UnmatchedQuery = z.infer<typeof unmatchedQuerySchema>;

export const emotionFiguresSchema = z.strictObject({
  count,
  /** count / questions. */
  share: fraction,
  /** Mean intensity (0–1) of these questions; null when count is 0. */
  meanIntensity: fraction,
});

export const conversionSideSchema = z.strictObject({
  sessions: count,
  /** Sessions with an order within 24 h of their first question in the window. */
  converted: count,
  /** converted / sessions. */
  rate: fraction,
});

/**
 * One side of outreach over a range (DESIGN.md "Outreach"; attribution as `outreach-metrics.ts` says): the
 * bot's outreach messages, or the agents' follow-ups.
 */
export const outreachSideSchema = z.strictObject({
  /** Touches in the range: outreach messages sent, or follow-ups done. */
  touches: count,
  /** Distinct sessions (shop, session id) touched in the range. */
  sessions: count,
  /** Sessions with an order attributed to one of their touches. */
  converted: count,
  /** converted / sessions. */
  rate: fraction,
  /** Orders attributed to the side's touches, and their amount in cents. */
  orders: count,
  amountCents: count,
});
export type OutreachSide = z.infer<typeof outreachSideSchema>;

/** The wall's outreach tile: reached by the bot / followed up by agents, touches in the snapshot's window. */
export const liveOutreachSchema = z.strictObject({
  /** The watermark it was computed at: a live view refreshes it in the background, as conversion. */
  asOf: instant,
  bot: outreachSideSchema,
  agent: outreachSideSchema,
  /** Follow-ups opened in the window that no agent has done yet. */
  followUpsOpen: count,
});
export type LiveOutreach = z.infer<typeof liveOutreachSchema>;

/** The plan's trend in a snapshot: one point a minute, from this many minutes before the window's end… */
export const PLAN_TREND_PAST_MINUTES = 20;
/** …to this many after it, so the wall sees a rush coming. */
export const PLAN_TREND_AHEAD_MINUTES = 10;

/**
 * The campaign a snapshot belongs to: the campaign of the snapshot's source running at asOf (for one
 * shop, a campaign of that shop). What the wall needs of it: where the night stands and the plan.
 */
export const snapshotCampaignSchema = z.strictObject({
  id: campaignIdSchema,
  name: z.string(),
  startsAt: instant,
  endsAt: instant,
  /** The newest promo moment at or before asOf; null before the first. */
  currentMoment: promoMomentSchema.nullable(),
  /** The first promo moment after asOf; null after the last. */
  nextMoment: promoMomentSchema.nullable(),
  /**
   * The plan's mean over the snapshot's window, comparable with `questionsPerMinute`; null where the
   * plan does not reach (it counts only the part of the window the plan covers).
   */
  planQuestionsPerMinute: z.number().nonnegative().nullable(),
  /**
   * The same figure on whole minutes from PLAN_TREND_PAST_MINUTES before the window's end to
   * PLAN_TREND_AHEAD_MINUTES after it, each over a window of this snapshot's kind ending at that minute:
   * the ghost line beside the questions-per-minute trend. Minutes the plan does not reach are left out.
   */
  planTrend: z.array(planPointSchema).max(PLAN_TREND_PAST_MINUTES + PLAN_TREND_AHEAD_MINUTES + 1),
});
export type SnapshotCampaign = z.infer<typeof snapshotCampaignSchema>;

export const liveSnapshotSchema = z.strictObject({
  /** Low watermark: every event up to this time that reached the broker is counted. */
  asOf: instant,
  shop: shopSelectorSchema,
  window: windowSchema,
  source: eventSourceSchema,
  /**
   * The window is [windowStart, windowEnd) by event time, in whole seconds (the rollups' bucket):
   * windowEnd is the end of asOf's second, windowStart is windowEnd minus the window's length (for
   * `campaign`, the campaign's start, rounded down to the second).
   */
  windowStart: instant,
  windowEnd: instant,
  /** Every question in the window, both modes. */
  questions: count,
  /** Questions the bot handled alone (bot mode): the denominator of the hit rate and handoff rates. */
  botModeQuestions: count,
  /** Bot-mode questions answered. */
  answered: count,
  /** answered / botModeQuestions; null when there was no bot-mode question in the window. */
  hitRate: fraction,
  /** questions / the window's length in minutes. */
  questionsPerMinute: z.number().nonnegative(),
  modes: z.strictObject({ bot: count, assist: count }),
  stages: z.record(z.enum(SNAPSHOT_STAGES), count),
  /** Questions with outcome `unmatched`, or `handoff` with reason `no_match` (any mode). */
  unmatchedQueries: count,
  /** unmatchedQueries / questions. */
  unmatchedShare: fraction,
  /**
   * Bot-mode questions handed off to a human, in total and by reason, each as a count and as a rate of
   * botModeQuestions. Every question has one outcome, so for bot mode: answered + unmatched + handoffs
   * = botModeQuestions.
   */
  handoffs: z.strictObject({
    count,
    rate: fraction,
    byReason: z.record(handoffReasonSchema, reasonFiguresSchema),
  }),
  /** The answers asked most (count descending, then answerId), at most TOP_QUESTIONS_LIMIT. */
  topQuestions: z.array(topQuestionSchema).max(TOP_QUESTIONS_LIMIT),
  /** The newest unmatched queries by event time (newest first), at most NEWEST_UNMATCHED_LIMIT. */
  newestUnmatched: z.array(unmatchedQuerySchema).max(NEWEST_UNMATCHED_LIMIT),
  /** Every emotion, both modes: share of the window's questions and mean intensity. */
  emotions: z.record(z.enum(EMOTIONS), emotionFiguresSchema),
  /**
   * Sessions with a question in the window, split by whether they had a handoff (a question handed off
   * or a handoff event): `bot` without one, `agent` with one. A session converted when it has an order
   * at or after its first question in the window and no more than 24 h after it. It scans raw events,
   * so a live view refreshes it less often than the rest: `asOf` is the watermark it was computed at.
   */
  conversion: z.strictObject({ asOf: instant, bot: conversionSideSchema, agent: conversionSideSchema }),
  /** What outreach earned: the bot's messages and the agents' follow-ups of the window, with their attributed orders. */
  outreach: liveOutreachSchema,
  /** Time-to-patch (first seen → verified) over the gaps of this source (and shop) verified in the running campaign, or the last 24 h. */
  timeToPatch: timeToPatchSchema,
  /** Human agents needed now, with the bot and without it, over the last 15 minutes (see agents-now.ts). */
  agentsNow: agentsNowSchema,
  /** The running campaign of this source (and shop); null when none runs at asOf. */
  campaign: snapshotCampaignSchema.nullable(),
});
export type LiveSnapshot = z.infer<typeof liveSnapshotSchema>;
export type ConversionFigures = LiveSnapshot['conversion'];

/** Frames the server sends, `{event, data}` as Nest's WsAdapter writes them. */
export const serverFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('snapshot'), data: liveSnapshotSchema }),
  z.strictObject({
    event: z.literal('heartbeat'),
    data: z.strictObject({ asOf: instant, serverTime: instant }),
  }),
  z.strictObject({ event: z.literal('error'), data: z.strictObject({ message: z.string() }) }),
  z.strictObject({ event: z.literal('gaps'), data: gapsFrameDataSchema }),
  z.strictObject({ event: z.literal('gap'), data: gapSchema }),
  z.strictObject({ event: z.literal('gap_merged'), data: gapMergedFrameDataSchema }),
  z.strictObject({ event: z.literal('gap_expired'), data: gapExpiredFrameDataSchema }),
  /** The parts' health: sent after each subscribe, then whenever it changes (also while no snapshot can be computed). */
  z.strictObject({ event: z.literal('system_status'), data: systemStatusSchema }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerEventMap = { [F in ServerFrame as F['event']]: F['data'] };

/** Frames a client sends. */
export const clientFrameSchema = z.discriminatedUnion('event', [
  z.strictObject({ event: z.literal('subscribe'), data: snapshotQuerySchema }),
  z.strictObject({ event: z.literal('subscribe_gaps'), data: gapSubscriptionSchema }),
]);
export type ClientFrame = z.infer<typeof clientFrameSchema>;

/**
 * How a client presents its token to `/live`: browsers cannot set headers on a WebSocket, and a token in the
 * URL ends up in access logs, proxies and browser history. So it rides in the `Sec-WebSocket-Protocol`
 * header as a second subprotocol, `warroom.token.<base64url of the token>`, after `warroom.live`, which is the
 * one the server selects (a token is never echoed back). A wall's read-only kiosk token may still come as
 * `?token=` (it is in the wall page's own URL anyway); a session token may not.
 */
export const LIVE_PROTOCOL = 'warroom.live';
const LIVE_TOKEN_PROTOCOL_PREFIX = 'warroom.token.';

/** The subprotocols to open `/live` with: `new WebSocket(url, liveProtocols(token))`. */
export function liveProtocols(token: string): [string, string] {
  let binary = '';
  for (const byte of new TextEncoder().encode(token)) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [LIVE_PROTOCOL, `${LIVE_TOKEN_PROTOCOL_PREFIX}${base64url}`];
}

/**
 * The token among the subprotocols a client offered (the `Sec-WebSocket-Protocol` header, comma-separated),
 * or null when none carries one. An offered token that does not decode is reported, not guessed at.
 */
export function tokenFromLiveProtocols(header: string | undefined): { token: string } | { error: string } | null {
  if (header === undefined) return null;
  const offered = header
    .split(',')
    .map((protocol) => protocol.trim())
    .find((protocol) => protocol.startsWith(LIVE_TOKEN_PROTOCOL_PREFIX));
  if (offered === undefined) return null;
  const encoded = offered.slice(LIVE_TOKEN_PROTOCOL_PREFIX.length);
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) return { error: `the ${LIVE_TOKEN_PROTOCOL_PREFIX} subprotocol must carry the token in base64url` };
  try {
    const binary = atob(encoded.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
    return { token: new TextDecoder('utf-8', { fatal: true }).decode(bytes) };
  } catch {
    // atob rejects a length no encoder produces; the decoder rejects bytes that are not UTF-8.
    return { error: `the ${LIVE_TOKEN_PROTOCOL_PREFIX} subprotocol does not decode to a token` };
  }
}
