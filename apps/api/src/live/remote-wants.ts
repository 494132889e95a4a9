import type { LiveViewWants, SnapshotQuery } from '@warroom/contracts';

/** A follower's list of wanted views is a lease: it renews it every WANTS_EVERY_MS, the leader drops it after WANTS_LEASE_MS. */
export const WANTS_EVERY_MS = 1_000;
export const WANTS_LEASE_MS = 5_000;

interface Lease {
  sentAt: number;
  views: Map<string, SnapshotQuery>;
}

/**
 * The views the other api processes' viewers watch, as the leader knows them: each process's newest list
 * replaces its older one (a view nobody there watches any more goes at once), and a list not renewed within
 * the lease goes with its process (a follower that died). Lists older than the lease when they arrive (a
 * new leader reading what its predecessor had read) are ignored.
 */
export class RemoteWants {
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly keyOf: (query: SnapshotQuery) => string) {}

  /** Records a list; returns the keys of views wanted now that no process wanted before. */
  update(wants: LiveViewWants, now: number): string[] {
    const sentAt = Date.parse(wants.sentAt);
    if (now - sentAt > WANTS_LEASE_MS) return [];
    const previous = this.leases.get(wants.process);
    if (previous && previous.sentAt >= sentAt) return [];
    const before = new Set(this.wanted(now).keys());
    this.leases.set(wants.process, { sentAt, views: new Map(wants.views.map((query) => [this.keyOf(query), query])) });
    return [...this.wanted(now).keys()].filter((key) => !before.has(key));
  }

  /** Every view wanted by a process whose lease is current, by key; expired leases are dropped. */
  wanted(now: number): Map<string, SnapshotQuery> {
    const views = new Map<string, SnapshotQuery>();
    for (const [process, lease] of this.leases) {
      if (now - lease.sentAt > WANTS_LEASE_MS) {
        this.leases.delete(process);
        continue;
      }
      for (const [key, query] of lease.views) views.set(key, query);
    }
    return views;
  }
}
