import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  HANDOFF_ROLES,
  agentDeskFlagRequestSchema,
  agentDeskQueueQuerySchema,
  agentDeskReplyRequestSchema,
  agentDeskSessionRefSchema,
  agentSuggestionsQuerySchema,
  type AgentChat,
  type AgentConversation,
  type AgentDeskFlagRequest,
  type AgentDeskReplyRequest,
  type AgentDeskSessionRef,
  type AgentQueue,
  type AgentQueueQuery,
  type AgentSuggestions,
  type AgentSuggestionsQuery,
  type RecordedEvent,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { Allow, CurrentActor, type ActorContext } from '../auth/decorators';
import { SessionAuthGuard } from '../auth/session-auth.guard';
import { AgentDeskService } from './agent-desk.service';

/** The agent console (libs/contracts/src/agent-desk.ts has the routes): signed-in agents and leads. */
@Controller('api/agent')
@UseGuards(SessionAuthGuard)
@Allow(...HANDOFF_ROLES)
export class AgentDeskController {
  constructor(private readonly desk: AgentDeskService) {}

  @Get('queue')
  queue(@Query(new ZodValidationPipe(agentDeskQueueQuerySchema)) query: AgentQueueQuery): Promise<AgentQueue> {
    return this.desk.queue(query);
  }

  @Post('accept')
  @HttpCode(200)
  accept(@Body(new ZodValidationPipe(agentDeskSessionRefSchema)) ref: AgentDeskSessionRef, @CurrentActor() by: ActorContext): Promise<AgentChat> {
    return this.desk.accept(ref, by);
  }

  @Post('reply')
  @HttpCode(200)
  reply(@Body(new ZodValidationPipe(agentDeskReplyRequestSchema)) request: AgentDeskReplyRequest, @CurrentActor() by: ActorContext): Promise<RecordedEvent> {
    return this.desk.reply(request, by);
  }

  @Post('end')
  @HttpCode(200)
  end(@Body(new ZodValidationPipe(agentDeskSessionRefSchema)) ref: AgentDeskSessionRef, @CurrentActor() by: ActorContext): Promise<RecordedEvent> {
    return this.desk.end(ref, by);
  }

  @Post('flag')
  @HttpCode(200)
  flag(@Body(new ZodValidationPipe(agentDeskFlagRequestSchema)) request: AgentDeskFlagRequest, @CurrentActor() by: ActorContext): Promise<RecordedEvent> {
    return this.desk.flag(request, by);
  }

  @Get('conversation')
  conversation(@Query(new ZodValidationPipe(agentDeskSessionRefSchema)) ref: AgentDeskSessionRef, @CurrentActor() by: ActorContext): Promise<AgentConversation> {
    return this.desk.conversation(ref, by);
  }

  @Get('suggestions')
  suggestions(@Query(new ZodValidationPipe(agentSuggestionsQuerySchema)) query: AgentSuggestionsQuery): Promise<AgentSuggestions> {
    return this.desk.suggestions(query);
  }
}
