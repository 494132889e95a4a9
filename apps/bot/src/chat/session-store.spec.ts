import { describe, expect, it } from 'vitest';
import { SessionStore } from './session-store';

describe('SessionStore', () => {
  it('keeps a session between messages and forgets it after the idle time', () => {
    const store = new SessionStore({ idleMs: 1000, max: 10 });
    store.touch('shop', 's', 'c', 0).sku = '100012345';
    expect(store.touch('shop', 's', 'c', 900).sku).toBe('100012345');
    expect(store.touch('shop', 's', 'c', 2000).sku).toBeNull();
  });

  it('keeps shops apart', () => {
    const store = new SessionStore({ idleMs: 1000, max: 10 });
    store.touch('shop-a', 's', 'c', 0).unmatchedStreak = 1;
    expect(store.touch('shop-b', 's', 'c', 0).unmatchedStreak).toBe(0);
  });

  it('evicts the least recently active beyond its bound, and sweeps idle sessions', () => {
    const store = new SessionStore({ idleMs: 1000, max: 2 });
    store.touch('shop', 'a', 'c', 0).unmatchedStreak = 1;
    store.touch('shop', 'b', 'c', 10);
    store.touch('shop', 'a', 'c', 20);
    store.touch('shop', 'c', 'c', 30);
    expect(store.size).toBe(2);
    expect(store.touch('shop', 'a', 'c', 40).unmatchedStreak).toBe(1);
    expect(store.sweep(1035)).toBe(1);
    expect(store.size).toBe(1);
  });
});
