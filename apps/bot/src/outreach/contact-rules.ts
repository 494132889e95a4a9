import type { ShopOutreach } from '@warroom/contracts';
import { isHighIntent, type Intent } from './intent';

/** The shop's calendar day and minute of the day at an instant. */
export interface ShopTime {
  /** YYYY-MM-DD in the shop's time zone: the day "one per customer per day" counts in. */
  day: string;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

export function shopTime(nowMs: number, timeZone: string): ShopTime {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const part of format.formatToParts(nowMs)) parts[part.type] = part.value;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute) };
}

const minutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** Whether a shop minute falls in quiet hours [from, to); `to` before `from` spans midnight. */
export function inQuietHours(minuteOfDay: number, quietHours: ShopOutreach['quietHours']): boolean {
  if (!quietHours) return false;
  const from = minutes(quietHours.from);
  const to = minutes(quietHours.to);
  return from < to ? minuteOfDay >= from && minuteOfDay < to : minuteOfDay >= from || minuteOfDay < to;
}

export type SkipReason = 'no_rules' | 'ordered' | 'low_intent' | 'opted_out' | 'daily_cap' | 'expired';
export type WaitReason = 'handoff_open' | 'quiet_hours';

export type ContactDecision =
  | { action: 'outreach' | 'follow_up'; day: string }
  | { action: 'wait'; reason: WaitReason }
  | { action: 'skip'; reason: SkipReason };

export interface ContactFacts {
  nowMs: number;
  /** The shop's outreach rules; undefined: the shop does not reach out. */
  rules: ShopOutreach | undefined;
  intent: Intent | null;
  /** The session placed an order. */
  ordered: boolean;
  /** The session waits for, or talks to, a human agent. */
  handoffOpen: boolean;
  optedOut: boolean;
  touchedOn: (day: string) => boolean;
  /** When the session ended; one still undecided (quiet hours, a handoff) past maxWaitMs is let go. */
  endedAtMs: number;
  maxWaitMs: number;
}

/**
 * DESIGN.md's contact rules for a session that ended: only high-intent sessions without an order; never
 * a customer who said no, nor one already contacted this shop day; not while a handoff is open, and no
 * message in the shop's quiet hours (both wait: the session is judged again later). A scenario the shop
 * keeps for humans becomes a follow-up at once, quiet hours or not: the agents' list is not the customer's
 * phone. The ledger repeats the opt-out and daily checks when it applies the touch, for every bot at once.
 */
export function decideContact(facts: ContactFacts): ContactDecision {
  const { rules, intent } = facts;
  if (!rules) return { action: 'skip', reason: 'no_rules' };
  if (facts.ordered) return { action: 'skip', reason: 'ordered' };
  if (!intent || !isHighIntent(intent, rules)) return { action: 'skip', reason: 'low_intent' };
  if (facts.optedOut) return { action: 'skip', reason: 'opted_out' };
  // Held back (quiet hours, a handoff) too long: a message that late would no longer follow the chat.
  if (facts.nowMs - facts.endedAtMs > facts.maxWaitMs) return { action: 'skip', reason: 'expired' };
  if (facts.handoffOpen) return { action: 'wait', reason: 'handoff_open' };
  const time = shopTime(facts.nowMs, rules.timeZone);
  if (facts.touchedOn(time.day)) return { action: 'skip', reason: 'daily_cap' };
  if (rules.scenarios[intent.scenario]?.handledBy === 'human') return { action: 'follow_up', day: time.day };
  if (inQuietHours(time.minuteOfDay, rules.quietHours)) return { action: 'wait', reason: 'quiet_hours' };
  return { action: 'outreach', day: time.day };
}
