import { Inject, Injectable } from '@nestjs/common';
import {
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

/** The answer engine (apps/bot) over HTTP: what the api asks of it (patch previews, matches, the agents' desk). */
@Injectable()
export class BotRepository {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async preview(request: BotPreviewRequest): Promise<BotPreviewResponse> {
    return this.post('/api/kb/preview', request, botPreviewResponseSchema);
  }

  async match(request: BotMatchRequest): Promise<BotMatchResponse> {
    return this.post('/api/kb/match', request, botMatchResponseSchema);
  }

  /** The handoff queue (waiting sessions oldest first, and the chats agents hold). */
  async agentQueue(query: AgentQueueQuery): Promise<AgentQueue> {
    const params = new URLSearchParams({ limit: String(query.limit), ...(query.shopId === undefined ? {} : { shopId: query.shopId }) });
    return this.send('GET', `/api/agent/queue?${params.toString()}`, undefined, agentQueueSchema);
  }

  agentAccept(request: AgentAcceptRequest): Promise<AgentChat> {
    return this.send('POST', '/api/agent/accept', request, agentChatSchema);
  }

  agentReply(request: AgentChatReplyRequest): Promise<RecordedEvent> {
    return this.send('POST', '/api/agent/reply', request, recordedEventSchema);
  }

  agentEnd(request: AgentEndRequest): Promise<RecordedEvent> {
    return this.send('POST', '/api/agent/end', request, recordedEventSchema);
  }

  agentFlag(request: AgentFlagRequest): Promise<RecordedEvent> {
    return this.send('POST', '/api/agent/flag', request, recordedEventSchema);
  }

  private post<S extends z.ZodType>(path: string, request: unknown, schema: S): Promise<z.infer<S>> {
    return this.send('POST', path, request, schema);
  }

  /** One call; the bot's own 404/409 of an agent step (agentErrorSchema) is NotFound/Conflict in its words, anything else not 2xx Unavailable. */
  private async send<S extends z.ZodType>(method: 'GET' | 'POST', path: string, request: unknown, schema: S): Promise<z.infer<S>> {
    const base = this.config.kb.botUrl;
    if (base === null) throw new Unavailable('this needs WARROOM_BOT_URL (the answer engine) to be set');
    let response: Response;
    try {
      response = await fetch(new URL(path, base), {
        method,
        headers: {
          ...(request === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.config.kb.botToken === null ? {} : { authorization: `Bearer ${this.config.kb.botToken}` }),
        },
        body: request === undefined ? undefined : JSON.stringify(request),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new Unavailable(`the answer engine at ${base} did not answer: ${(error as Error).message}`, {}, { cause: error });
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const refusal = agentErrorSchema.safeParse(body);
      if (refusal.success) throw refusal.data.statusCode === 404 ? new NotFound(refusal.data.message) : new Conflict(refusal.data.message);
      throw new Unavailable(`the answer engine answered ${response.status}: ${JSON.stringify(body)}`);
    }
    return schema.parse(body);
  }
}
