import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  AgentReplyRequest,
  Channel,
  ChatEvent,
  ChatReply,
  ChatRequest,
  EventSource,
  Mode,
  OrderRequest,
  QuestionEvent,
  RecordedEvent,
  Stage,
  Suggestion,
} from '@warroom/contracts';
import { AgentDeskService } from '../agent/agent-desk.service';
import { EVENT_SINK, type EventSink } from '../events/event-outbox';
import { KnowledgeBase, SELLING_POINTS_ANSWER_ID, UnknownShopError, type ResolvedAnswer } from '../knowledge/knowledge-base';
import { asksNothingSpecific } from '../knowledge/product-mention';
import type { MatchOutcome } from '../knowledge/question-matcher';
import { OutreachService } from '../outreach/outreach.service';
import { CLOCK, type Clock } from '../repositories/clock';
import { REPHRASE_REPLY, handoffReply, replyAsText } from './bot-replies';
import { CHAT_SETTINGS, type ChatSettings } from './chat-settings';
import { detectEmotion } from './emotion';
import { wantsHuman } from './handoff-cues';
import { decideOutcome, nextUnmatchedStreak } from './outcome';
import { SessionStore, type Session } from './session-store';
import { advanceOrderState, detectStage, orderStateCue } from './stage';

const SUGGESTIONS = 3;

/**
 * One customer message in, one decision out: product context, emotion, stage, the outcome rules of
 * DESIGN.md (see outcome.ts), the reply, and the ChatEvents that record it all (the question, then the
 * answer or the handoff). Synchronous on purpose: a session's messages are handled one at a time
 * without locks, and events are handed to the outbox, which never makes a customer wait for Kafka.
 */
@Injectable()
export class ChatService {
  constructor(
    private readonly kb: KnowledgeBase,
    private readonly sessions: SessionStore,
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CHAT_SETTINGS) private readonly settings: ChatSettings,
    private readonly desk: AgentDeskService,
    private readonly outreach: OutreachService,
  ) {}

  ask(request: ChatRequest): ChatReply {
    const nowMs = this.clock.now();
    const session = this.session(request, nowMs);
    const mode = request.mode ?? 'bot';
    if (request.sku !== undefined) session.sku = request.sku;
    const mention = this.kb.findProduct(request.shopId, request.text, nowMs);
    if (mention) session.sku = mention.sku;
    session.orderState = advanceOrderState(session.orderState, orderStateCue(request.text));
    const emotion = detectEmotion(request.text);

    // A bare product link asks for the product itself: its selling points.
    const match: MatchOutcome =
      mention?.via === 'link' && asksNothingSpecific(mention.rest)
        ? { candidates: [{ answerId: SELLING_POINTS_ANSWER_ID, score: 1 }], confidence: 1, matched: true }
        : // Bot mode needs the best candidate only; assist mode suggests three.
          this.kb.match(request.shopId, mention?.via === 'link' ? mention.rest : request.text, mode === 'assist' ? SUGGESTIONS : 1);
    const best = match.candidates[0] ?? null;
    const resolved = best ? this.kb.resolve(request.shopId, best.answerId, session.sku, nowMs) : null;
    const matched = match.matched && resolved !== null;

    const decision = decideOutcome({
      mode,
      wantsHuman: wantsHuman(request.text),
      emotion,
      matched,
      unmatchedStreak: session.unmatchedStreak,
      angryHandoffIntensity: this.settings.angryHandoffIntensity,
    });
    const stage = detectStage({
      text: request.text,
      orderState: session.orderState,
      answerStage: matched && resolved ? resolved.stage : null,
    });
    session.unmatchedStreak = nextUnmatchedStreak(decision, session.unmatchedStreak);
    session.lastStage = stage;

    const common = this.common(request, session, mode, stage, nowMs);
    const questionEventId = randomUUID();
    const bestCandidate = best ? { answerId: best.answerId, score: best.score } : null;
    const question = { ...common, eventId: questionEventId, kind: 'question' as const, text: request.text, emotion };
    // Recorded after the question it judged, only when the session's scenario or score changed.
    const intent = this.outreach.observeQuestion(common, request.text);
    const replyCommon = { questionEventId, sessionId: request.sessionId, stage, emotion, sku: session.sku };
    session.channel = common.channel;
    session.source = common.source;
    session.lastQuestionEventId = questionEventId;
    const lastQuestion = { eventId: questionEventId, text: request.text, atMs: nowMs };
    // A customer already waiting for (or talking to) a person: the agent sees the newest question.
    this.desk.noteQuestion(request.shopId, request.sessionId, { lastQuestion, emotion, stage, sku: session.sku });

    if (decision.outcome === 'answered' && resolved && best) {
      const ref = { answerId: resolved.answerId, revision: resolved.revision, score: best.score };
      this.sink.publish([
        { ...question, outcome: 'answered', match: ref },
        { ...common, eventId: randomUUID(), kind: 'answer', text: replyAsText(resolved.reply), answer: ref, questionEventId },
        ...intent,
      ]);
      return { ...replyCommon, outcome: 'answered', answer: ref, reply: resolved.reply };
    }
    if (decision.outcome === 'handoff') {
      const reason = decision.reason;
      const events: ChatEvent[] = [{ ...question, outcome: 'handoff', handoffReason: reason, bestCandidate } satisfies QuestionEvent];
      // In assist mode the conversation already is with a person: nothing is handed over.
      if (reason !== 'assist_mode') events.push({ ...common, eventId: randomUUID(), kind: 'handoff', handoffReason: reason });
      this.sink.publish([...events, ...intent]);
      if (reason !== 'assist_mode') {
        this.desk.handOff({
          shopId: request.shopId,
          sessionId: request.sessionId,
          customerId: request.customerId,
          channel: common.channel,
          source: common.source,
          mode,
          stage,
          sku: session.sku,
          handoffReason: reason,
          lastQuestion,
          emotion,
          questions: 1,
        });
      }
      return {
        ...replyCommon,
        outcome: 'handoff',
        handoffReason: reason,
        bestCandidate,
        reply: handoffReply(reason),
        suggestions: reason === 'assist_mode' ? this.suggestions(request.shopId, match, session, nowMs) : [],
      };
    }
    this.sink.publish([{ ...question, outcome: 'unmatched', bestCandidate }, ...intent]);
    return { ...replyCommon, outcome: 'unmatched', bestCandidate, reply: REPHRASE_REPLY };
  }

  /** The reply a human agent sent (a suggestion, edited or not, or their own words). */
  recordAgentReply(request: AgentReplyRequest): RecordedEvent {
    const nowMs = this.clock.now();
    const session = this.session(request, nowMs);
    const eventId = randomUUID();
    this.sink.publish([
      { ...this.common(request, session, 'assist', session.lastStage, nowMs), eventId, kind: 'agent_reply', agentId: request.agentId, text: request.text },
    ]);
    return { eventId };
  }

  /** An order in the session: from now on its questions are in_sale unless they say otherwise. */
  recordOrder(request: OrderRequest): RecordedEvent {
    const nowMs = this.clock.now();
    const session = this.session(request, nowMs);
    session.orderState = advanceOrderState(session.orderState, 'ordered');
    if (request.sku !== undefined) session.sku = request.sku;
    session.lastStage = 'in_sale';
    this.outreach.noteOrder(request);
    const eventId = randomUUID();
    this.sink.publish([
      {
        ...this.common(request, session, request.mode ?? 'bot', 'in_sale', nowMs),
        eventId,
        kind: 'order',
        orderId: request.orderId,
        amountCents: request.amountCents,
      },
    ]);
    return { eventId };
  }

  private session(request: { shopId: string; sessionId: string; customerId: string }, nowMs: number): Session {
    if (!this.kb.has(request.shopId)) throw new UnknownShopError(request.shopId);
    return this.sessions.touch(request.shopId, request.sessionId, request.customerId, nowMs);
  }

  private suggestions(shopId: string, match: MatchOutcome, session: Session, nowMs: number): Suggestion[] {
    const suggestions: Suggestion[] = [];
    for (const candidate of match.candidates.slice(0, SUGGESTIONS)) {
      const resolved: ResolvedAnswer | null = this.kb.resolve(shopId, candidate.answerId, session.sku, nowMs);
      if (resolved) suggestions.push({ answerId: resolved.answerId, revision: resolved.revision, score: candidate.score, reply: resolved.reply });
    }
    return suggestions;
  }

  private common(
    request: { shopId: string; sessionId: string; customerId: string; channel?: Channel; source?: EventSource; originalEventId?: string },
    session: Session,
    mode: Mode,
    stage: Stage,
    nowMs: number,
  ) {
    return {
      v: 1 as const,
      eventTime: new Date(nowMs).toISOString(),
      source: request.source ?? this.settings.source,
      campaignId: this.settings.campaignId,
      shopId: request.shopId,
      sessionId: request.sessionId,
      customerId: request.customerId,
      channel: request.channel ?? this.settings.channel,
      mode,
      stage,
      ...(session.sku === null ? {} : { sku: session.sku }),
      ...(request.originalEventId === undefined ? {} : { originalEventId: request.originalEventId }),
    };
  }
}
