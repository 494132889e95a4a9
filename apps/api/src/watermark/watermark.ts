import type { PartitionProgress } from '../repositories/kafka.repository';

/** Observations kept per partition: a minute of history at one observation every 50 ms. */
const MAX_PENDING = 1_200;

interface PartitionMarks {
  /** When this partition was last known caught up; 0 for never. */
  caughtUpAt: number;
  /** The committed offset at the latest observation. */
  committed: bigint;
  /** High watermarks seen at past observations that the committed offset has not reached yet. */
  pending: { at: number; high: bigint }[];
}

/**
 * The low watermark `asOf` (DESIGN.md): every event that reached the broker before it is stored.
 *
 * Each observation at time T reads the broker's high watermark H of every partition, then the ingest
 * group's committed offset C. Ingest commits only after ClickHouse holds the rows (dead letters count as
 * handled), so once C ≥ H, everything that reached that partition before T is stored: the partition is
 * caught up "as of T". Under steady traffic C rarely equals the current H, so each partition remembers
 * recent (T, H) pairs and advances to the newest T whose H the committed offset has since reached.
 * asOf is the earliest over the partitions: one lagging partition holds the whole screen back.
 */
export class Watermark {
  private readonly partitions = new Map<number, PartitionMarks>();
  private committedMoves = 0;

  /**
   * Grows whenever a committed offset moved: ingest commits only after storing, so figures computed at an
   * unchanged version (and an unchanged window) would come out the same.
   */
  get dataVersion(): number {
    return this.committedMoves;
  }

  /** Records one observation made at `observedAtMs` (taken before the offsets were read). */
  observe(progress: PartitionProgress[], observedAtMs: number): void {
    for (const { partition, highWatermark, committed } of progress) {
      let marks = this.partitions.get(partition);
      if (!marks) {
        marks = { caughtUpAt: 0, committed: committed, pending: [] };
        this.partitions.set(partition, marks);
        this.committedMoves += 1;
      }
      if (committed !== marks.committed) {
        marks.committed = committed;
        this.committedMoves += 1;
      }
      marks.pending.push({ at: observedAtMs, high: highWatermark });
      while (marks.pending.length > 0 && this.reached(marks.pending[0]!.high, committed)) {
        marks.caughtUpAt = marks.pending.shift()!.at;
      }
      // A partition that lags for longer than the history keeps its last proven time; the oldest
      // observations are dropped, which can only make the watermark later than it could be, never wrong.
      if (marks.pending.length > MAX_PENDING) marks.pending.splice(0, marks.pending.length - MAX_PENDING);
    }
  }

  /** The watermark, or null until every partition has been seen caught up at least once. */
  asOf(): Date | null {
    if (this.partitions.size === 0) return null;
    const earliest = Math.min(...[...this.partitions.values()].map((marks) => marks.caughtUpAt));
    return earliest > 0 ? new Date(earliest) : null;
  }

  /** Partitions whose committed offset is behind their latest observed high watermark. */
  lagging(): number[] {
    return [...this.partitions.entries()].filter(([, marks]) => marks.pending.length > 0).map(([partition]) => partition);
  }

  private reached(high: bigint, committed: bigint): boolean {
    return high === 0n || committed >= high;
  }
}
