import { describe, expect, it } from 'vitest';
import { loadProfile } from './config';
import {
  Pacer,
  compileCurve,
  curveMinuteAt,
  curveMinuteOfClock,
  expectedQuestions,
  minutesToClock,
  peakShape,
  type Timing,
} from './curve';
import type { SimProfile } from './profile';

type CurveInput = Pick<SimProfile, 'startClock' | 'durationMinutes' | 'levels' | 'peaks'>;

const flat: CurveInput = { startClock: '00:00', durationMinutes: 60, levels: [{ clock: '00:00', level: 1 }], peaks: [] };

describe('curve', () => {
  it('interpolates the daily levels linearly, around midnight too', () => {
    const curve = compileCurve({
      startClock: '22:00',
      durationMinutes: 1440,
      levels: [
        { clock: '02:00', level: 0.2 },
        { clock: '12:00', level: 1.2 },
        { clock: '22:00', level: 0.6 },
      ],
      peaks: [],
    });
    expect(curve.levelAtClock(curveMinuteOfClock('00:00', '12:00'))).toBeCloseTo(1.2);
    expect(curve.levelAtClock(7 * 60)).toBeCloseTo(0.7); // halfway 02:00 → 12:00
    // 22:00 → 02:00 next day crosses midnight: at 00:00 it is halfway from 0.6 to 0.2.
    expect(curve.levelAtClock(0)).toBeCloseTo(0.4);
    expect(curve.multiplier(120)).toBeCloseTo(0.4); // curve minute 120 is 00:00 when the curve starts at 22:00
    expect(curve.levelAtClock(1440 + 7 * 60)).toBeCloseTo(0.7);
  });

  it('a single level is flat all day', () => {
    const curve = compileCurve({ ...flat, levels: [{ clock: '09:00', level: 0.8 }] });
    for (const minute of [0, 300, 540, 1000, 1439]) expect(curve.levelAtClock(minute)).toBeCloseTo(0.8);
  });

  it('a peak climbs linearly to exactly its multiplier, then halves every half-life', () => {
    const curve = compileCurve({
      startClock: '23:00',
      durationMinutes: 300,
      levels: [{ clock: '00:00', level: 1 }],
      peaks: [{ label: 'open', at: '00:00', day: 0, multiplier: 3.5, riseMinutes: 4, halfLifeMinutes: 20 }],
    });
    const at = curveMinuteOfClock('23:00', '00:00');
    expect(at).toBe(60);
    expect(curve.multiplier(at - 1)).toBeCloseTo(1);
    expect(curve.multiplier(at)).toBeCloseTo(1);
    expect(curve.multiplier(at + 2)).toBeCloseTo(1 + 2.5 / 2);
    expect(curve.multiplier(at + 4)).toBeCloseTo(3.5);
    expect(curve.multiplier(at + 24)).toBeCloseTo(1 + 2.5 / 2);
    expect(curve.multiplier(at + 44)).toBeCloseTo(1 + 2.5 / 4);
    expect(peakShape({ atMinute: 10, riseMinutes: 0, halfLifeMinutes: 5 }, 10)).toBe(1);
  });

  it('places `at` at its first occurrence after the start, plus days', () => {
    expect(curveMinuteOfClock('23:00', '23:00')).toBe(0);
    expect(curveMinuteOfClock('23:00', '20:00')).toBe(21 * 60);
    expect(curveMinuteOfClock('23:00', '20:00', 1)).toBe(21 * 60 + 1440);
    expect(minutesToClock(23 * 60 + 90)).toBe('00:30');
  });

  it('the shipped double11 profile: a quiet evening, the midnight rush at 3–4× within minutes, decay, a second peak', () => {
    const { profile } = loadProfile('double11');
    const curve = compileCurve(profile);
    const minuteOf = (clock: string, day = 0): number => curveMinuteOfClock(profile.startClock, clock, day);
    const evening = [0, 15, 30, 45].map((minute) => curve.multiplier(minute));
    for (const level of evening) expect(level).toBeLessThan(1);
    const midnight = minuteOf('00:00');
    // Within 5 minutes of sales opening the rate is 3–4× the normal rate.
    const rush = Math.max(...[1, 2, 3, 4, 5].map((minute) => curve.multiplier(midnight + minute)));
    expect(rush).toBeGreaterThanOrEqual(3);
    expect(rush).toBeLessThanOrEqual(4);
    // Decay: an hour later it is less than half of the top.
    expect(curve.multiplier(midnight + 65)).toBeLessThan(rush / 2);
    // Night lull, then the 20:00 final push as the second peak.
    expect(curve.multiplier(minuteOf('04:00'))).toBeLessThan(0.5);
    const second = Math.max(...Array.from({ length: 30 }, (_, minute) => curve.multiplier(minuteOf('20:00') + minute)));
    expect(second).toBeGreaterThan(2);
    expect(second).toBeLessThan(rush);
    // 24 hours in 10 minutes at the default speed.
    expect(profile.durationMinutes / profile.speed).toBe(10);
  });
});

describe('timing and pacing', () => {
  const timing: Timing = { fromMinute: 0, speed: 60, durationMinutes: 60, loop: false };

  it('maps real time onto curve minutes by speed, looping or stopping at the end', () => {
    expect(curveMinuteAt(timing, 30_000)).toBeCloseTo(30);
    expect(curveMinuteAt(timing, 120_000)).toBe(60);
    expect(curveMinuteAt({ ...timing, loop: true }, 90_000)).toBeCloseTo(30);
    expect(curveMinuteAt({ ...timing, fromMinute: 50, loop: true }, 20_000)).toBeCloseTo(10);
  });

  it('expects rate × time on a flat curve, and the integral on a peak', () => {
    const curve = compileCurve(flat);
    expect(expectedQuestions(curve, timing, { baseRatePerShop: 2, shops: 3 }, 0, 10_000)).toBeCloseTo(60);
    const peaked = compileCurve({ ...flat, peaks: [{ label: 'p', at: '00:10', day: 0, multiplier: 3, riseMinutes: 0, halfLifeMinutes: 5 }] });
    // Extra area of an exponential decay: extra × half-life / ln 2 curve minutes, i.e. seconds at speed 60.
    const extra = expectedQuestions(peaked, timing, { baseRatePerShop: 1, shops: 1 }, 0, 60_000, 10) - 60;
    expect(extra).toBeCloseTo(2 * (5 / Math.LN2) * (1 - 0.5 ** (50 / 5)), 0);
  });

  it('Pacer hands out whole questions that add up to the integral however irregular the calls', () => {
    const curve = compileCurve({ ...flat, peaks: [{ label: 'p', at: '00:05', day: 0, multiplier: 4, riseMinutes: 1, halfLifeMinutes: 3 }] });
    const pacer = new Pacer(curve, timing, { baseRatePerShop: 3.3, shops: 2 }, 1_000);
    let handed = 0;
    let now = 1_000;
    for (const step of [7, 13, 250, 1, 999, 40, 3000, 20, 20, 20, 5000, 3]) {
      now += step;
      handed += pacer.due(now);
    }
    expect(pacer.due(now)).toBe(0);
    const total = expectedQuestions(curve, timing, { baseRatePerShop: 3.3, shops: 2 }, 0, now - 1_000);
    expect(Math.abs(handed - total)).toBeLessThan(1);
    expect(pacer.total).toBeCloseTo(total, 1);
    expect(pacer.at(1_000 + 5 * 1000 + 1000).multiplier).toBeCloseTo(4);
  });
});
