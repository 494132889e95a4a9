import { Body, Controller, Get, HttpCode, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import {
  outreachInboxQuerySchema,
  outreachReplyRequestSchema,
  type OutreachInbox,
  type OutreachInboxQuery,
  type OutreachReplyRequest,
  type OutreachReplyResult,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { ServiceCredentialGuard } from '../common/service-credential';
import { DurableEventsInterceptor } from '../events/durable-events.interceptor';
import { OutreachService } from './outreach.service';

const replyBody = new ZodValidationPipe(outreachReplyRequestSchema);
const inboxQuery = new ZodValidationPipe(outreachInboxQuerySchema);

@Controller('api/outreach')
export class OutreachController {
  constructor(private readonly outreach: OutreachService) {}

  /** The customer answers an outreach (customer surface): an `outreach_reply` event; a "no" is for good. */
  @Post('reply')
  @HttpCode(200)
  @UseInterceptors(DurableEventsInterceptor)
  reply(@Body(replyBody) body: OutreachReplyRequest): Promise<OutreachReplyResult> {
    return this.outreach.reply(body);
  }

  /** Deliveries of every bot after a log offset: the rehearsal's simulated inbox (service credential). */
  @Get('inbox')
  @UseGuards(ServiceCredentialGuard)
  inbox(@Query(inboxQuery) query: OutreachInboxQuery): OutreachInbox {
    return this.outreach.inbox(query);
  }
}
