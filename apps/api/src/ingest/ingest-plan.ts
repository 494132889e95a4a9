import { parseChatEvent, type DeadLetter } from '@warroom/contracts';
import { tablePartitionOf, toChatEventRow, type ChatEventRow } from '../repositories/chat-event-row';
import type { IncomingMessage } from '../repositories/kafka.repository';
import { buildDeadLetter } from './dead-letter';

/** One INSERT: a contiguous offset range of one Kafka partition that lands in one table partition. */
export interface InsertChunk {
  firstOffset: string;
  lastOffset: string;
  rows: ChatEventRow[];
  /** The message of each row (same index): what a dead letter carries if the store refuses the row. */
  sources: IncomingMessage[];
}

export interface IngestPlan {
  chunks: InsertChunk[];
  deadLetters: DeadLetter[];
  /** Messages at or below the stored offset: already in ClickHouse from an earlier run. */
  alreadyStored: number;
}

/**
 * Turns one Kafka batch into the inserts and dead letters that store it exactly once: messages the store
 * already holds are skipped, valid events are cut into chunks that never span two table partitions nor
 * exceed `maxRows`, and invalid ones become dead letters. Offsets stay in order throughout.
 */
export function planIngest(
  topic: string,
  partition: number,
  messages: IncomingMessage[],
  storedOffset: bigint | null,
  maxRows: number,
  now: Date,
): IngestPlan {
  const plan: IngestPlan = { chunks: [], deadLetters: [], alreadyStored: 0 };
  let current: InsertChunk | null = null;
  let currentMonth = '';
  for (const message of messages) {
    if (storedOffset !== null && BigInt(message.offset) <= storedOffset) {
      plan.alreadyStored += 1;
      continue;
    }
    const position = { topic, partition, offset: message.offset };
    const parsed = parseChatEvent(message.value, now.getTime());
    if (!parsed.ok) {
      plan.deadLetters.push(buildDeadLetter(message.value, message.key, position, parsed.reasons, now));
      continue;
    }
    const row = toChatEventRow(parsed.value, position);
    const month = tablePartitionOf(row);
    if (!current || month !== currentMonth || current.rows.length >= maxRows) {
      current = { firstOffset: message.offset, lastOffset: message.offset, rows: [], sources: [] };
      currentMonth = month;
      plan.chunks.push(current);
    }
    current.rows.push(row);
    current.sources.push(message);
    current.lastOffset = message.offset;
  }
  return plan;
}
