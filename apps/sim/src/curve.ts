import type { SimPeak, SimProfile } from './profile';

/**
 * The traffic curve of a profile (see `simProfileSchema`), as pure functions of *curve minutes*.
 *
 *   multiplier(c) = level(clock(c)) + Σ over peaks p of (p.multiplier − level(p.at)) × shape_p(c)
 *
 * - level: the daily pattern, linear between its points and around midnight;
 * - shape_p: 0 before the peak's moment, a linear climb to 1 over `riseMinutes`, then halving every
 *   `halfLifeMinutes`. So at the top of a peak on its own the rate is exactly `multiplier` × base.
 *
 * Real time maps to curve minutes by `speed` (curve minutes per real minute) from a start point; the
 * rate in questions per real second is multiplier × base rate per shop × shops.
 */

const DAY = 1440;

export interface CompiledPeak {
  label: string;
  kind: SimPeak['kind'];
  /** Curve minute of the peak's moment. */
  atMinute: number;
  /** Extra multiplier at the top, above the level at the moment. */
  extra: number;
  riseMinutes: number;
  halfLifeMinutes: number;
}

export interface Curve {
  readonly startClockMinute: number;
  readonly durationMinutes: number;
  readonly peaks: readonly CompiledPeak[];
  /** The daily level at a clock minute (0–1439). */
  levelAtClock(clockMinute: number): number;
  /** Rate multiplier (of the base rate) at a curve minute. */
  multiplier(curveMinute: number): number;
}

export function clockToMinutes(clock: string): number {
  const [hours, minutes] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}

export function minutesToClock(clockMinute: number): string {
  const wrapped = ((Math.floor(clockMinute) % DAY) + DAY) % DAY;
  return `${String(Math.floor(wrapped / 60)).padStart(2, '0')}:${String(wrapped % 60).padStart(2, '0')}`;
}

/** Curve minute at which the clock first shows `clock` at or after the start, plus `day` days. */
export function curveMinuteOfClock(startClock: string, clock: string, day = 0): number {
  return ((clockToMinutes(clock) - clockToMinutes(startClock) + DAY) % DAY) + day * DAY;
}

export function compileCurve(profile: Pick<SimProfile, 'startClock' | 'durationMinutes' | 'levels' | 'peaks'>): Curve {
  const points = profile.levels
    .map((point) => ({ minute: clockToMinutes(point.clock), level: point.level }))
    .sort((a, b) => a.minute - b.minute);
  const levelAtClock = (clockMinute: number): number => {
    const t = ((clockMinute % DAY) + DAY) % DAY;
    // The last point at or before t (yesterday's last point before the first of the day), and the next one.
    let index = -1;
    for (let i = 0; i < points.length && points[i]!.minute <= t; i += 1) index = i;
    const before = index >= 0 ? points[index]! : points[points.length - 1]!;
    const beforeMinute = index >= 0 ? before.minute : before.minute - DAY;
    const after = points[index + 1] ?? points[0]!;
    const afterMinute = index + 1 < points.length ? after.minute : after.minute + DAY;
    const span = afterMinute - beforeMinute;
    if (span <= 0) return before.level;
    return before.level + ((after.level - before.level) * (t - beforeMinute)) / span;
  };
  const startClockMinute = clockToMinutes(profile.startClock);
  const peaks: CompiledPeak[] = profile.peaks.map((peak) => {
    const atMinute = curveMinuteOfClock(profile.startClock, peak.at, peak.day);
    return {
      label: peak.label,
      kind: peak.kind,
      atMinute,
      extra: Math.max(0, peak.multiplier - levelAtClock(startClockMinute + atMinute)),
      riseMinutes: peak.riseMinutes,
      halfLifeMinutes: peak.halfLifeMinutes,
    };
  });
  return {
    startClockMinute,
    durationMinutes: profile.durationMinutes,
    peaks,
    levelAtClock,
    multiplier(curveMinute: number): number {
      let value = levelAtClock(startClockMinute + curveMinute);
      for (const peak of peaks) value += peak.extra * peakShape(peak, curveMinute);
      return value;
    },
  };
}

/** 0 before the moment, linear climb to 1 over the rise, then halving every half-life. */
export function peakShape(peak: Pick<CompiledPeak, 'atMinute' | 'riseMinutes' | 'halfLifeMinutes'>, curveMinute: number): number {
  const since = curveMinute - peak.atMinute;
  if (since < 0) return 0;
  if (since < peak.riseMinutes) return since / peak.riseMinutes;
  return 0.5 ** ((since - peak.riseMinutes) / peak.halfLifeMinutes);
}

/** How real time maps onto the curve. */
export interface Timing {
  /** Curve minute at real time 0. */
  fromMinute: number;
  /** Curve minutes per real minute. */
  speed: number;
  durationMinutes: number;
  /** Past the end: start again from minute 0 (true) or stay at the end (false). */
  loop: boolean;
}

/** Curve minute at `elapsedMs` of real time. */
export function curveMinuteAt(timing: Timing, elapsedMs: number): number {
  const minute = timing.fromMinute + (elapsedMs / 60_000) * timing.speed;
  if (!timing.loop) return Math.min(minute, timing.durationMinutes);
  return minute % timing.durationMinutes;
}

/** Questions per real second at a curve minute, across all shops. */
export function ratePerSecond(curve: Curve, curveMinute: number, baseRatePerShop: number, shops: number): number {
  return curve.multiplier(curveMinute) * baseRatePerShop * shops;
}

/** Questions the curve asks for between two real times (ms since the start): the rate's integral. */
export function expectedQuestions(
  curve: Curve,
  timing: Timing,
  rate: { baseRatePerShop: number; shops: number },
  fromMs: number,
  toMs: number,
  stepMs = 50,
): number {
  let total = 0;
  for (let at = fromMs; at < toMs; at += stepMs) {
    const width = Math.min(stepMs, toMs - at);
    const mid = at + width / 2;
    total += (ratePerSecond(curve, curveMinuteAt(timing, mid), rate.baseRatePerShop, rate.shops) * width) / 1000;
  }
  return total;
}

/**
 * Turns the curve into a whole number of questions due at each moment: the rate's integral since the
 * last call, carried over fractions included, so the questions asked follow the curve exactly however
 * irregular the calls (a busy event loop just makes the next batch larger).
 */
export class Pacer {
  /** Questions the curve asked for so far, fractions included. */
  total = 0;
  private owed = 0;
  private lastMs: number;

  constructor(
    private readonly curve: Curve,
    private readonly timing: Timing,
    private readonly rate: { baseRatePerShop: number; shops: number },
    private readonly startMs: number,
  ) {
    this.lastMs = startMs;
  }

  /** Questions due now (since the previous call). */
  due(nowMs: number): number {
    if (nowMs <= this.lastMs) return 0;
    const added = expectedQuestions(this.curve, this.timing, this.rate, this.lastMs - this.startMs, nowMs - this.startMs);
    this.total += added;
    this.owed += added;
    this.lastMs = nowMs;
    const whole = Math.floor(this.owed);
    this.owed -= whole;
    return whole;
  }

  /** The curve minute and rate at a real time, for the progress display. */
  at(nowMs: number): { curveMinute: number; multiplier: number; ratePerSec: number } {
    const curveMinute = curveMinuteAt(this.timing, nowMs - this.startMs);
    const multiplier = this.curve.multiplier(curveMinute);
    return { curveMinute, multiplier, ratePerSec: multiplier * this.rate.baseRatePerShop * this.rate.shops };
  }
}
