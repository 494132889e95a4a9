import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import {
  agentReplyRequestSchema,
  chatRequestSchema,
  orderRequestSchema,
  type AgentReplyRequest,
  type ChatReply,
  type ChatRequest,
  type OrderRequest,
  type RecordedEvent,
} from '@warroom/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { UnknownShopFilter } from './unknown-shop.filter';
import { ChatService } from './chat.service';

const chatBody = new ZodValidationPipe(chatRequestSchema);
const agentReplyBody = new ZodValidationPipe(agentReplyRequestSchema);
const orderBody = new ZodValidationPipe(orderRequestSchema);

@Controller('api/chat')
@UseFilters(UnknownShopFilter)
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  /** A customer message: answered, a request to rephrase, or a handoff (assist mode: suggestions). */
  @Post()
  @HttpCode(200)
  ask(@Body(chatBody) body: ChatRequest): ChatReply {
    return this.chat.ask(body);
  }

  /** The reply a human agent sent in assist mode (a suggestion, edited or not): an `agent_reply` event. */
  @Post('agent-reply')
  @HttpCode(200)
  agentReply(@Body(agentReplyBody) body: AgentReplyRequest): RecordedEvent {
    return this.chat.recordAgentReply(body);
  }

  /** An order placed in the session: an `order` event; the session is in_sale from then on. */
  @Post('order')
  @HttpCode(200)
  order(@Body(orderBody) body: OrderRequest): RecordedEvent {
    return this.chat.recordOrder(body);
  }
}
