import { Injectable } from '@nestjs/common';
import type {
  AgentChat,
  AgentConversation,
  AgentDeskFlagRequest,
  AgentDeskReplyRequest,
  AgentDeskSessionRef,
  AgentQueue,
  AgentQueueQuery,
  AgentSuggestions,
  AgentSuggestionsQuery,
  RecordedEvent,
} from '@warroom/contracts';
import { AuditService } from '../auth/audit.service';
import type { ActorContext } from '../auth/decorators';
import { KbService } from '../kb/kb.service';
import { BotRepository } from '../repositories/bot.repository';
import { ConversationRepository } from '../repositories/conversation.repository';

/**
 * The agent console's side of the api: the bot has the desk (queue, accept, reply, end, flag) but no
 * users, so the api signs the agent in and names them to the bot (`agentId` = login: every `agent_*`
 * event records who acted). A flag also goes to the audit log, since it puts work in the trainers' inbox.
 */
@Injectable()
export class AgentDeskService {
  constructor(
    private readonly bot: BotRepository,
    private readonly conversations: ConversationRepository,
    private readonly kb: KbService,
    private readonly audit: AuditService,
  ) {}

  queue(query: AgentQueueQuery): Promise<AgentQueue> {
    return this.bot.agentQueue(query);
  }

  accept(ref: AgentDeskSessionRef, by: ActorContext): Promise<AgentChat> {
    return this.bot.agentAccept({ ...ref, agentId: by.actor.login });
  }

  reply(request: AgentDeskReplyRequest, by: ActorContext): Promise<RecordedEvent> {
    return this.bot.agentReply({ ...request, agentId: by.actor.login });
  }

  end(ref: AgentDeskSessionRef, by: ActorContext): Promise<RecordedEvent> {
    return this.bot.agentEnd({ ...ref, agentId: by.actor.login });
  }

  async flag(request: AgentDeskFlagRequest, by: ActorContext): Promise<RecordedEvent> {
    const recorded = await this.bot.agentFlag({ ...request, agentId: by.actor.login });
    await this.audit.record(by.actor, 'agent.flag', `${request.shopId}/${request.sessionId}`, { eventId: recorded.eventId, text: request.text });
    return recorded;
  }

  async conversation(ref: AgentDeskSessionRef): Promise<AgentConversation> {
    return { ...ref, messages: await this.conversations.messages(ref.shopId, ref.sessionId, Date.now()) };
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
}
