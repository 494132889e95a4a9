/**
 * The campaign record of a looping rehearsal (npm start): the simulator's profile mapped to real time by
 * its compression, so the wall's countdown and plan line follow the curve the customers are played along.
 *
 * - start: when the simulator starts (at curve minute `fromMinute`);
 * - promo moments: each of the profile's peaks, at its curve minute / speed, in every loop;
 * - plan: the curve's rate (questions per minute, all shops) every `stepSeconds` of real time.
 */
import { campaignSchema, simReadySchema, type CampaignInput, type PromoMomentKind, type SimReady } from '@warroom/contracts';
import { loadProfile } from '../apps/sim/src/config';
import { compileCurve, curveMinuteAt, ratePerSecond, type Timing } from '../apps/sim/src/curve';
import type { SimProfile } from '../apps/sim/src/profile';

export interface RehearsalCampaignOptions {
  profile: SimProfile;
  /** Curve minutes per real minute. */
  speed: number;
  shops: string[];
  /** Real time the simulator started, at curve minute `fromMinute`; it loops from the end back to 0. */
  startMs: number;
  fromMinute: number;
  /** Real minutes the record covers (the rehearsal loops for as long as npm start runs). */
  realMinutes: number;
  /** Real seconds between plan points. */
  stepSeconds: number;
}

export function rehearsalCampaign(options: RehearsalCampaignOptions): CampaignInput {
  const { profile, speed, shops, startMs, fromMinute, realMinutes, stepSeconds } = options;
  const curve = compileCurve(profile);
  const timing: Timing = { fromMinute, speed, durationMinutes: profile.durationMinutes, loop: true };
  const endMs = startMs + realMinutes * 60_000;
  const loopMs = (profile.durationMinutes / speed) * 60_000;
  const iso = (ms: number) => new Date(Math.round(ms)).toISOString();

  // Real time at which the curve was (or would have been) at minute 0 of the loop running at the start.
  const firstLoopMs = startMs - (fromMinute / speed) * 60_000;
  const moments: { label: string; kind: PromoMomentKind; at: number }[] = [];
  for (let loopStart = firstLoopMs; loopStart < endMs; loopStart += loopMs) {
    for (const peak of curve.peaks) {
      const at = loopStart + (peak.atMinute / speed) * 60_000;
      if (at >= startMs && at <= endMs && peak.atMinute < profile.durationMinutes) moments.push({ label: peak.label, kind: peak.kind ?? 'other', at });
    }
  }
  moments.sort((a, b) => a.at - b.at);

  const plan: CampaignInput['plan'] = [];
  for (let at = startMs; at <= endMs; at += stepSeconds * 1000) {
    const perSecond = ratePerSecond(curve, curveMinuteAt(timing, at - startMs), profile.baseRatePerShop, shops.length);
    plan.push({ at: iso(at), questionsPerMinute: Math.round(perSecond * 60 * 10) / 10 });
  }

  return {
    name: `${profile.name} rehearsal (×${speed})`,
    source: 'rehearsal',
    startsAt: iso(startMs),
    endsAt: iso(endMs),
    shops,
    promoMoments: moments.map((moment) => ({ label: moment.label, at: iso(moment.at), kind: moment.kind })),
    plan,
  };
}

/** The rehearsal's campaign record covers this long; the simulator loops for as long as npm start runs. */
const CAMPAIGN_HOURS = 24;
/** Real seconds between the plan's points (5 curve minutes at the default ×60). */
const PLAN_STEP_SECONDS = 5;

/** The simulator's ready line, when `line` is it. */
export function simReady(line: string): SimReady | null {
  if (!line.startsWith('{')) return null;
  try {
    const parsed = simReadySchema.safeParse(JSON.parse(line));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * Registers the rehearsal's campaign with the api: the profile's peaks and rate mapped to real time from the
 * simulator's own start, speed and curve position (its ready line), so the wall's promo moments, countdown
 * and plan line follow the customers being played.
 */
export async function registerRehearsalCampaign(apiUrl: string, serviceToken: string, ready: SimReady): Promise<string> {
  const { profile } = loadProfile(ready.profile);
  const campaign = rehearsalCampaign({
    profile,
    speed: ready.speed,
    shops: ready.shops,
    startMs: Date.parse(ready.startedAt),
    fromMinute: ready.fromMinute,
    realMinutes: CAMPAIGN_HOURS * 60,
    stepSeconds: PLAN_STEP_SECONDS,
  });
  const id = `rehearsal-${profile.name}`;
  const response = await fetch(`${apiUrl}/api/campaigns/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${serviceToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(campaign),
  });
  if (!response.ok) throw new Error(`PUT /api/campaigns/${id} answered ${response.status}: ${await response.text()}`);
  const stored = campaignSchema.parse(await response.json());
  return `${stored.name}, ${stored.promoMoments.length} promo moments, until ${stored.endsAt}`;
}
