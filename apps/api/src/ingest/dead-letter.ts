import { createHash } from 'node:crypto';
import { DEAD_LETTER_MAX_ORIGINAL_BYTES, type DeadLetter } from '@warroom/contracts';
import type { KafkaPosition } from './chat-event-row';

/**
 * Builds the dead letter of a bad message: every reason, where it came from, and its original bytes
 * (truncated past 64 KB, with the full size and sha256), so nothing about it is lost and nothing in it
 * can break the DLQ (the bytes travel as base64, never as text).
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
    reasons,
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
