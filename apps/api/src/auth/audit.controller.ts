import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ADMIN_ROLES, auditQuerySchema, type AuditList, type AuditQuery } from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { AuditService } from './audit.service';
import { Allow } from './decorators';
import { SessionAuthGuard } from './session-auth.guard';

/** The audit log, newest first, for admins. */
@Controller('api/audit')
@UseGuards(SessionAuthGuard)
@Allow(...ADMIN_ROLES)
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  async list(@Query(new ZodValidationPipe(auditQuerySchema)) query: AuditQuery): Promise<AuditList> {
    return { entries: await this.audit.list(query) };
  }
}
