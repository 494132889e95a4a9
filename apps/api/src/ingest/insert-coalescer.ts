import { createHash } from 'node:crypto';
import { tablePartitionOf, type ChatEventRow } from './chat-event-row';
import type { InsertChunk } from './ingest-plan';

/** Where each partition's rows in one INSERT start and end. */
export interface OffsetRange {
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

export type InsertRows = (rows: ChatEventRow[], deduplicationToken: string) => Promise<void>;

interface PendingInsert {
  month: string;
  rows: ChatEventRow[];
  ranges: OffsetRange[];
  done: Promise<void>;
  settle: { resolve: () => void; reject: (error: unknown) => void };
  timer: NodeJS.Timeout | null;
}

/**
 * Coalesces the chunks of concurrently processed Kafka partitions into one INSERT.
 *
 * An INSERT into one table partition is written as one part, so it is atomic for every Kafka partition
 * it holds: each partition's rows in it are one contiguous offset range, and a partition adds its next
 * chunk only after the previous one is stored, so per-partition order holds. The store's per-INSERT cost
 * (tens of ms for chdb) is then paid once per round instead of once per partition.
 *
 * A round is flushed when it reaches `maxRows`, when `maxWaitMs` has passed since its first chunk, or
 * when a chunk for another month arrives (a round never spans two table partitions).
 */
export class InsertCoalescer {
  private pending: PendingInsert | null = null;
  /** Rounds are inserted one after another, in the order they were cut. */
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly insertRows: InsertRows,
    private readonly maxRows: number,
    private readonly maxWaitMs: number,
  ) {}

  /** Resolves once `chunk` is stored (with the rest of its round); rejects if its INSERT failed. */
  add(partition: number, chunk: InsertChunk): Promise<void> {
    const month = tablePartitionOf(chunk.rows[0]!);
    if (this.pending && this.pending.month !== month) this.cut();
    const round = (this.pending ??= this.open(month));
    for (const row of chunk.rows) round.rows.push(row);
    round.ranges.push({ partition, firstOffset: chunk.firstOffset, lastOffset: chunk.lastOffset });
    if (round.rows.length >= this.maxRows) this.cut();
    return round.done;
  }

  /** Flushes what is pending now (on shutdown, or when a caller cannot wait). */
  async drain(): Promise<void> {
    this.cut();
    await this.flushing;
  }

  private open(month: string): PendingInsert {
    let settle!: PendingInsert['settle'];
    const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    // Waiters attach their own handlers; this one keeps an unobserved failure from crashing the process.
    done.catch(() => undefined);
    const round: PendingInsert = { month, rows: [], ranges: [], done, settle, timer: null };
    round.timer = setTimeout(() => {
      if (this.pending === round) this.cut();
    }, this.maxWaitMs);
    return round;
  }

  private cut(): void {
    const round = this.pending;
    if (!round) return;
    this.pending = null;
    if (round.timer) clearTimeout(round.timer);
    this.flushing = this.flushing.then(async () => {
      try {
        await this.insertRows(round.rows, deduplicationTokenOf(round.ranges));
        round.settle.resolve();
      } catch (error) {
        round.settle.reject(error);
      }
    });
  }
}

/** Same ranges, same token: a retried INSERT of the same rows is dropped by the store's deduplication. */
function deduplicationTokenOf(ranges: OffsetRange[]): string {
  const canonical = [...ranges]
    .sort((a, b) => a.partition - b.partition || Number(BigInt(a.firstOffset) - BigInt(b.firstOffset)))
    .map((range) => `${range.partition}:${range.firstOffset}-${range.lastOffset}`)
    .join(',');
  return createHash('sha256').update(canonical).digest('hex');
}
