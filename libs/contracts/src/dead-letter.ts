import { z } from 'zod';

/** Past this size the original bytes are truncated in the dead letter, keeping their size and sha256. */
export const DEAD_LETTER_MAX_ORIGINAL_BYTES = 64 * 1024;

/**
 * A letter's reasons fit in this many UTF-8 bytes in all (a store's masked message of up to 1 KiB with its
 * code, or the contract's reasons), so that with the truncated original a letter stays near 90 KB, far
 * within what a broker takes.
 */
export const DEAD_LETTER_MAX_REASONS_BYTES = 2 * 1024;

/** A record on `chat.events.dlq`: everything about a bad message, in a shape that cannot itself be bad. */
export const deadLetterSchema = z.strictObject({
  v: z.literal(1),
  reasons: z.array(z.string().max(DEAD_LETTER_MAX_REASONS_BYTES)).min(1),
  source: z.strictObject({ topic: z.string(), partition: z.number().int(), offset: z.string() }),
  /** The message key, base64 (keys are bytes too). */
  key: z.string().nullable(),
  deadLetteredAt: z.iso.datetime({ offset: true }),
  original: z.strictObject({
    base64: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    truncated: z.boolean(),
  }),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
