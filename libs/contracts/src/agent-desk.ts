import { z } from 'zod';
import { agentQueueQuerySchema } from './agent-console';
import { kbReplySchema, shopIdSchema } from './kb-pack';
import { personText, wellFormedString } from './well-formed';

/**
 * The agent console's api (`/api/agent/*` on apps/api): what the browser sends. The api signs the agent
 * in (session token, role agent or lead), names the agent itself (`agentId` = the user's login, so every
 * `agent_*` event records who acted) and forwards each step to the bot (agent-console.ts has the bot's
 * side). Replies to queue/accept/reply/end/flag are the bot's, unchanged; 404 and 409 keep the bot's
 * status and message.
 *
 * | method and path | body / query | reply |
 * | --- | --- | --- |
 * | `GET /api/agent/queue` | `agentQueueQuerySchema` | `agentQueueSchema` |
 * | `POST /api/agent/accept` | `agentDeskSessionRefSchema` | `agentChatSchema` |
 * | `POST /api/agent/reply` | `agentDeskReplyRequestSchema` | `recordedEventSchema` |
 * | `POST /api/agent/end` | `agentDeskSessionRefSchema` | `recordedEventSchema` |
 * | `POST /api/agent/flag` | `agentDeskFlagRequestSchema` | `recordedEventSchema` |
 * | `GET /api/agent/conversation` | `agentDeskSessionRefSchema` | `agentConversationSchema` |
 * | `GET /api/agent/suggestions` | `agentSuggestionsQuerySchema` | `agentSuggestionsSchema` |
 */

/** Refused with a lone surrogate, repaired text: see well-formed.ts. */
const id = wellFormedString().min(1).max(128);
const text = personText().min(1).max(4000).regex(/\S/, 'must not be blank');

export const agentDeskQueueQuerySchema = agentQueueQuerySchema;

export const agentDeskSessionRefSchema = z.strictObject({ shopId: shopIdSchema, sessionId: id });
export type AgentDeskSessionRef = z.infer<typeof agentDeskSessionRefSchema>;

export const agentDeskReplyRequestSchema = z.strictObject({ shopId: shopIdSchema, sessionId: id, text });
export type AgentDeskReplyRequest = z.infer<typeof agentDeskReplyRequestSchema>;

/** `text`: what the customer meant, or the answer the agent gave by hand (the gap engine clusters it). */
export const agentDeskFlagRequestSchema = z.strictObject({ shopId: shopIdSchema, sessionId: id, text, questionEventId: id.optional() });
export type AgentDeskFlagRequest = z.infer<typeof agentDeskFlagRequestSchema>;

/** One step of a conversation as ClickHouse stored it (ingest lags the bot by a moment). */
export const conversationMessageSchema = z.strictObject({
  eventId: z.string(),
  at: z.iso.datetime({ offset: true }),
  /** The ChatEvent kind: `question`, `handoff`, `agent_accept`, `agent_reply`, `agent_flag`, … */
  kind: z.string(),
  /** The customer's question (raw: the agent is talking to this customer) or the agent's reply. */
  text: z.string(),
  /** For questions: `answered`, `unmatched` or `handoff`; empty otherwise. */
  outcome: z.string(),
  /** The answer the bot sent, for answered questions; empty otherwise. */
  answerId: z.string(),
  /** The agent who acted, for agent steps; empty otherwise. */
  agentId: z.string(),
});
export type ConversationMessage = z.infer<typeof conversationMessageSchema>;

export const agentConversationSchema = z.strictObject({
  shopId: z.string(),
  sessionId: z.string(),
  /** Oldest first, at most 200. */
  messages: z.array(conversationMessageSchema).max(200),
});
export type AgentConversation = z.infer<typeof agentConversationSchema>;

export const agentSuggestionsQuerySchema = z.strictObject({ shopId: shopIdSchema, text: personText().trim().min(1).max(4000) });
export type AgentSuggestionsQuery = z.infer<typeof agentSuggestionsQuerySchema>;

/** The bot's top 3 answers to a question, best first, with the reply a pick would send. */
export const agentSuggestionsSchema = z.strictObject({
  /** Whether the best one clears the bot's own threshold (it would have answered with it); false: they are guesses. */
  matched: z.boolean(),
  suggestions: z.array(z.strictObject({ answerId: z.string(), score: z.number().min(0).max(1), reply: kbReplySchema })).max(3),
});
export type AgentSuggestions = z.infer<typeof agentSuggestionsSchema>;
