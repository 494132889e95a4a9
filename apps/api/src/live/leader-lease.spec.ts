import { describe, expect, it } from 'vitest';
import { LeaderLease } from './leader-lease';
import { WANTS_LEASE_MS } from './remote-wants';

const T0 = Date.parse('2026-11-11T10:00:00.000Z');

describe('LeaderLease', () => {
  it('makes the oldest present process the leader, and keeps it when younger ones arrive', () => {
    const lease = new LeaderLease();
    expect(lease.observe({ process: 'b', startedAtMs: T0 + 5, timestampMs: T0 + 10 })).toBe('b');
    expect(lease.observe({ process: 'a', startedAtMs: T0, timestampMs: T0 + 20 })).toBe('a');
    expect(lease.observe({ process: 'c', startedAtMs: T0 + 30, timestampMs: T0 + 40 })).toBe('a');
  });

  it('hands over to the next oldest at the first record past the leader lease, and agrees with a reader that starts late', () => {
    const full = new LeaderLease();
    const records = [] as { process: string; startedAtMs: number; timestampMs: number }[];
    for (let second = 0; second < 10; second += 1) {
      // a dies after 3 s; b and c keep appearing every second.
      if (second < 3) records.push({ process: 'a', startedAtMs: T0 - 3, timestampMs: T0 + second * 1_000 });
      records.push({ process: 'b', startedAtMs: T0 - 2, timestampMs: T0 + second * 1_000 + 1 });
      records.push({ process: 'c', startedAtMs: T0 - 1, timestampMs: T0 + second * 1_000 + 2 });
    }
    const leaders = records.map((record) => full.observe(record));
    const handover = records.findIndex((record, i) => leaders[i] === 'b');
    expect(records[handover]!.timestampMs - (T0 + 2_000)).toBeGreaterThan(WANTS_LEASE_MS);
    expect(leaders.slice(0, handover).every((leader) => leader === 'a')).toBe(true);
    expect(leaders.slice(handover).every((leader) => leader === 'b')).toBe(true);

    // A process that starts reading in the middle agrees once it has read one lease of records.
    const late = new LeaderLease();
    const from = records.findIndex((record) => record.timestampMs >= T0 + 4_000);
    const lateLeaders = records.slice(from).map((record) => late.observe(record));
    const windowRead = records.slice(from).findIndex((record) => record.timestampMs - records[from]!.timestampMs > WANTS_LEASE_MS);
    expect(lateLeaders.slice(windowRead)).toEqual(leaders.slice(from + windowRead));
  });
});
