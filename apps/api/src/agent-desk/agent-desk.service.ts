import { Injectable } from '@nestjs/common';
import { Forbidden } from '@warroom/nest-common';
import type {
  AgentChat,
  AgentConversation,
  ConversationMessage,
  AgentDeskFlagRequest,
  AgentDeskReplyRequest,
  AgentDeskSessionRef,
  AgentQueue,
  AgentQueueQuery,
  AgentSuggestions,
  AgentSuggestionsQuery,
  RecordedEvent,
} from '@warroom/contracts';
import { maskPii } from '../common/pii-mask';
import { AuditService } from '../auth/audit.service';
import type { ActorContext } from '../auth/decorators';
import { KbService } from '../kb/kb.service';
import { BotRepository } from '../repositories/bot.repository';
import { ConversationRepository } from '../repositories/conversation.repository';
import { mergeAgentQueues } from './merged-queue';

/** A lead's reading of one conversation is audited once an hour, not at each of the console's 2-second refreshes. */
const READ_AUDIT_EVERY_MS = 3_600_000;
/** Accepts and audited reads remembered at most (oldest forgotten first). */
const REMEMBERED_MAX = 10_000;

/**
 * The agent console's side of the api: the bot has the desk (queue, accept, reply, end, flag) but no
 * users, so the api signs the agent in and names them to the bot (`agentId` = login: every `agent_*`
 * event records who acted). A flag also goes to the audit log (masked), since it puts work in the
 * trainers' inbox.
 *
 * A conversation holds what a customer typed, unmasked (the agent needs the order number): an agent reads
 * only the conversations they hold (the last `agent_accept` of the session is theirs), a lead any, and a
 * lead's reading is audited.
 */
@Injectable()
export class AgentDeskService {
  /**
   * Sessions this process saw an agent accept, by `shop/session`: ingest stores the accept a moment later,
   * and the console asks for the conversation at once.
   */
  private readonly acceptedHere = new Map<string, string>();
  /** When a lead's reading of a conversation was last audited, by `lead shop/session`. */
  private readonly auditedReads = new Map<string, number>();

  constructor(
    private readonly bot: BotRepository,
    private readonly conversations: ConversationRepository,
    private readonly kb: KbService,
    private readonly audit: AuditService,
  ) {}

  /** Every bot's handoff queue as one: the longest waiting first, whichever bot holds them. */
  async queue(query: AgentQueueQuery): Promise<AgentQueue> {
    return mergeAgentQueues(await this.bot.agentQueues(query), query);
  }

  async accept(ref: AgentDeskSessionRef, by: ActorContext): Promise<AgentChat> {
    const chat = await this.bot.agentAccept({ ...ref, agentId: by.actor.login });
    remember(this.acceptedHere, sessionKey(ref), by.actor.login);
    return chat;
  }

  reply(request: AgentDeskReplyRequest, by: ActorContext): Promise<RecordedEvent> {
    return this.bot.agentReply({ ...request, agentId: by.actor.login });
  }

  end(ref: AgentDeskSessionRef, by: ActorContext): Promise<RecordedEvent> {
    return this.bot.agentEnd({ ...ref, agentId: by.actor.login });
  }

  async flag(request: AgentDeskFlagRequest, by: ActorContext): Promise<RecordedEvent> {
    const recorded = await this.bot.agentFlag({ ...request, agentId: by.actor.login });
    await this.audit.record(by.actor, 'agent.flag', sessionKey(request), { eventId: recorded.eventId, text: maskPii(request.text) });
    return recorded;
  }

  async conversation(ref: AgentDeskSessionRef, by: ActorContext): Promise<AgentConversation> {
    const messages = await this.conversations.messages(ref.shopId, ref.sessionId, Date.now());
    if (by.user.role === 'agent') {
      const holder = holderOf(messages) ?? this.acceptedHere.get(sessionKey(ref));
      if (holder !== by.actor.login) {
        throw new Forbidden('An agent reads only the conversations they hold: accept this customer first');
      }
    } else {
      await this.auditRead(ref, by);
    }
    return { ...ref, messages };
  }

  /** The bot's top 3 for a question, with the reply each answer sends now (from the api's replica of the knowledge base). */
  async suggestions(query: AgentSuggestionsQuery): Promise<AgentSuggestions> {
    const match = await this.bot.match({ shopId: query.shopId, text: query.text, topK: 3 });
    const answers = new Map(this.kb.answersOf(query.shopId).map((answer) => [answer.answerId, answer.version.content]));
    const suggestions = match.candidates.flatMap((candidate) => {
      const content = answers.get(candidate.answerId);
      return content ? [{ answerId: candidate.answerId, score: candidate.score, reply: content.reply }] : [];
    });
    return { matched: match.matched, suggestions: suggestions.slice(0, 3) };
  }

  private async auditRead(ref: AgentDeskSessionRef, by: ActorContext): Promise<void> {
    const key = `${by.actor.userId} ${sessionKey(ref)}`;
    const now = Date.now();
    if (now - (this.auditedReads.get(key) ?? -Infinity) < READ_AUDIT_EVERY_MS) return;
    await this.audit.record(by.actor, 'agent.conversation_read', sessionKey(ref), { role: by.user.role });
    remember(this.auditedReads, key, now);
  }
}

function sessionKey(ref: AgentDeskSessionRef): string {
  return `${ref.shopId}/${ref.sessionId}`;
}

/** The agent of the session's newest accept, as stored; undefined when nobody accepted it yet. */
function holderOf(messages: ConversationMessage[]): string | undefined {
  return messages.findLast((message) => message.kind === 'agent_accept')?.agentId;
}

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > REMEMBERED_MAX) map.delete(map.keys().next().value!);
}
