import type { PartitionProgress } from '../repositories/kafka.repository';

/**
 * The low watermark `asOf` (DESIGN.md): every event that reached the broker before it is stored.
 *
 * A partition is caught up at time T when, reading the broker's high watermarks at T and then the ingest
 * group's committed offsets, the committed offset has reached the high watermark: ingest commits only
 * after ClickHouse holds the rows (dead letters count as handled). Each partition keeps the last time it
 * was caught up; asOf is the earliest of those, so one lagging partition holds the whole screen back.
 */
export class Watermark {
  private readonly caughtUpAt = new Map<number, number>();

  /** Records one observation made at `observedAtMs` (taken before the offsets were read). */
  observe(progress: PartitionProgress[], observedAtMs: number): void {
    for (const partition of progress) {
      const caughtUp = partition.highWatermark === 0n || partition.committed >= partition.highWatermark;
      if (caughtUp) this.caughtUpAt.set(partition.partition, observedAtMs);
      else if (!this.caughtUpAt.has(partition.partition)) this.caughtUpAt.set(partition.partition, 0);
    }
  }

  /** The watermark, or null until every partition has been seen caught up at least once. */
  asOf(): Date | null {
    if (this.caughtUpAt.size === 0) return null;
    const earliest = Math.min(...this.caughtUpAt.values());
    return earliest > 0 ? new Date(earliest) : null;
  }

  /** Partitions behind the watermark's observation, for the health endpoint. */
  lagging(): number[] {
    const latest = Math.max(...this.caughtUpAt.values());
    return [...this.caughtUpAt.entries()].filter(([, at]) => at < latest).map(([partition]) => partition);
  }
}
