import type { OutreachDelivery } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { ContactLedger } from './contact-ledger';

const touch = (proposalId: string, customerId: string, day: string) => ({ type: 'touch' as const, proposalId, touch: 'outreach' as const, shopId: 'shop-a', customerId, day });

function delivery(n: number): OutreachDelivery {
  return {
    outreachEventId: `o-${n}`,
    shopId: 'shop-a',
    customerId: `c-${n}`,
    sessionId: `s-${n}`,
    source: 'rehearsal',
    channel: 'app',
    scenario: 'hesitating',
    intentScore: 0.7,
    text: '优惠',
    sentAt: '2026-11-11T02:00:00.000Z',
  };
}

describe('ContactLedger', () => {
  it('grants the first touch of a customer per shop day, and none after an opt-out', () => {
    const ledger = new ContactLedger({ maxDeliveries: 10, touchedCustomersBeforePrune: 10 });
    expect(ledger.apply(0, touch('p-1', 'c-1', '2026-11-11'))).toEqual({ type: 'touch', proposalId: 'p-1', granted: true });
    expect(ledger.apply(1, touch('p-2', 'c-1', '2026-11-11'))).toEqual({ type: 'touch', proposalId: 'p-2', granted: false, reason: 'daily_cap' });
    // A proposer whose clock still said yesterday is refused too.
    expect(ledger.apply(2, touch('p-3', 'c-1', '2026-11-10'))).toMatchObject({ granted: false, reason: 'daily_cap' });
    expect(ledger.apply(3, touch('p-4', 'c-2', '2026-11-11'))).toMatchObject({ granted: true });
    expect(ledger.apply(4, touch('p-5', 'c-1', '2026-11-12'))).toMatchObject({ granted: true });
    ledger.apply(5, { type: 'opt_out', shopId: 'shop-a', customerId: 'c-2', outreachEventId: 'o-1' });
    expect(ledger.apply(6, touch('p-6', 'c-2', '2026-11-13'))).toMatchObject({ granted: false, reason: 'opted_out' });
    expect(ledger.isOptedOut('shop-a', 'c-2')).toBe(true);
    expect(ledger.isOptedOut('shop-b', 'c-2')).toBe(false);
    expect(ledger.lastOffset).toBe(6);
  });

  it('forgets touches before yesterday as it grows, never today’s', () => {
    const ledger = new ContactLedger({ maxDeliveries: 10, touchedCustomersBeforePrune: 2 });
    ledger.apply(0, touch('p-1', 'c-1', '2026-11-09'));
    ledger.apply(1, touch('p-2', 'c-2', '2026-11-10'));
    ledger.apply(2, touch('p-3', 'c-3', '2026-11-11'));
    expect(ledger.touchedOn('shop-a', 'c-1', '2026-11-09')).toBe(false);
    expect(ledger.touchedOn('shop-a', 'c-2', '2026-11-10')).toBe(true);
    expect(ledger.touchedOn('shop-a', 'c-3', '2026-11-11')).toBe(true);
    expect(ledger.apply(3, touch('p-4', 'c-3', '2026-11-11'))).toMatchObject({ granted: false });
  });

  it('pages the inbox by log offset and keeps the newest deliveries', () => {
    const ledger = new ContactLedger({ maxDeliveries: 4, touchedCustomersBeforePrune: 10 });
    for (let n = 0; n < 6; n += 1) ledger.apply(n * 2, { type: 'delivery', delivery: delivery(n) });
    // Six held at most 4 + a quarter: the two oldest went.
    expect(ledger.inbox(-1, 100).deliveries.map((d) => d.outreachEventId)).toEqual(['o-2', 'o-3', 'o-4', 'o-5']);
    expect(ledger.delivery('o-1')).toBeUndefined();
    expect(ledger.inbox(5, 1)).toEqual({ deliveries: [delivery(3)], next: 6 });
    expect(ledger.inbox(6, 100).deliveries.map((d) => d.outreachEventId)).toEqual(['o-4', 'o-5']);
    expect(ledger.inbox(10, 100)).toEqual({ deliveries: [], next: 10 });
  });
});
