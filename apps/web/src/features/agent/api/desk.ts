import { queryOptions } from '@tanstack/react-query';
import {
  agentChatSchema,
  agentConversationSchema,
  agentQueueSchema,
  agentSuggestionsSchema,
  recordedEventSchema,
  type AgentChat,
  type AgentConversation,
  type AgentDeskFlagRequest,
  type AgentDeskReplyRequest,
  type AgentDeskSessionRef,
  type AgentQueue,
  type AgentSuggestions,
  type RecordedEvent,
} from '@warroom/contracts';
import { apiRequest } from '../../../lib/api-client';

/** `GET /api/agent/queue`: waiting sessions (oldest first) and the chats agents hold. */
export function fetchQueue(token: string, signal?: AbortSignal): Promise<AgentQueue> {
  return apiRequest(token, 'GET', '/api/agent/queue?limit=200', agentQueueSchema, undefined, signal);
}

/** How often the queue is read: waits count in seconds. */
const QUEUE_POLL_MS = 1_500;

export function queueQueryOptions(token: string) {
  return queryOptions({ queryKey: ['agent', 'queue'], queryFn: ({ signal }) => fetchQueue(token, signal), refetchInterval: QUEUE_POLL_MS });
}

/** The api names the agent to the bot: only the session is sent. */
export function acceptChat(token: string, ref: AgentDeskSessionRef): Promise<AgentChat> {
  return apiRequest(token, 'POST', '/api/agent/accept', agentChatSchema, ref);
}

export function sendReply(token: string, request: AgentDeskReplyRequest): Promise<RecordedEvent> {
  return apiRequest(token, 'POST', '/api/agent/reply', recordedEventSchema, request);
}

export function endChat(token: string, ref: AgentDeskSessionRef): Promise<RecordedEvent> {
  return apiRequest(token, 'POST', '/api/agent/end', recordedEventSchema, ref);
}

/** A question the agent answered by hand, for the trainers' inbox. */
export function flagQuestion(token: string, request: AgentDeskFlagRequest): Promise<RecordedEvent> {
  return apiRequest(token, 'POST', '/api/agent/flag', recordedEventSchema, request);
}

export function fetchConversation(token: string, ref: AgentDeskSessionRef, signal?: AbortSignal): Promise<AgentConversation> {
  const query = new URLSearchParams(ref).toString();
  return apiRequest(token, 'GET', `/api/agent/conversation?${query}`, agentConversationSchema, undefined, signal);
}

/** How often an open chat's conversation is read again: ingest stores each step a moment after it happens. */
const CONVERSATION_POLL_MS = 2_000;

export function conversationQueryOptions(token: string, ref: AgentDeskSessionRef) {
  return queryOptions({
    queryKey: ['agent', 'conversation', ref.shopId, ref.sessionId],
    queryFn: ({ signal }) => fetchConversation(token, ref, signal),
    refetchInterval: CONVERSATION_POLL_MS,
  });
}

/** The bot's top 3 answers for the customer's question, best first. */
export function fetchSuggestions(token: string, shopId: string, text: string, signal?: AbortSignal): Promise<AgentSuggestions> {
  const query = new URLSearchParams({ shopId, text }).toString();
  return apiRequest(token, 'GET', `/api/agent/suggestions?${query}`, agentSuggestionsSchema, undefined, signal);
}

export function suggestionsQueryOptions(token: string, shopId: string, text: string) {
  return queryOptions({ queryKey: ['agent', 'suggestions', shopId, text], queryFn: ({ signal }) => fetchSuggestions(token, shopId, text, signal) });
}
