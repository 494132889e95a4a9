import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  HANDOFF_ROLES,
  REPORT_ROLES,
  followUpDoneRequestSchema,
  followUpIdSchema,
  followUpsQuerySchema,
  outreachReportQuerySchema,
  type FollowUpDoneRequest,
  type FollowUpDoneResponse,
  type FollowUpsList,
  type FollowUpsQuery,
  type OutreachReport,
  type OutreachReportQuery,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { Allow, CurrentActor, type ActorContext } from '../auth/decorators';
import { SessionAuthGuard } from '../auth/session-auth.guard';
import { OutreachService } from './outreach.service';

/** What outreach earns, per scenario and per hour, for managers (as the staffing report); `.csv` exports it. */
@Controller('api/reports')
@UseGuards(SessionAuthGuard)
@Allow(...REPORT_ROLES)
export class OutreachReportController {
  constructor(private readonly outreach: OutreachService) {}

  @Get('outreach')
  report(@Query(new ZodValidationPipe(outreachReportQuerySchema)) query: OutreachReportQuery): Promise<OutreachReport> {
    return this.outreach.report(query);
  }

  @Get('outreach.csv')
  @Header('Content-Type', 'text/csv; charset=utf-8')
  @Header('Content-Disposition', 'attachment; filename="outreach.csv"')
  csv(@Query(new ZodValidationPipe(outreachReportQuerySchema)) query: OutreachReportQuery): Promise<string> {
    return this.outreach.reportCsv(query);
  }
}

/** The agent console's follow-up list (agents and leads, as the handoff queue). */
@Controller('api/follow-ups')
@UseGuards(SessionAuthGuard)
@Allow(...HANDOFF_ROLES)
export class FollowUpsController {
  constructor(private readonly outreach: OutreachService) {}

  @Get()
  list(@Query(new ZodValidationPipe(followUpsQuerySchema)) query: FollowUpsQuery): Promise<FollowUpsList> {
    return this.outreach.followUps(query);
  }

  @Post(':id/done')
  @HttpCode(200)
  done(
    @Param('id', new ZodValidationPipe(followUpIdSchema)) id: string,
    @Body(new ZodValidationPipe(followUpDoneRequestSchema)) request: FollowUpDoneRequest,
    @CurrentActor() by: ActorContext,
  ): Promise<FollowUpDoneResponse> {
    return this.outreach.markDone(id, request, by);
  }
}
