/**
 * Which campaign a view belongs to, where its night stands and what its plan expects: pure functions of
 * the stored campaigns and a time, so the rules are unit-tested without a store.
 */
import {
  PLAN_TREND_AHEAD_MINUTES,
  PLAN_TREND_PAST_MINUTES,
  type Campaign,
  type EventSource,
  type PlanPoint,
  type PromoMoment,
  type SnapshotCampaign,
} from '@warroom/contracts';

const MINUTE_MS = 60_000;

/** A campaign with its times parsed once (the live tick asks about it many times a second). */
export interface LoadedCampaign {
  campaign: Campaign;
  startsAt: number;
  endsAt: number;
  moments: { label: string; at: number }[];
  /** Plan points in time order. */
  plan: { at: number; questionsPerMinute: number }[];
}

export function loadCampaign(campaign: Campaign): LoadedCampaign {
  return {
    campaign,
    startsAt: Date.parse(campaign.startsAt),
    endsAt: Date.parse(campaign.endsAt),
    moments: campaign.promoMoments.map((moment) => ({ label: moment.label, at: Date.parse(moment.at) })),
    plan: campaign.plan.map((point: PlanPoint) => ({ at: Date.parse(point.at), questionsPerMinute: point.questionsPerMinute })),
  };
}

/**
 * The campaign a view of (source, shop) belongs to at `at`: one of that source, running at `at`
 * ([startsAt, endsAt)), and for one shop one that includes the shop (for `all`, any). When several run,
 * the one that started last wins (a campaign inside a longer one is the more specific).
 */
export function runningCampaign(
  campaigns: readonly LoadedCampaign[],
  view: { source: EventSource; shop: string },
  at: number,
): LoadedCampaign | null {
  let best: LoadedCampaign | null = null;
  for (const loaded of campaigns) {
    if (loaded.campaign.source !== view.source) continue;
    if (view.shop !== 'all' && !loaded.campaign.shops.includes(view.shop)) continue;
    if (at < loaded.startsAt || at >= loaded.endsAt) continue;
    if (!best || loaded.startsAt > best.startsAt || (loaded.startsAt === best.startsAt && loaded.campaign.id > best.campaign.id)) {
      best = loaded;
    }
  }
  return best;
}

/** The plan's value at `at`, linear between points; null outside [first point, last point]. */
function planAt(plan: LoadedCampaign['plan'], at: number): number | null {
  const index = firstAtOrAfter(plan, at);
  const after = plan[index];
  if (!after) return null;
  if (after.at === at) return after.questionsPerMinute;
  const before = plan[index - 1];
  if (!before) return null;
  return before.questionsPerMinute + ((after.questionsPerMinute - before.questionsPerMinute) * (at - before.at)) / (after.at - before.at);
}

/** Index of the first point at or after `at` (plan.length when none): binary search. */
function firstAtOrAfter(plan: LoadedCampaign['plan'], at: number): number {
  let low = 0;
  let high = plan.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (plan[middle]!.at < at) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The plan's mean over [from, to): the integral of the piecewise-linear plan divided by the length of the
 * part the plan covers (so a window that starts before the plan's first point is not diluted by zeros it
 * never planned). Null when the plan does not reach into the window at all.
 */
export function planMean(plan: LoadedCampaign['plan'], from: number, to: number): number | null {
  const first = plan[0];
  const last = plan[plan.length - 1];
  if (!first || !last) return null;
  const start = Math.max(from, first.at);
  const end = Math.min(to, last.at);
  if (end < start) return null;
  if (end === start) return planAt(plan, start);
  let area = 0;
  let previousAt = start;
  let previousValue = planAt(plan, start)!;
  for (let index = firstAtOrAfter(plan, start); index < plan.length && plan[index]!.at < end; index += 1) {
    const point = plan[index]!;
    if (point.at <= start) continue;
    area += ((previousValue + point.questionsPerMinute) / 2) * (point.at - previousAt);
    previousAt = point.at;
    previousValue = point.questionsPerMinute;
  }
  const endValue = planAt(plan, end)!;
  area += ((previousValue + endValue) / 2) * (end - previousAt);
  return area / (end - start);
}

/** The newest promo moment at or before `at`, and the first after it. */
export function promoMoments(
  moments: LoadedCampaign['moments'],
  at: number,
): { current: PromoMoment | null; next: PromoMoment | null } {
  let current: LoadedCampaign['moments'][number] | null = null;
  let next: LoadedCampaign['moments'][number] | null = null;
  for (const moment of moments) {
    if (moment.at <= at) current = moment;
    else {
      next = moment;
      break;
    }
  }
  const wire = (moment: typeof current): PromoMoment | null =>
    moment ? { label: moment.label, at: new Date(moment.at).toISOString() } : null;
  return { current: wire(current), next: wire(next) };
}

/** Rounded so that a plan read at two nearby times does not count as a change of figures. */
function rounded(value: number | null): number | null {
  return value === null ? null : Math.round(value * 10) / 10;
}

/**
 * What a snapshot says of its campaign at `asOf`, for the window [windowStart, windowEnd): the promo
 * moments around asOf, the plan's mean over the window, and the plan trend on whole minutes around the
 * window's end, each minute's value over a window of the same kind ending there (the same length, or
 * from the same start for the campaign window).
 */
export function snapshotCampaign(
  loaded: LoadedCampaign,
  asOf: number,
  window: { start: number; end: number; sinceCampaignStart: boolean },
): SnapshotCampaign {
  const { current, next } = promoMoments(loaded.moments, asOf);
  const length = window.end - window.start;
  const windowEndingAt = (end: number) => (window.sinceCampaignStart ? window.start : end - length);
  const planTrend: PlanPoint[] = [];
  const lastMinute = Math.floor(window.end / MINUTE_MS) * MINUTE_MS;
  for (let minute = -PLAN_TREND_PAST_MINUTES; minute <= PLAN_TREND_AHEAD_MINUTES; minute += 1) {
    const end = lastMinute + minute * MINUTE_MS;
    const value = rounded(planMean(loaded.plan, windowEndingAt(end), end));
    if (value !== null) planTrend.push({ at: new Date(end).toISOString(), questionsPerMinute: value });
  }
  const { campaign } = loaded;
  return {
    id: campaign.id,
    name: campaign.name,
    startsAt: campaign.startsAt,
    endsAt: campaign.endsAt,
    currentMoment: current,
    nextMoment: next,
    planQuestionsPerMinute: rounded(planMean(loaded.plan, window.start, window.end)),
    planTrend,
  };
}
