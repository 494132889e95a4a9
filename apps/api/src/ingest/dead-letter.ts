import { createHash } from 'node:crypto';
import { DEAD_LETTER_MAX_ORIGINAL_BYTES, DEAD_LETTER_MAX_REASONS_BYTES, type DeadLetter } from '@warroom/contracts';
import type { KafkaPosition } from '../repositories/chat-event-row';
import { truncateUtf8 } from './store-errors';

/**
 * Builds the dead letter of a bad message: its reasons (within DEAD_LETTER_MAX_REASONS_BYTES), where it came
 * from, and its original bytes (truncated past 64 KB, with the full size and sha256), so nothing about it is
 * lost and nothing in it can break the DLQ (the bytes travel as base64, never as text).
 */
export function buildDeadLetter(
  value: Buffer | null,
  key: Buffer | null,
  position: KafkaPosition,
  reasons: string[],
  now: Date,
): DeadLetter {
  const bytes = value ?? Buffer.alloc(0);
  const truncated = bytes.length > DEAD_LETTER_MAX_ORIGINAL_BYTES;
  return {
    v: 1,
    reasons: boundReasons(reasons),
    source: position,
    key: key === null ? null : key.toString('base64'),
    deadLetteredAt: now.toISOString(),
    original: {
      base64: (truncated ? bytes.subarray(0, DEAD_LETTER_MAX_ORIGINAL_BYTES) : bytes).toString('base64'),
      sizeBytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      truncated,
    },
  };
}

/**
 * The reasons in order, cut to DEAD_LETTER_MAX_REASONS_BYTES in all; once the budget is spent, one last
 * `… and N more` line says how many were left out.
 */
export function boundReasons(reasons: readonly string[]): string[] {
  const bounded: string[] = [];
  let left = DEAD_LETTER_MAX_REASONS_BYTES;
  for (const [index, reason] of reasons.entries()) {
    const more = `… and ${reasons.length - index} more`;
    // Room is kept for the `more` line, which only shortens as reasons are taken.
    const room = left - (index === reasons.length - 1 ? 0 : Buffer.byteLength(more));
    if (room < 64 && Buffer.byteLength(reason) > room) {
      bounded.push(more);
      return bounded;
    }
    const line = truncateUtf8(reason, room);
    bounded.push(line);
    left -= Buffer.byteLength(line);
  }
  return bounded;
}
