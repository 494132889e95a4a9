import type { IncomingMessage } from 'node:http';
import { Inject, UseInterceptors } from '@nestjs/common';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayConnection, type WsResponse } from '@nestjs/websockets';
import { BOT_CHAT_MAX_FRAME_BYTES, BOT_SESSION_QUERY_PARAM, botClientFrameSchema, issuesText, type BotServerEventMap } from '@warroom/contracts';
import { serviceFieldsIn } from '../common/service-credential';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';
import { DurableEventsInterceptor } from '../events/durable-events.interceptor';
import { UnknownShopError } from '../knowledge/knowledge-base';
import { ChatService } from './chat.service';
import { CustomerSessions, type CustomerBinding } from './customer-session';

type ServerFrame = { [E in keyof BotServerEventMap]: WsResponse<BotServerEventMap[E]> & { event: E } }[keyof BotServerEventMap];

/**
 * `/chat` on the bot's HTTP port: `{event: 'ask', data: ChatRequest & {requestId?}}` in, one
 * `{event: 'reply', data: {requestId, reply}}` or `{event: 'error', data: {requestId, message}}` out.
 * A frame past BOT_CHAT_MAX_FRAME_BYTES closes its socket (1009): ws refuses it while reading, so a
 * flood never reaches a handler and costs at most that much memory per socket.
 */
@WebSocketGateway({ path: '/chat', maxPayload: BOT_CHAT_MAX_FRAME_BYTES })
@UseInterceptors(DurableEventsInterceptor)
export class ChatGateway implements OnGatewayConnection<object> {
  private readonly sessions: CustomerSessions | null;
  /** Each socket's session, from the token on its upgrade (`?session=`), when customer sessions are on. */
  private readonly bindings = new WeakMap<object, CustomerBinding>();

  constructor(
    private readonly chat: ChatService,
    @Inject(BOT_CONFIG) private readonly config: BotConfig,
  ) {
    const sessions = config.customerSessions;
    this.sessions = sessions && new CustomerSessions(sessions.secret, sessions.ttlMs);
  }

  handleConnection(socket: object, request: IncomingMessage): void {
    const token = new URL(request.url ?? '/', 'http://bot').searchParams.get(BOT_SESSION_QUERY_PARAM) ?? undefined;
    const binding = this.sessions?.verify(token);
    if (binding) this.bindings.set(socket, binding);
  }

  @SubscribeMessage('ask')
  ask(@MessageBody() data: unknown, @ConnectedSocket() socket: object): ServerFrame {
    const frame = botClientFrameSchema.safeParse({ event: 'ask', data });
    if (!frame.success) {
      return { event: 'error', data: { requestId: requestIdOf(data), message: `invalid ask: ${issuesText(frame.error)}` } };
    }
    const { requestId, ...request } = frame.data.data;
    // A socket carries no service credential: on /chat the customer's question is all there is.
    const serviceFields = this.config.serviceTokens.length === 0 ? [] : serviceFieldsIn(request);
    if (serviceFields.length > 0) {
      return { event: 'error', data: { requestId: requestId ?? null, message: `${serviceFields.join(', ')}: set by the deployment, not by a customer` } };
    }
    const binding = this.bindings.get(socket);
    if (this.sessions && (binding?.sessionId !== request.sessionId || binding.customerId !== request.customerId)) {
      const message = binding ? 'sessionId and customerId are those of your session token' : `a customer session token is required on the upgrade (?${BOT_SESSION_QUERY_PARAM}=<token>)`;
      return { event: 'error', data: { requestId: requestId ?? null, message } };
    }
    try {
      return { event: 'reply', data: { requestId: requestId ?? null, reply: this.chat.ask(request) } };
    } catch (error) {
      if (error instanceof UnknownShopError) return { event: 'error', data: { requestId: requestId ?? null, message: error.message } };
      throw error;
    }
  }
}

/** The request id of a frame that failed validation, if it carried a usable one. */
function requestIdOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null || !('requestId' in data)) return null;
  const id: unknown = data.requestId;
  return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null;
}
