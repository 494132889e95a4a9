import type { ChatEventRow } from '../repositories/chat-event-row';
import type { InsertChunk } from './ingest-plan';

/** What the memory says of a row: seen before, not seen, or too old for the memory (ask the store). */
export type Sighting = 'duplicate' | 'new' | 'ask_store';

interface PartitionMemory {
  /** event id -> event time ('YYYY-MM-DD hh:mm:ss.sss', which sorts as time does). */
  ids: Map<string, string>;
  /** Every event of the partition stored or queued with an event time at or after this is in `ids`. */
  coveredFrom: string;
}

/**
 * Per Kafka partition, the ids of the events stored or queued for storing whose event time lies within a
 * horizon: the bot's spool delivers at least once, normally on the same partition (the key is the session),
 * so a second delivery is recognised here without asking the store. A partition's memory is complete from
 * `coveredFrom` on: warmed from the store when the partition is (re)assigned, then fed with every row queued.
 * Older rows are for the store to answer (rare: a spool replaying old events). Bounded: past `maxIds` a
 * partition's horizon shrinks, forgetting its oldest tenth.
 */
export class SeenEvents {
  private readonly partitions = new Map<number, PartitionMemory>();

  constructor(private readonly maxIds: number) {}

  isWarm(partition: number): boolean {
    return this.partitions.has(partition);
  }

  /** Where `partition`'s memory starts: rows older than this are asked of the store. */
  coveredFrom(partition: number): string | undefined {
    return this.partitions.get(partition)?.coveredFrom;
  }

  /**
   * Adds what the store holds of `partition` from `from` on (complete down to `from`). What the memory had
   * stays: rows queued and not stored yet are not in the store's answer.
   */
  warm(partition: number, from: string, stored: Iterable<readonly [id: string, eventTime: string]>): void {
    const memory = this.partitions.get(partition);
    const ids = memory?.ids ?? new Map<string, string>();
    for (const [id, time] of stored) ids.set(id, time);
    // Only what both the memory and the store cover is complete.
    const coveredFrom = memory && memory.coveredFrom > from ? memory.coveredFrom : from;
    this.partitions.set(partition, { ids, coveredFrom });
    this.bound(partition);
  }

  /** Same as `look(...) === 'ask_store'`, with the time compared first: most rows are recent, and skip the lookup. */
  isBeyondMemory(partition: number, row: Pick<ChatEventRow, 'event_id' | 'event_time'>): boolean {
    const memory = this.partitions.get(partition);
    return memory === undefined || (row.event_time < memory.coveredFrom && !memory.ids.has(row.event_id));
  }

  look(partition: number, row: Pick<ChatEventRow, 'event_id' | 'event_time'>): Sighting {
    const memory = this.partitions.get(partition);
    if (memory?.ids.has(row.event_id)) return 'duplicate';
    return memory && row.event_time >= memory.coveredFrom ? 'new' : 'ask_store';
  }

  /** A row queued for storing. */
  remember(partition: number, row: Pick<ChatEventRow, 'event_id' | 'event_time'>): void {
    const memory = this.partitions.get(partition);
    if (!memory) return;
    memory.ids.set(row.event_id, row.event_time);
    if (memory.ids.size > this.maxIds) this.bound(partition);
  }

  /** Forgets events older than `from` (the horizon moved on with time). */
  forgetBefore(from: string): void {
    for (const memory of this.partitions.values()) {
      if (from <= memory.coveredFrom) continue;
      for (const [id, time] of memory.ids) if (time < from) memory.ids.delete(id);
      memory.coveredFrom = from;
    }
  }

  /** Forgets a partition entirely: its next batch warms it from the store again. */
  forget(partition: number): void {
    this.partitions.delete(partition);
  }

  private bound(partition: number): void {
    const memory = this.partitions.get(partition);
    if (!memory || memory.ids.size <= this.maxIds) return;
    const times = [...memory.ids.values()].sort();
    // Strictly after the oldest tenth: equal times go together, so "complete from here" stays true.
    const cut = times[Math.floor(times.length / 10)]!;
    let from = cut;
    for (const time of times) {
      if (time > cut) {
        from = time;
        break;
      }
    }
    for (const [id, time] of memory.ids) if (time < from) memory.ids.delete(id);
    memory.coveredFrom = from;
  }
}

/** Rows of `chunks` too old for the memory: their ids are asked of the store before `withoutDuplicates`. */
export function rowsToAskTheStore(partition: number, chunks: readonly InsertChunk[], seen: SeenEvents): ChatEventRow[] {
  const rows: ChatEventRow[] = [];
  for (const chunk of chunks) for (const row of chunk.rows) if (seen.isBeyondMemory(partition, row)) rows.push(row);
  return rows;
}

/**
 * `chunks` without the rows delivered before (seen in memory, or among `storedIds` for rows older than the
 * memory), remembering the rest, in order. A chunk keeps the range of its remaining rows: a skipped offset,
 * like a dead-lettered one, holds no row. The same stored state gives the same chunks.
 */
export function withoutDuplicates(
  partition: number,
  chunks: readonly InsertChunk[],
  seen: SeenEvents,
  storedIds: ReadonlySet<string>,
): { chunks: InsertChunk[]; duplicates: number } {
  const kept: InsertChunk[] = [];
  let duplicates = 0;
  for (const chunk of chunks) {
    let keep: boolean[] | null = null;
    for (const [index, row] of chunk.rows.entries()) {
      const sighting = seen.look(partition, row);
      if (sighting === 'duplicate' || (sighting === 'ask_store' && storedIds.has(row.event_id))) {
        keep ??= chunk.rows.map(() => true);
        keep[index] = false;
        duplicates += 1;
      } else {
        seen.remember(partition, row);
      }
    }
    if (keep === null) {
      kept.push(chunk);
      continue;
    }
    const flags = keep;
    const rows = chunk.rows.filter((_, index) => flags[index]);
    if (rows.length === 0) continue;
    kept.push({
      firstOffset: rows[0]!.kafka_offset,
      lastOffset: rows.at(-1)!.kafka_offset,
      rows,
      sources: chunk.sources.filter((_, index) => flags[index]),
    });
  }
  return { chunks: kept, duplicates };
}
