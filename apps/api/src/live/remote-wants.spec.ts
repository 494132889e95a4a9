import type { SnapshotQuery } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { RemoteWants, WANTS_LEASE_MS } from './remote-wants';

const keyOf = (query: SnapshotQuery): string => `${query.shop}|${query.window}|${query.source}`;
const allFive: SnapshotQuery = { shop: 'all', window: '5m', source: 'live' };
const shopA: SnapshotQuery = { shop: 'shop-a', window: '1m', source: 'live' };
const T0 = Date.parse('2026-11-11T10:00:00.000Z');
const at = (ms: number): string => new Date(ms).toISOString();

describe('RemoteWants', () => {
  it('unites the processes lists and names only the views nobody wanted before', () => {
    const wants = new RemoteWants(keyOf);
    expect(wants.update({ startedAt: at(T0), process: 'p1', sentAt: at(T0), views: [allFive] }, T0)).toEqual(['all|5m|live']);
    expect(wants.update({ startedAt: at(T0), process: 'p2', sentAt: at(T0), views: [allFive, shopA] }, T0)).toEqual(['shop-a|1m|live']);
    expect([...wants.wanted(T0).keys()].sort()).toEqual(['all|5m|live', 'shop-a|1m|live']);
  });

  it('replaces a process list with its newer one and ignores an older one arriving late', () => {
    const wants = new RemoteWants(keyOf);
    wants.update({ startedAt: at(T0), process: 'p1', sentAt: at(T0 + 1_000), views: [allFive, shopA] }, T0 + 1_000);
    wants.update({ startedAt: at(T0), process: 'p1', sentAt: at(T0), views: [] }, T0 + 1_000);
    expect(wants.wanted(T0 + 1_000).size).toBe(2);
    wants.update({ startedAt: at(T0), process: 'p1', sentAt: at(T0 + 2_000), views: [shopA] }, T0 + 2_000);
    expect([...wants.wanted(T0 + 2_000).keys()]).toEqual(['shop-a|1m|live']);
  });

  it('drops a list not renewed within the lease, and ignores one already older than the lease', () => {
    const wants = new RemoteWants(keyOf);
    wants.update({ startedAt: at(T0), process: 'p1', sentAt: at(T0), views: [allFive] }, T0);
    expect(wants.wanted(T0 + WANTS_LEASE_MS).size).toBe(1);
    expect(wants.wanted(T0 + WANTS_LEASE_MS + 1).size).toBe(0);
    expect(wants.update({ startedAt: at(T0), process: 'p2', sentAt: at(T0), views: [shopA] }, T0 + WANTS_LEASE_MS + 1)).toEqual([]);
    expect(wants.wanted(T0 + WANTS_LEASE_MS + 1).size).toBe(0);
  });
});
