import { Body, Controller, Get, Param, Put, Query, UseGuards } from '@nestjs/common';
import {
  campaignIdSchema,
  campaignInputSchema,
  campaignListQuerySchema,
  type Campaign,
  type CampaignInput,
  type CampaignListQuery,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { KioskTokenGuard } from '../common/kiosk-token.guard';
import { ServiceRoute, ServiceTokenGuard } from '../common/service-token.guard';
import { CampaignsService } from './campaigns.service';

/** Campaign records: the kiosk token reads them, the service token writes them. */
@Controller('api/campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Get()
  @UseGuards(KioskTokenGuard)
  list(@Query(new ZodValidationPipe(campaignListQuerySchema)) query: CampaignListQuery): Promise<Campaign[]> {
    return this.campaigns.list(query);
  }

  @Get(':id')
  @UseGuards(KioskTokenGuard)
  get(@Param('id', new ZodValidationPipe(campaignIdSchema)) id: string): Promise<Campaign> {
    return this.campaigns.get(id);
  }

  @Put(':id')
  @UseGuards(ServiceTokenGuard)
  @ServiceRoute('simulator')
  put(
    @Param('id', new ZodValidationPipe(campaignIdSchema)) id: string,
    @Body(new ZodValidationPipe(campaignInputSchema)) input: CampaignInput,
  ): Promise<Campaign> {
    return this.campaigns.put(id, input);
  }
}
