import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BOT_SESSION_HEADER,
  agentChatSchema,
  agentErrorSchema,
  agentQueueSchema,
  recordedEventSchema,
  botMatchResponseSchema,
  botPreviewResponseSchema,
  type AgentAcceptRequest,
  type AgentChat,
  type AgentChatReplyRequest,
  type AgentEndRequest,
  type AgentFlagRequest,
  type AgentQueue,
  type AgentQueueQuery,
  type RecordedEvent,
  type BotMatchRequest,
  type BotMatchResponse,
  type BotPreviewRequest,
  type BotPreviewResponse,
} from '@warroom/contracts';
import { Conflict, NotFound, Unavailable } from '@warroom/nest-common';
import type { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * The answer engines (apps/bot) over HTTP: what the api asks of them (patch previews, matches, the agents'
 * desk). A deployment runs one bot or several (`WARROOM_BOT_URLS`, each bot's own address), each holding
 * its own customers' sessions and handoff queue: the queue is read from every bot, a step on a session
 * goes to the bot that holds it, and a preview or a match to the first bot that answers (every bot has the
 * same knowledge base).
 */
@Injectable()
export class BotRepository {
  private readonly logger = new Logger(BotRepository.name);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async preview(request: BotPreviewRequest): Promise<BotPreviewResponse> {
    return this.toAnyBot('/api/kb/preview', request, botPreviewResponseSchema);
  }

  async match(request: BotMatchRequest): Promise<BotMatchResponse> {
    return this.toAnyBot('/api/kb/match', request, botMatchResponseSchema);
  }

  /**
   * The handoff queue of every bot that answered (waiting sessions oldest first, and the chats agents hold),
   * at least one: a bot that is down leaves its customers out (logged) rather than blanking every agent's desk.
   */
  async agentQueues(query: AgentQueueQuery): Promise<[AgentQueue, ...AgentQueue[]]> {
    const params = new URLSearchParams({ limit: String(query.limit), ...(query.shopId === undefined ? {} : { shopId: query.shopId }) });
    const path = `/api/agent/queue?${params.toString()}`;
    const answers = await Promise.allSettled(this.bots().map((base) => this.send(base, 'GET', path, undefined, agentQueueSchema)));
    const queues: AgentQueue[] = [];
    for (const answer of answers) {
      if (answer.status === 'fulfilled') queues.push(answer.value);
      else if (!(answer.reason instanceof Unavailable)) throw answer.reason;
    }
    const failures = answers.flatMap((answer) => (answer.status === 'rejected' ? [(answer.reason as Error).message] : []));
    const [first, ...rest] = queues;
    if (first === undefined) throw new Unavailable(`no bot answered for the handoff queue: ${failures.join('; ')}`);
    if (failures.length > 0) this.logger.warn(`handoff queue read without ${failures.length} bot(s): ${failures.join('; ')}`);
    return [first, ...rest];
  }

  agentAccept(request: AgentAcceptRequest): Promise<AgentChat> {
    return this.toHolder('/api/agent/accept', request, agentChatSchema);
  }

  agentReply(request: AgentChatReplyRequest): Promise<RecordedEvent> {
    return this.toHolder('/api/agent/reply', request, recordedEventSchema);
  }

  agentEnd(request: AgentEndRequest): Promise<RecordedEvent> {
    return this.toHolder('/api/agent/end', request, recordedEventSchema);
  }

  agentFlag(request: AgentFlagRequest): Promise<RecordedEvent> {
    return this.toHolder('/api/agent/flag', request, recordedEventSchema);
  }

  /**
   * A step on a session, to the bot that holds it. A bot that does not hold a session answers 404 and records
   * nothing, so the bots are asked one after the other until one does: never two at once, so a session two
   * bots remember (one of them restarted meanwhile) is never stepped twice. Stateless, so any api process
   * finds the holder. 404 only when every bot said so; a bot that did not answer may hold it: 503.
   */
  private async toHolder<S extends z.ZodType>(path: string, request: { shopId: string; sessionId: string }, schema: S): Promise<z.infer<S>> {
    let notFound: NotFound | null = null;
    const unavailable: Unavailable[] = [];
    for (const base of this.bots()) {
      try {
        return await this.send(base, 'POST', path, request, schema, request.sessionId);
      } catch (error) {
        if (error instanceof NotFound) notFound ??= error;
        else if (error instanceof Unavailable) unavailable.push(error);
        else throw error;
      }
    }
    if (unavailable.length > 0 || notFound === null) {
      throw new Unavailable(`the bot holding session ${request.sessionId} may be one that did not answer: ${unavailable.map((error) => error.message).join('; ')}`);
    }
    throw notFound;
  }

  /** The first bot that answers at all; its refusal is the answer. */
  private async toAnyBot<S extends z.ZodType>(path: string, request: unknown, schema: S): Promise<z.infer<S>> {
    const unavailable: Unavailable[] = [];
    for (const base of this.bots()) {
      try {
        return await this.send(base, 'POST', path, request, schema);
      } catch (error) {
        if (!(error instanceof BotUnreachable)) throw error;
        unavailable.push(error);
      }
    }
    throw new Unavailable(unavailable.map((error) => error.message).join('; '));
  }

  private bots(): string[] {
    const { botUrls } = this.config.kb;
    if (botUrls.length === 0) throw new Unavailable('this needs WARROOM_BOT_URLS or WARROOM_BOT_URL (the answer engine) to be set');
    return botUrls;
  }

  /**
   * One call; the bot's own 404/409 of an agent step (agentErrorSchema) is NotFound/Conflict in its words,
   * anything else not 2xx Unavailable. A step names its session for a balancer in front of the bot.
   */
  private async send<S extends z.ZodType>(
    base: string,
    method: 'GET' | 'POST',
    path: string,
    request: unknown,
    schema: S,
    sessionId?: string,
  ): Promise<z.infer<S>> {
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: {
          ...(request === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.config.kb.botToken === null ? {} : { authorization: `Bearer ${this.config.kb.botToken}` }),
          ...(sessionId === undefined ? {} : { [BOT_SESSION_HEADER]: sessionId }),
        },
        body: request === undefined ? undefined : JSON.stringify(request),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new BotUnreachable(`the answer engine at ${base} did not answer: ${(error as Error).message}`, {}, { cause: error });
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const refusal = agentErrorSchema.safeParse(body);
      if (refusal.success) throw refusal.data.statusCode === 404 ? new NotFound(refusal.data.message) : new Conflict(refusal.data.message);
      throw new Unavailable(`the answer engine at ${base} answered ${response.status}: ${JSON.stringify(body)}`);
    }
    return schema.parse(body);
  }
}

/** No answer at all (refused connection, timeout): another bot may do instead. */
class BotUnreachable extends Unavailable {}
