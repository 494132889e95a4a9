import { Body, Controller, Get, HttpCode, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  agentAcceptRequestSchema,
  agentChatReplyRequestSchema,
  agentEndRequestSchema,
  agentFlagRequestSchema,
  agentQueueQuerySchema,
  type AgentAcceptRequest,
  type AgentChat,
  type AgentChatReplyRequest,
  type AgentEndRequest,
  type AgentFlagRequest,
  type AgentQueue,
  type AgentQueueQuery,
  type RecordedEvent,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { ServiceCredentialGuard } from '../common/service-credential';
import { DurableEventsInterceptor } from '../events/durable-events.interceptor';
import { AgentDeskService } from './agent-desk.service';

/** The human agent's console API (libs/contracts/src/agent-console.ts has the table of routes). */
@Controller('api/agent')
@UseGuards(ServiceCredentialGuard)
@UseInterceptors(DurableEventsInterceptor)
export class AgentController {
  constructor(private readonly desk: AgentDeskService) {}

  /** Waiting sessions oldest first, with wait time, emotion and last question; and the chats agents hold. */
  @Get('queue')
  queue(@Query(new ZodValidationPipe(agentQueueQuerySchema)) query: AgentQueueQuery): AgentQueue {
    return this.desk.list(query);
  }

  @Post('accept')
  @HttpCode(200)
  accept(@Body(new ZodValidationPipe(agentAcceptRequestSchema)) body: AgentAcceptRequest): AgentChat {
    return this.desk.accept(body);
  }

  @Post('reply')
  @HttpCode(200)
  reply(@Body(new ZodValidationPipe(agentChatReplyRequestSchema)) body: AgentChatReplyRequest): RecordedEvent {
    return this.desk.reply(body);
  }

  @Post('end')
  @HttpCode(200)
  end(@Body(new ZodValidationPipe(agentEndRequestSchema)) body: AgentEndRequest): RecordedEvent {
    return this.desk.end(body);
  }

  @Post('flag')
  @HttpCode(200)
  flag(@Body(new ZodValidationPipe(agentFlagRequestSchema)) body: AgentFlagRequest): RecordedEvent {
    return this.desk.flag(body);
  }
}
