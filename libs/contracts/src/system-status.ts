import { z } from 'zod';

/**
 * The health of the system's parts as the api sees them, pushed to the walls (the `system_status` frame of
 * `/live`): which part is down and since when, from the parts' own health endpoints and the api's own
 * queries, never guessed from silence on the wall. The api itself is not listed: a wall that lost it says so
 * from its socket.
 */

export const SYSTEM_PARTS = ['ingest', 'bot', 'store', 'broker'] as const;
export const systemPartSchema = z.enum(SYSTEM_PARTS);
export type SystemPart = z.infer<typeof systemPartSchema>;

/** `degraded`: it answers but cannot do all of its work (ingest catching up, the bot spooling events). */
export const PART_STATES = ['up', 'degraded', 'down'] as const;
export const partStateSchema = z.enum(PART_STATES);
export type PartState = z.infer<typeof partStateSchema>;

/** Longest `problem` text: a few words on a wall, not a stack trace. */
export const PART_PROBLEM_MAX_CHARS = 120;

export const partStatusSchema = z.strictObject({
  part: systemPartSchema,
  state: partStateSchema,
  /** When the part entered this state (the api's first observation of it). */
  since: z.iso.datetime({ offset: true }),
  /** The last problem seen, in a few words; null while up. */
  problem: z.string().max(PART_PROBLEM_MAX_CHARS).nullable(),
});
export type PartStatus = z.infer<typeof partStatusSchema>;

export const systemStatusSchema = z.strictObject({
  /** Each part the api watches, in SYSTEM_PARTS order; a part it was not told how to reach is left out. */
  parts: z.array(partStatusSchema).max(SYSTEM_PARTS.length),
  /**
   * Events of `chat.events` lost before they were stored (holes in the Kafka offsets ingest found):
   * anything above 0 is data loss the wall must show. It only grows: while the store cannot be asked the
   * last count stands; null until the api could ask it once.
   */
  missingEvents: z.number().int().nonnegative().nullable(),
});
export type SystemStatus = z.infer<typeof systemStatusSchema>;

/**
 * What the api reads of ingest's `GET /health/ingest`: its status only (the rest is per-partition detail;
 * the missing events are read from the store, where they outlive ingest's restarts).
 */
export const ingestHealthProbeSchema = z.object({
  status: z.enum(['ok', 'catching_up', 'store_unavailable', 'failed']),
});
export type IngestHealthProbe = z.infer<typeof ingestHealthProbeSchema>;
