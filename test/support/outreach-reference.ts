/**
 * DESIGN.md's outreach attribution recomputed from the events a test produced, in plain TypeScript and
 * written from the definition, not from the api's SQL: what the tests compare the api's figures with.
 */
import type { ChatEvent, OutreachSide } from '@warroom/contracts';

export interface ReferenceRange {
  source: string;
  /** Shop id or 'all'. */
  shop: string;
  fromMs: number;
  toMs: number;
  windowMs: number;
}

export interface ReferenceSides {
  bot: OutreachSide;
  agent: OutreachSide;
}

export interface ReferenceOutreach {
  total: ReferenceSides;
  byScenario: Map<string, ReferenceSides>;
  byHour: Map<number, ReferenceSides>;
  followUpsOpen: number;
}

type Touch = Extract<ChatEvent, { kind: 'outreach' | 'follow_up_done' }>;

const HOUR = 3_600_000;
const at = (event: ChatEvent): number => Date.parse(event.eventTime);

function sideOf(touches: readonly Touch[], ordersOf: Map<string, { count: number; amount: number }>): OutreachSide {
  const sessions = new Set(touches.map((t) => `${t.shopId}/${t.sessionId}`));
  const converted = new Set(touches.filter((t) => ordersOf.has(t.eventId)).map((t) => `${t.shopId}/${t.sessionId}`));
  let orders = 0;
  let amount = 0;
  for (const touch of touches) {
    orders += ordersOf.get(touch.eventId)?.count ?? 0;
    amount += ordersOf.get(touch.eventId)?.amount ?? 0;
  }
  return {
    touches: touches.length,
    sessions: sessions.size,
    converted: converted.size,
    rate: sessions.size === 0 ? null : converted.size / sessions.size,
    orders,
    amountCents: amount,
  };
}

function sidesOf(touches: readonly Touch[], ordersOf: Map<string, { count: number; amount: number }>): ReferenceSides {
  return {
    bot: sideOf(touches.filter((t) => t.kind === 'outreach'), ordersOf),
    agent: sideOf(touches.filter((t) => t.kind === 'follow_up_done'), ordersOf),
  };
}

export function referenceOutreach(events: readonly ChatEvent[], range: ReferenceRange): ReferenceOutreach {
  const scoped = events.filter((e) => e.source === range.source && (range.shop === 'all' || e.shopId === range.shop));
  const allTouches = scoped.filter((e): e is Touch => e.kind === 'outreach' || e.kind === 'follow_up_done');
  // Each order goes to the first touch of its shop and customer at or before it, within the window, whenever that touch was.
  const ordersOf = new Map<string, { count: number; amount: number }>();
  for (const order of scoped) {
    if (order.kind !== 'order') continue;
    const candidates = allTouches
      .filter((t) => t.shopId === order.shopId && t.customerId === order.customerId)
      .filter((t) => at(t) <= at(order) && at(order) - at(t) <= range.windowMs)
      .sort((a, b) => at(a) - at(b) || (a.eventId < b.eventId ? -1 : 1));
    const first = candidates[0];
    if (!first) continue;
    const sum = ordersOf.get(first.eventId) ?? { count: 0, amount: 0 };
    ordersOf.set(first.eventId, { count: sum.count + 1, amount: sum.amount + order.amountCents });
  }
  const inRange = allTouches.filter((t) => at(t) >= range.fromMs && at(t) < range.toMs);
  const byScenario = new Map<string, ReferenceSides>();
  for (const scenario of new Set(inRange.map((t) => t.scenario))) {
    byScenario.set(scenario, sidesOf(inRange.filter((t) => t.scenario === scenario), ordersOf));
  }
  const byHour = new Map<number, ReferenceSides>();
  for (const hour of new Set(inRange.map((t) => Math.floor(at(t) / HOUR) * HOUR))) {
    byHour.set(hour, sidesOf(inRange.filter((t) => Math.floor(at(t) / HOUR) * HOUR === hour), ordersOf));
  }
  const done = new Set(scoped.flatMap((e) => (e.kind === 'follow_up_done' ? [e.followUpEventId] : [])));
  const followUpsOpen = scoped.filter((e) => e.kind === 'follow_up_open' && at(e) >= range.fromMs && at(e) < range.toMs && !done.has(e.eventId)).length;
  return { total: sidesOf(inRange, ordersOf), byScenario, byHour, followUpsOpen };
}
