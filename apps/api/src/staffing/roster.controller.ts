import { Body, Controller, HttpCode, Put, UseGuards } from '@nestjs/common';
import { rosterUploadSchema, type RosterStored, type RosterUpload } from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { ServiceRoute, ServiceTokenGuard } from '../common/service-token.guard';
import { StaffingService } from './staffing.service';

/**
 * Stored rosters (`PUT /api/reports/roster`): written by trusted services (the simulator, an HR export) with
 * the service token. Managers will upload through the reports page once it signs them in (auth issue).
 */
@Controller('api/reports/roster')
@UseGuards(ServiceTokenGuard)
@ServiceRoute('simulator')
export class RosterController {
  constructor(private readonly staffing: StaffingService) {}

  @Put()
  @HttpCode(200)
  store(@Body(new ZodValidationPipe(rosterUploadSchema)) body: RosterUpload): Promise<RosterStored> {
    return this.staffing.storeRoster(body);
  }
}
