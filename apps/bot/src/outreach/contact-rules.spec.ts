import type { ShopOutreach } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { testOutreachRules } from '../testing/outreach-rules';
import { decideContact, inQuietHours, shopTime, type ContactFacts } from './contact-rules';

const HOUR = 3_600_000;
const rules = testOutreachRules();

function facts(overrides: Partial<ContactFacts> = {}): ContactFacts {
  const nowMs = Date.parse('2026-11-11T10:00:00+08:00');
  return {
    nowMs,
    rules,
    intent: { scenario: 'hesitating', score: 0.7 },
    ordered: false,
    handoffOpen: false,
    optedOut: false,
    touchedOn: () => false,
    endedAtMs: nowMs,
    maxWaitMs: 12 * HOUR,
    ...overrides,
  };
}

describe('shop time', () => {
  it('is the calendar day and minute in the shop’s time zone, not the server’s', () => {
    const instant = Date.parse('2026-11-10T16:30:00Z');
    expect(shopTime(instant, 'Asia/Shanghai')).toEqual({ day: '2026-11-11', minuteOfDay: 30 });
    expect(shopTime(instant, 'America/Los_Angeles')).toEqual({ day: '2026-11-10', minuteOfDay: 8 * 60 + 30 });
    expect(shopTime(instant, 'UTC')).toEqual({ day: '2026-11-10', minuteOfDay: 16 * 60 + 30 });
  });

  it('follows daylight saving time', () => {
    // New York: UTC−4 until 1 November 2026, UTC−5 after.
    expect(shopTime(Date.parse('2026-10-31T12:00:00Z'), 'America/New_York').minuteOfDay).toBe(8 * 60);
    expect(shopTime(Date.parse('2026-11-02T12:00:00Z'), 'America/New_York').minuteOfDay).toBe(7 * 60);
  });
});

describe('quiet hours', () => {
  const at = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3));

  it('span midnight when `to` is earlier than `from`: [from, to) wraps', () => {
    const night = { from: '22:00', to: '08:00' };
    expect(inQuietHours(at('21:59'), night)).toBe(false);
    expect(inQuietHours(at('22:00'), night)).toBe(true);
    expect(inQuietHours(at('23:59'), night)).toBe(true);
    expect(inQuietHours(at('00:00'), night)).toBe(true);
    expect(inQuietHours(at('07:59'), night)).toBe(true);
    expect(inQuietHours(at('08:00'), night)).toBe(false);
  });

  it('within one day when `from` is earlier than `to`', () => {
    const lunch = { from: '12:00', to: '13:30' };
    expect(inQuietHours(at('11:59'), lunch)).toBe(false);
    expect(inQuietHours(at('12:00'), lunch)).toBe(true);
    expect(inQuietHours(at('13:29'), lunch)).toBe(true);
    expect(inQuietHours(at('13:30'), lunch)).toBe(false);
    expect(inQuietHours(at('03:00'), undefined)).toBe(false);
  });

  it('are judged on the shop’s clock: the same instant is quiet in Shanghai and not in Berlin', () => {
    // 23:30 in Shanghai is 16:30 in Berlin.
    const instant = Date.parse('2026-11-11T15:30:00Z');
    expect(decideContact(facts({ nowMs: instant, endedAtMs: instant }))).toEqual({ action: 'wait', reason: 'quiet_hours' });
    const berlin: ShopOutreach = { ...rules, timeZone: 'Europe/Berlin' };
    expect(decideContact(facts({ nowMs: instant, endedAtMs: instant, rules: berlin }))).toEqual({ action: 'outreach', day: '2026-11-11' });
  });

  it('hold a message until they end, and let it go past the longest wait', () => {
    const ended = Date.parse('2026-11-11T23:30:00+08:00');
    expect(decideContact(facts({ nowMs: ended, endedAtMs: ended }))).toEqual({ action: 'wait', reason: 'quiet_hours' });
    const morning = Date.parse('2026-11-12T08:00:00+08:00');
    // Sent on the morning's day: that is the day the customer hears from the shop.
    expect(decideContact(facts({ nowMs: morning, endedAtMs: ended }))).toEqual({ action: 'outreach', day: '2026-11-12' });
    expect(decideContact(facts({ nowMs: morning, endedAtMs: ended, maxWaitMs: 8 * HOUR }))).toEqual({ action: 'skip', reason: 'expired' });
  });

  it('do not hold a follow-up: the agents’ list is not the customer’s phone', () => {
    const night = Date.parse('2026-11-11T02:00:00+08:00');
    expect(decideContact(facts({ nowMs: night, endedAtMs: night, intent: { scenario: 'repurchase', score: 0.4 } }))).toEqual({
      action: 'follow_up',
      day: '2026-11-11',
    });
  });
});

describe('contact rules', () => {
  it('reach a high-intent session that ended without an order, by the scenario’s handler', () => {
    expect(decideContact(facts())).toEqual({ action: 'outreach', day: '2026-11-11' });
    expect(decideContact(facts({ intent: { scenario: 'repurchase', score: 0.64 } }))).toEqual({ action: 'follow_up', day: '2026-11-11' });
  });

  it('skip a shop without rules, a session with an order, and intent below the threshold', () => {
    expect(decideContact(facts({ rules: undefined }))).toEqual({ action: 'skip', reason: 'no_rules' });
    expect(decideContact(facts({ ordered: true }))).toEqual({ action: 'skip', reason: 'ordered' });
    expect(decideContact(facts({ intent: { scenario: 'hesitating', score: 0.49 } }))).toEqual({ action: 'skip', reason: 'low_intent' });
    expect(decideContact(facts({ intent: null }))).toEqual({ action: 'skip', reason: 'low_intent' });
  });

  it('never reach a customer who said no, by the bot or by an agent', () => {
    expect(decideContact(facts({ optedOut: true }))).toEqual({ action: 'skip', reason: 'opted_out' });
    expect(decideContact(facts({ optedOut: true, intent: { scenario: 'repurchase', score: 0.9 } }))).toEqual({ action: 'skip', reason: 'opted_out' });
  });

  it('reach a customer at most once per shop day, in the shop’s time zone', () => {
    const touched = new Set(['2026-11-11']);
    const touchedOn = (day: string): boolean => touched.has(day);
    expect(decideContact(facts({ touchedOn }))).toEqual({ action: 'skip', reason: 'daily_cap' });
    expect(decideContact(facts({ touchedOn, intent: { scenario: 'repurchase', score: 0.9 } }))).toEqual({ action: 'skip', reason: 'daily_cap' });
    // 2026-11-11 16:30 UTC is already the 12th in Shanghai: a new day there.
    const nextShopDay = Date.parse('2026-11-12T00:30:00+08:00');
    const noQuiet: ShopOutreach = { ...rules, quietHours: undefined };
    expect(decideContact(facts({ touchedOn, rules: noQuiet, nowMs: nextShopDay, endedAtMs: nextShopDay }))).toEqual({ action: 'outreach', day: '2026-11-12' });
  });

  it('wait while a handoff is open, then reach once it closed, within the longest wait', () => {
    const ended = Date.parse('2026-11-11T10:00:00+08:00');
    expect(decideContact(facts({ handoffOpen: true, endedAtMs: ended }))).toEqual({ action: 'wait', reason: 'handoff_open' });
    expect(decideContact(facts({ handoffOpen: false, endedAtMs: ended, nowMs: ended + HOUR }))).toEqual({ action: 'outreach', day: '2026-11-11' });
    expect(decideContact(facts({ handoffOpen: true, endedAtMs: ended, nowMs: ended + 13 * HOUR }))).toEqual({ action: 'skip', reason: 'expired' });
  });
});
