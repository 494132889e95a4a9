import { Body, Controller, Headers, HttpCode, Inject, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  abandonRequestSchema,
  BOT_SESSION_HEADER,
  agentReplyRequestSchema,
  chatRequestSchema,
  orderRequestSchema,
  type AbandonRequest,
  type AgentReplyRequest,
  type ChatReply,
  type ChatRequest,
  type CustomerSession,
  type OrderRequest,
  type RecordedEvent,
} from '@warroom/contracts';
import { NotFound, ZodValidationPipe } from '@warroom/nest-common';
import { AgentDeskService } from '../agent/agent-desk.service';
import { presentsServiceCredential, refuseServiceFieldsOfCustomers, ServiceCredentialGuard } from '../common/service-credential';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';
import { DurableEventsInterceptor } from '../events/durable-events.interceptor';
import { ChatService } from './chat.service';
import { CustomerSessions, type CustomerBinding } from './customer-session';

const chatBody = new ZodValidationPipe(chatRequestSchema);
const agentReplyBody = new ZodValidationPipe(agentReplyRequestSchema);
const orderBody = new ZodValidationPipe(orderRequestSchema);
const abandonBody = new ZodValidationPipe(abandonRequestSchema);

@Controller('api/chat')
@UseInterceptors(DurableEventsInterceptor)
export class ChatController {
  private readonly sessions: CustomerSessions | null;

  constructor(
    private readonly chat: ChatService,
    private readonly desk: AgentDeskService,
    @Inject(BOT_CONFIG) private readonly config: BotConfig,
  ) {
    const sessions = config.customerSessions;
    this.sessions = sessions && new CustomerSessions(sessions.secret, sessions.ttlMs);
  }

  /** A new customer's session: the token their later requests carry (BOT_SESSION_HEADER). */
  @Post('session')
  @HttpCode(200)
  session(): CustomerSession {
    if (!this.sessions) throw new NotFound('this bot does not issue customer sessions (BOT_CUSTOMER_SESSION_SECRET is unset)');
    return this.sessions.issue();
  }

  /** A customer message: answered, a request to rephrase, or a handoff (assist mode: suggestions). */
  @Post()
  @HttpCode(200)
  ask(
    @Body(chatBody) body: ChatRequest,
    @Headers('authorization') authorization: string | undefined,
    @Headers(BOT_SESSION_HEADER) sessionToken: string | undefined,
  ): ChatReply {
    refuseServiceFieldsOfCustomers(body, authorization, this.config.serviceTokens);
    this.bindCustomer(body, authorization, sessionToken);
    return this.chat.ask(body);
  }

  /** The reply a human agent sent in assist mode (a suggestion, edited or not): an `agent_reply` event. */
  @Post('agent-reply')
  @HttpCode(200)
  @UseGuards(ServiceCredentialGuard)
  agentReply(@Body(agentReplyBody) body: AgentReplyRequest): RecordedEvent {
    return this.chat.recordAgentReply(body);
  }

  /** An order placed in the session: an `order` event; the session is in_sale from then on. */
  @Post('order')
  @HttpCode(200)
  @UseGuards(ServiceCredentialGuard)
  order(@Body(orderBody) body: OrderRequest): RecordedEvent {
    return this.chat.recordOrder(body);
  }

  /** The customer of a handed-off session gave up waiting for a person: an `abandon` event. */
  @Post('abandon')
  @HttpCode(200)
  abandon(
    @Body(abandonBody) body: AbandonRequest,
    @Headers('authorization') authorization: string | undefined,
    @Headers(BOT_SESSION_HEADER) sessionToken: string | undefined,
  ): RecordedEvent {
    this.bindCustomer(body, authorization, sessionToken);
    return this.desk.abandon(body);
  }

  /** A customer names only the session and customer of their token; a service names whom it acts for. */
  private bindCustomer(named: CustomerBinding, authorization: string | undefined, sessionToken: string | undefined): void {
    if (!this.sessions || presentsServiceCredential(authorization, this.config.serviceTokens)) return;
    this.sessions.bind(sessionToken, named);
  }
}
