import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type {
  AbandonRequest,
  AgentAcceptRequest,
  AgentChat,
  AgentChatReplyRequest,
  AgentEndRequest,
  AgentFlagRequest,
  AgentQueue,
  AgentQueueQuery,
  ChatEvent,
  RecordedEvent,
  WaitingSession,
} from '@warroom/contracts';
import { CHAT_SETTINGS, type ChatSettings } from '../chat/chat-settings';
import { SessionStore } from '../chat/session-store';
import { EVENT_SINK, type EventSink } from '../events/event-outbox';
import { KnowledgeBase, UnknownShopError } from '../knowledge/knowledge-base';
import { CLOCK, type Clock } from '../repositories/clock';
import { HandoffQueue, notInQueue, type HandedOffSession, type QueueEntry } from './handoff-queue';

export const QUEUE_SETTINGS = Symbol('QUEUE_SETTINGS');

export interface QueueSettings {
  /** A waiting customer is abandoned by the bot after this long (see BOT_QUEUE_MAX_WAIT_MS). */
  maxWaitMs: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * The human agents' desk: the handoff queue and the steps of a human chat (accept, reply, end, flag), and
 * the customer who gives up waiting. Every step is checked against the session's state in the queue and
 * recorded as one ChatEvent, with the session's own source, channel and stage, so rehearsal chats stay
 * rehearsal chats. Synchronous like ChatService: one step at a time, no locks.
 */
@Injectable()
export class AgentDeskService {
  private readonly logger = new Logger(AgentDeskService.name);

  constructor(
    private readonly queue: HandoffQueue,
    private readonly sessions: SessionStore,
    private readonly kb: KnowledgeBase,
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
    @Inject(QUEUE_SETTINGS) private readonly queueSettings: QueueSettings,
  ) {}

  /** A handoff decided by ChatService: the session waits for a human (or, already queued, is refreshed). */
  handOff(session: HandedOffSession): void {
    const nowMs = this.clock.now();
    const { evicted } = this.queue.handOff(session, nowMs);
    if (evicted.length > 0) {
      this.logger.warn(`Handoff queue full: ${evicted.length} waiting session(s) recorded as abandoned`);
      this.sink.publish(evicted.map((entry) => this.event(entry, nowMs, { kind: 'abandon' })));
    }
  }

  /** A question in a queued session: the agent sees it as the newest. */
  noteQuestion(shopId: string, sessionId: string, question: Parameters<HandoffQueue['noteQuestion']>[2]): void {
    this.queue.noteQuestion(shopId, sessionId, question, this.clock.now());
  }

  list(query: AgentQueueQuery): AgentQueue {
    if (query.shopId !== undefined) this.checkShop(query.shopId);
    const nowMs = this.clock.now();
    const waiting = this.queue.listWaiting(query.shopId, query.limit);
    return {
      asOf: iso(nowMs),
      waitingTotal: waiting.total,
      waiting: waiting.entries.map((entry) => waitingSession(entry, nowMs)),
      active: this.queue.listActive(query.shopId).map(agentChat),
    };
  }

  accept(request: AgentAcceptRequest): AgentChat {
    this.checkShop(request.shopId);
    const nowMs = this.clock.now();
    const eventId = randomUUID();
    const entry = this.queue.accept(request.shopId, request.sessionId, request.agentId, eventId, nowMs);
    this.sink.publish([this.event(entry, nowMs, { kind: 'agent_accept', agentId: request.agentId }, eventId)]);
    return agentChat(entry);
  }

  reply(request: AgentChatReplyRequest): RecordedEvent {
    this.checkShop(request.shopId);
    const nowMs = this.clock.now();
    const entry = this.queue.held(request.shopId, request.sessionId, request.agentId, nowMs);
    return this.record(entry, nowMs, { kind: 'agent_reply', agentId: request.agentId, text: request.text });
  }

  end(request: AgentEndRequest): RecordedEvent {
    this.checkShop(request.shopId);
    const nowMs = this.clock.now();
    const entry = this.queue.end(request.shopId, request.sessionId, request.agentId, nowMs);
    return this.record(entry, nowMs, { kind: 'agent_end', agentId: request.agentId });
  }

  /** A question flagged for the trainers: the session must be queued, or known to the bot. */
  flag(request: AgentFlagRequest): RecordedEvent {
    this.checkShop(request.shopId);
    const nowMs = this.clock.now();
    const facts = this.queue.get(request.shopId, request.sessionId) ?? this.knownSession(request.shopId, request.sessionId, nowMs);
    const questionEventId = request.questionEventId ?? facts.lastQuestion.eventId;
    return this.record(facts, nowMs, { kind: 'agent_flag', agentId: request.agentId, text: request.text, questionEventId });
  }

  abandon(request: AbandonRequest): RecordedEvent {
    this.checkShop(request.shopId);
    const entry = this.queue.get(request.shopId, request.sessionId);
    if (entry && entry.customerId !== request.customerId) {
      throw notInQueue(`session ${request.sessionId} of shop ${request.shopId} is not customer ${request.customerId}'s`, request.shopId, request.sessionId);
    }
    const abandoned = this.queue.abandon(request.shopId, request.sessionId);
    return this.record(abandoned, this.clock.now(), { kind: 'abandon' });
  }

  /** Customers waiting past the limit have gone: recorded as abandoned. Returns how many. */
  expire(): number {
    const nowMs = this.clock.now();
    const { abandoned, forgotten } = this.queue.expire(nowMs, this.queueSettings.maxWaitMs);
    if (abandoned.length > 0) this.sink.publish(abandoned.map((entry) => this.event(entry, nowMs, { kind: 'abandon' })));
    if (forgotten > 0) this.logger.warn(`${forgotten} chat(s) held without activity too long were dropped from the queue without agent_end`);
    return abandoned.length;
  }

  private checkShop(shopId: string): void {
    if (!this.kb.has(shopId)) throw new UnknownShopError(shopId);
  }

  /** A session the bot remembers but that is not queued (e.g. flagged after its chat ended). */
  private knownSession(shopId: string, sessionId: string, nowMs: number): EventFacts & { lastQuestion: { eventId: string } } {
    const session = this.sessions.peek(shopId, sessionId, nowMs);
    if (!session || session.lastQuestionEventId === null) {
      throw notInQueue(`session ${sessionId} of shop ${shopId} is not known to the bot`, shopId, sessionId);
    }
    return {
      shopId,
      sessionId,
      customerId: session.customerId,
      channel: session.channel ?? this.settings.channel,
      source: session.source ?? this.settings.source,
      mode: 'bot',
      stage: session.lastStage,
      sku: session.sku,
      lastQuestion: { eventId: session.lastQuestionEventId },
    };
  }

  private record(facts: EventFacts, nowMs: number, body: EventBody): RecordedEvent {
    const eventId = randomUUID();
    this.sink.publish([this.event(facts, nowMs, body, eventId)]);
    return { eventId };
  }

  private event(facts: EventFacts, nowMs: number, body: EventBody, eventId = randomUUID()): ChatEvent {
    return {
      v: 1,
      eventId,
      eventTime: iso(nowMs),
      source: facts.source,
      campaignId: this.settings.campaignId,
      shopId: facts.shopId,
      sessionId: facts.sessionId,
      customerId: facts.customerId,
      channel: facts.channel,
      mode: facts.mode,
      stage: facts.stage,
      ...(facts.sku === null ? {} : { sku: facts.sku }),
      ...body,
    };
  }
}

type EventFacts = Pick<HandedOffSession, 'shopId' | 'sessionId' | 'customerId' | 'channel' | 'source' | 'mode' | 'stage' | 'sku'>;
type EventBody =
  | { kind: 'agent_accept' | 'agent_end'; agentId: string }
  | { kind: 'agent_reply'; agentId: string; text: string }
  | { kind: 'agent_flag'; agentId: string; text: string; questionEventId: string }
  | { kind: 'abandon' };

function facts(entry: QueueEntry) {
  return {
    shopId: entry.shopId,
    sessionId: entry.sessionId,
    customerId: entry.customerId,
    channel: entry.channel,
    source: entry.source,
    mode: entry.mode,
    stage: entry.stage,
    sku: entry.sku,
    handoffReason: entry.handoffReason,
    handedOffAt: iso(entry.handedOffAtMs),
    lastQuestion: { eventId: entry.lastQuestion.eventId, text: entry.lastQuestion.text, at: iso(entry.lastQuestion.atMs) },
    emotion: entry.emotion,
    questions: entry.questions,
  };
}

function waitingSession(entry: QueueEntry, nowMs: number): WaitingSession {
  return { ...facts(entry), waitSec: Math.max(0, nowMs - entry.handedOffAtMs) / 1000 };
}

function agentChat(entry: QueueEntry): AgentChat {
  const { agentId, acceptedAtMs, acceptEventId } = entry;
  if (agentId === null || acceptedAtMs === null || acceptEventId === null) throw new Error(`session ${entry.sessionId} is not held by an agent`);
  return {
    ...facts(entry),
    agentId,
    acceptedAt: iso(acceptedAtMs),
    waitedSec: Math.max(0, acceptedAtMs - entry.handedOffAtMs) / 1000,
    acceptEventId,
  };
}
