import { Body, Controller, Get, Header, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  REPORT_ROLES,
  staffingQuerySchema,
  staffingReportRequestSchema,
  type StaffingQuery,
  type StaffingReport,
  type StaffingReportRequest,
} from '@warroom/contracts';
import { InvalidInput, ZodValidationPipe } from '@warroom/nest-common';
import { StaffingInputError } from '@warroom/staffing';
import { Allow } from '../auth/decorators';
import { SessionAuthGuard } from '../auth/session-auth.guard';
import { StaffingService } from './staffing.service';

const CSV_HEADERS = [
  ['Content-Type', 'text/csv; charset=utf-8'],
  ['Content-Disposition', 'attachment; filename="staffing.csv"'],
] as const;

/** A target libs/staffing cannot meet is the request's fault: 400 with its reason. */
function badInput(error: unknown): never {
  if (error instanceof StaffingInputError) throw new InvalidInput(error.message);
  throw error;
}

/**
 * Staffing reports for managers (DESIGN.md "Roles": a signed-in manager; the wall's kiosk token does not
 * read them). GET reports without a roster; POST carries one (`roster` entries or `rosterCsv` text) in a
 * JSON body. The `.csv` twins export the same report.
 */
@Controller('api/reports')
@UseGuards(SessionAuthGuard)
@Allow(...REPORT_ROLES)
export class StaffingController {
  constructor(private readonly staffing: StaffingService) {}

  @Get('staffing')
  report(@Query(new ZodValidationPipe(staffingQuerySchema)) query: StaffingQuery): Promise<StaffingReport> {
    return this.staffing.report(query).catch(badInput);
  }

  @Post('staffing')
  @HttpCode(200)
  reportWithRoster(@Body(new ZodValidationPipe(staffingReportRequestSchema)) body: StaffingReportRequest): Promise<StaffingReport> {
    return this.staffing.report(body).catch(badInput);
  }

  @Get('staffing.csv')
  @Header(...CSV_HEADERS[0])
  @Header(...CSV_HEADERS[1])
  csv(@Query(new ZodValidationPipe(staffingQuerySchema)) query: StaffingQuery): Promise<string> {
    return this.staffing.reportCsv(query).catch(badInput);
  }

  @Post('staffing.csv')
  @HttpCode(200)
  @Header(...CSV_HEADERS[0])
  @Header(...CSV_HEADERS[1])
  csvWithRoster(@Body(new ZodValidationPipe(staffingReportRequestSchema)) body: StaffingReportRequest): Promise<string> {
    return this.staffing.reportCsv(body).catch(badInput);
  }
}
