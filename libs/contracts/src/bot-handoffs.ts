import { z } from 'zod';
import { channelSchema, emotionSchema, eventSourceSchema, handoffReasonSchema, modeSchema, stageSchema } from './chat-event';
import { shopIdSchema, skuSchema } from './kb-pack';
import { wellFormedString } from './well-formed';

/**
 * What bots tell each other on `bot.handoffs` (issue 20: a bot that dies hands its waiting customers to the
 * others). One partition, compacted: every bot appends its presence (key `presence/<botId>`) every second,
 * and the state of each session in its handoff queue (key `session/<shopId>/<sessionId>`, a tombstone once
 * the session leaves the queue), with what the bot remembers of the conversation. Every bot follows the log
 * from its beginning and applies it with one rule (apps/bot/src/agent/handoff-ledger.ts), so all agree on
 * which bot holds each queued session, and the one that the routing picks among the live bots adopts the
 * sessions of a bot whose presence stopped.
 */

const id = wellFormedString().min(1).max(128);
const epochMs = z.number().int().nonnegative();

/** Who wrote a record: the bot's routing name and this run of it (random at each start). */
export const botIncarnationSchema = z.strictObject({
  botId: id,
  incarnation: z.string().min(1).max(64),
});
export type BotIncarnation = z.infer<typeof botIncarnationSchema>;

export const botPresenceSchema = z.strictObject({
  kind: z.literal('presence'),
  ...botIncarnationSchema.shape,
  startedAtMs: epochMs,
});
export type BotPresence = z.infer<typeof botPresenceSchema>;

/** A handoff queue entry as the bot holds it (`apps/bot/src/agent/handoff-queue.ts`). */
export const queuedSessionSchema = z.strictObject({
  shopId: shopIdSchema,
  sessionId: id,
  customerId: id,
  channel: channelSchema,
  source: eventSourceSchema,
  mode: modeSchema,
  stage: stageSchema,
  sku: skuSchema.nullable(),
  handoffReason: handoffReasonSchema,
  lastQuestion: z.strictObject({ eventId: id, text: wellFormedString().min(1).max(4000), atMs: epochMs }),
  emotion: emotionSchema,
  questions: z.number().int().nonnegative(),
  handedOffAtMs: epochMs,
  state: z.enum(['waiting', 'active']),
  agentId: id.nullable(),
  acceptedAtMs: epochMs.nullable(),
  acceptEventId: id.nullable(),
  lastActivityMs: epochMs,
});
export type QueuedSession = z.infer<typeof queuedSessionSchema>;

/** What the bot remembers of the conversation, enough for another bot to continue it (`chat/session-store.ts`). */
export const conversationMemorySchema = z.strictObject({
  sku: skuSchema.nullable(),
  orderState: z.enum(['none', 'ordered', 'received']),
  unmatchedStreak: z.number().int().nonnegative(),
  lastStage: stageSchema,
  channel: channelSchema.nullable(),
  source: eventSourceSchema.nullable(),
  lastQuestionEventId: id.nullable(),
  lastSeenMs: epochMs,
});
export type ConversationMemory = z.infer<typeof conversationMemorySchema>;

export const heldSessionSchema = z.strictObject({
  kind: z.literal('held'),
  /** The bot that holds the session from this record on (its writer). */
  ...botIncarnationSchema.shape,
  entry: queuedSessionSchema,
  /** Null when the bot no longer remembers the conversation (idle past BOT_SESSION_IDLE_MS). */
  memory: conversationMemorySchema.nullable(),
  /**
   * Set when the holder (this run, the writer) hands the session to the bot named above: a bot that came
   * back, to which the routing sends the customer again.
   */
  from: botIncarnationSchema.optional(),
});
export type HeldSession = z.infer<typeof heldSessionSchema>;

export const botHandoffRecordSchema = z.discriminatedUnion('kind', [botPresenceSchema, heldSessionSchema]);
export type BotHandoffRecord = z.infer<typeof botHandoffRecordSchema>;

/** The record keys: presence per bot, state per session (compaction keeps the newest of each). */
export const botHandoffKeys = {
  presence: (botId: string): string => `presence/${botId}`,
  session: (shopId: string, sessionId: string): string => `session/${shopId}/${sessionId}`,
};

/** The session a record key names (shop ids hold no `/`, session ids may), or null for a presence or a foreign key. */
export function sessionOfHandoffKey(key: string): { shopId: string; sessionId: string } | null {
  const match = /^session\/([^/]+)\/(.+)$/s.exec(key);
  return match ? { shopId: match[1]!, sessionId: match[2]! } : null;
}
