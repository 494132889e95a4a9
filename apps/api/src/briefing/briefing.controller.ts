import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ROLES, briefingQuerySchema, type Briefing, type BriefingQuery } from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { Allow } from '../auth/decorators';
import { GapReadGuard } from '../gaps/gap-read.guard';
import { BriefingService } from './briefing.service';

/** The briefing before a promo moment: the trainer workstation and the wall's "next moment" tile read it (kiosk token or any session). */
@Controller('api/briefing')
export class BriefingController {
  constructor(private readonly briefing: BriefingService) {}

  @Get()
  @UseGuards(GapReadGuard)
  @Allow(...ROLES)
  get(@Query(new ZodValidationPipe(briefingQuerySchema)) query: BriefingQuery): Promise<Briefing> {
    return this.briefing.briefing(query);
  }
}
