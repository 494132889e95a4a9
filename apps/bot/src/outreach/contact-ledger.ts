import type { OutreachDelivery, OutreachInbox, OutreachLogRecord } from '@warroom/contracts';

export type AppliedRecord =
  | { type: 'touch'; proposalId: string; granted: true }
  | { type: 'touch'; proposalId: string; granted: false; reason: 'opted_out' | 'daily_cap' }
  | { type: 'opt_out' | 'delivery' };

const DAY_MS = 86_400_000;
const key = (shopId: string, customerId: string): string => `${shopId}\u0000${customerId}`;

/**
 * The replica of `outreach.contacts` every bot keeps, applied in log order with one rule: a touch is
 * granted unless the customer opted out of the shop or was already touched on that shop day. Every bot
 * that applied the same records agrees, so a customer whose sessions went to different bots is still
 * contacted once a day, and a restart (reading the log from its beginning) remembers who said no.
 * It also holds the latest deliveries for the inbox route.
 */
export class ContactLedger {
  private readonly optedOut = new Set<string>();
  /** The last day each customer was touched; days before yesterday are pruned as the map grows. */
  private readonly lastTouchDay = new Map<string, string>();
  private pruneAbove: number;
  private readonly deliveries: { offset: number; delivery: OutreachDelivery }[] = [];
  private readonly byEventId = new Map<string, OutreachDelivery>();
  private applied = -1;

  constructor(private readonly options: { maxDeliveries: number; touchedCustomersBeforePrune: number }) {
    this.pruneAbove = options.touchedCustomersBeforePrune;
  }

  /** The offset of the last record applied (-1: none). */
  get lastOffset(): number {
    return this.applied;
  }

  apply(offset: number, record: OutreachLogRecord): AppliedRecord {
    this.applied = offset;
    switch (record.type) {
      case 'opt_out':
        this.optedOut.add(key(record.shopId, record.customerId));
        return { type: 'opt_out' };
      case 'delivery':
        this.remember(offset, record.delivery);
        return { type: 'delivery' };
      case 'touch': {
        const customer = key(record.shopId, record.customerId);
        if (this.optedOut.has(customer)) return { type: 'touch', proposalId: record.proposalId, granted: false, reason: 'opted_out' };
        const last = this.lastTouchDay.get(customer);
        // A day is a shop's calendar day: a later record may carry an earlier day only across time zones.
        if (last !== undefined && last >= record.day) return { type: 'touch', proposalId: record.proposalId, granted: false, reason: 'daily_cap' };
        this.lastTouchDay.set(customer, record.day);
        if (this.lastTouchDay.size > this.pruneAbove) this.prune(record.day);
        return { type: 'touch', proposalId: record.proposalId, granted: true };
      }
    }
  }

  isOptedOut(shopId: string, customerId: string): boolean {
    return this.optedOut.has(key(shopId, customerId));
  }

  touchedOn(shopId: string, customerId: string, day: string): boolean {
    const last = this.lastTouchDay.get(key(shopId, customerId));
    return last !== undefined && last >= day;
  }

  delivery(outreachEventId: string): OutreachDelivery | undefined {
    return this.byEventId.get(outreachEventId);
  }

  /** Deliveries after a log offset, oldest first. */
  inbox(after: number, limit: number): OutreachInbox {
    let low = 0;
    let high = this.deliveries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.deliveries[mid]!.offset <= after) low = mid + 1;
      else high = mid;
    }
    const page = this.deliveries.slice(low, low + limit);
    return { deliveries: page.map((entry) => entry.delivery), next: page.at(-1)?.offset ?? after };
  }

  private remember(offset: number, delivery: OutreachDelivery): void {
    this.deliveries.push({ offset, delivery });
    this.byEventId.set(delivery.outreachEventId, delivery);
    // Dropped a quarter at a time, so the array is not shifted on every record.
    const excess = this.deliveries.length - this.options.maxDeliveries;
    if (excess >= Math.max(1, this.options.maxDeliveries / 4)) {
      for (const dropped of this.deliveries.splice(0, excess)) this.byEventId.delete(dropped.delivery.outreachEventId);
    }
  }

  /** Forgets touches before yesterday (of the newest day): they can no longer refuse anything. */
  private prune(newestDay: string): void {
    const yesterday = new Date(Date.parse(`${newestDay}T00:00:00Z`) - DAY_MS).toISOString().slice(0, 10);
    for (const [customer, day] of this.lastTouchDay) if (day < yesterday) this.lastTouchDay.delete(customer);
    this.pruneAbove = Math.max(this.options.touchedCustomersBeforePrune, this.lastTouchDay.size * 2);
  }
}
