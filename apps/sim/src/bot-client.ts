import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  BOT_SESSION_HEADER,
  agentChatSchema,
  agentQueueSchema,
  botHealthSchema,
  chatReplySchema,
  issuesText,
  outreachInboxSchema,
  outreachReplyResultSchema,
  recordedEventSchema,
  type AbandonRequest,
  type AgentAcceptRequest,
  type AgentChat,
  type AgentChatReplyRequest,
  type AgentEndRequest,
  type AgentFlagRequest,
  type AgentQueue,
  type AgentQueueQuery,
  type BotHealth,
  type ChatReply,
  type ChatRequest,
  type OrderRequest,
  type OutreachInbox,
  type OutreachReplyRequest,
  type OutreachReplyResult,
  type RecordedEvent,
} from '@warroom/contracts';
import type { ZodType } from 'zod';

/** The bot's API as the simulator uses it (a fake in unit tests). */
export interface BotApi {
  ask(request: ChatRequest): Promise<ChatReply>;
  order(request: OrderRequest): Promise<RecordedEvent>;
  health(): Promise<BotHealth>;
  close(): void;
}

/** The human agents' side of the bot's API (libs/contracts/src/agent-console.ts), as the sim's agents use it. */
export interface AgentDeskApi {
  queue(query: AgentQueueQuery): Promise<AgentQueue>;
  accept(request: AgentAcceptRequest): Promise<AgentChat>;
  reply(request: AgentChatReplyRequest): Promise<RecordedEvent>;
  end(request: AgentEndRequest): Promise<RecordedEvent>;
  flag(request: AgentFlagRequest): Promise<RecordedEvent>;
  /** The customer gives up waiting. */
  abandon(request: AbandonRequest): Promise<RecordedEvent>;
}

/** The simulated inbox (issue 22): what the bots sent, and the customers' answers. */
export interface OutreachInboxApi {
  outreachInbox(after: number, limit: number): Promise<OutreachInbox>;
  outreachReply(request: OutreachReplyRequest): Promise<OutreachReplyResult>;
}

export class BotRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'BotRequestError';
  }
}

/**
 * The bot's HTTP API over keep-alive connections (one pool, reused by every simulated customer), every
 * reply parsed with its contract. A request that finds its idle connection closed by the bot at the
 * same moment (ECONNRESET on a reused socket) is sent once more on a fresh one: it never reached the bot.
 */
export class HttpBotClient implements BotApi, AgentDeskApi, OutreachInboxApi {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly send: typeof httpRequest;

  constructor(
    baseUrl: string,
    /** `token`: the simulator's service credential on the bot (SIM_BOT_TOKEN), or null. */
    private readonly options: { timeoutMs: number; maxSockets: number; token: string | null },
  ) {
    this.base = new URL(baseUrl);
    const https = this.base.protocol === 'https:';
    const agentOptions = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: options.maxSockets, maxFreeSockets: options.maxSockets };
    this.agent = https ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
    this.send = https ? httpsRequest : httpRequest;
  }

  ask(request: ChatRequest): Promise<ChatReply> {
    return this.call('POST', '/api/chat', request, chatReplySchema, request.sessionId);
  }

  order(request: OrderRequest): Promise<RecordedEvent> {
    return this.call('POST', '/api/chat/order', request, recordedEventSchema, request.sessionId);
  }

  health(): Promise<BotHealth> {
    return this.call('GET', '/health', undefined, botHealthSchema);
  }

  queue(query: AgentQueueQuery): Promise<AgentQueue> {
    const params = new URLSearchParams({ limit: String(query.limit), ...(query.shopId === undefined ? {} : { shopId: query.shopId }) });
    return this.call('GET', `/api/agent/queue?${params.toString()}`, undefined, agentQueueSchema);
  }

  accept(request: AgentAcceptRequest): Promise<AgentChat> {
    return this.call('POST', '/api/agent/accept', request, agentChatSchema, request.sessionId);
  }

  reply(request: AgentChatReplyRequest): Promise<RecordedEvent> {
    return this.call('POST', '/api/agent/reply', request, recordedEventSchema, request.sessionId);
  }

  end(request: AgentEndRequest): Promise<RecordedEvent> {
    return this.call('POST', '/api/agent/end', request, recordedEventSchema, request.sessionId);
  }

  flag(request: AgentFlagRequest): Promise<RecordedEvent> {
    return this.call('POST', '/api/agent/flag', request, recordedEventSchema, request.sessionId);
  }

  abandon(request: AbandonRequest): Promise<RecordedEvent> {
    return this.call('POST', '/api/chat/abandon', request, recordedEventSchema, request.sessionId);
  }

  outreachInbox(after: number, limit: number): Promise<OutreachInbox> {
    return this.call('GET', `/api/outreach/inbox?after=${after}&limit=${limit}`, undefined, outreachInboxSchema);
  }

  outreachReply(request: OutreachReplyRequest): Promise<OutreachReplyResult> {
    return this.call('POST', '/api/outreach/reply', request, outreachReplyResultSchema, request.sessionId);
  }

  close(): void {
    this.agent.destroy();
  }

  /** `sessionId`: the customer's session, named for a balancer in front of several bots (BOT_SESSION_HEADER). */
  private async call<T>(method: 'GET' | 'POST', path: string, body: unknown, schema: ZodType<T>, sessionId?: string): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let response: { status: number; text: string };
    try {
      response = await this.once(method, path, payload, sessionId);
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      response = await this.once(method, path, payload, sessionId);
    }
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw new BotRequestError(`${method} ${path}: ${response.status}, not JSON: ${response.text.slice(0, 200)}`, response.status);
    }
    if (response.status < 200 || response.status >= 300) {
      throw new BotRequestError(`${method} ${path}: ${response.status} ${response.text.slice(0, 300)}`, response.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new BotRequestError(`${method} ${path}: reply breaks its contract: ${issuesText(parsed.error)}`, response.status);
    }
    return parsed.data;
  }

  private once(method: string, path: string, payload: Buffer | undefined, sessionId: string | undefined): Promise<{ status: number; text: string }> {
    return new Promise((resolve, reject) => {
      const url = new URL(path, this.base);
      const req = this.send(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(this.options.token === null ? {} : { authorization: `Bearer ${this.options.token}` }),
            ...(sessionId === undefined ? {} : { [BOT_SESSION_HEADER]: sessionId }),
            ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
          },
          timeout: this.options.timeoutMs,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new BotRequestError(`${method} ${path}: no reply within ${this.options.timeoutMs} ms`, null)));
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) reject(new RetryableError(error.message));
        else if (error instanceof BotRequestError) reject(error);
        else reject(new BotRequestError(`${method} ${path}: ${error.code ?? error.message}`, null));
      });
      req.end(payload);
    });
  }
}

class RetryableError extends Error {}
