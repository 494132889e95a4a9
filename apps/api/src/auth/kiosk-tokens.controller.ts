import { Body, Controller, Get, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import {
  ADMIN_ROLES,
  issueKioskTokenRequestSchema,
  kioskTokenIdSchema,
  type IssueKioskTokenRequest,
  type IssuedKioskToken,
  type KioskToken,
  type KioskTokenList,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { Allow, CurrentActor, type ActorContext } from './decorators';
import { KioskTokensService } from './kiosk-tokens.service';
import { SessionAuthGuard } from './session-auth.guard';

/** The wall screens' kiosk tokens, for admins. */
@Controller('api/kiosk-tokens')
@UseGuards(SessionAuthGuard)
@Allow(...ADMIN_ROLES)
export class KioskTokensController {
  constructor(private readonly kioskTokens: KioskTokensService) {}

  @Get()
  async list(): Promise<KioskTokenList> {
    return { kioskTokens: await this.kioskTokens.list() };
  }

  @Post()
  issue(@CurrentActor() caller: ActorContext, @Body(new ZodValidationPipe(issueKioskTokenRequestSchema)) body: IssueKioskTokenRequest): Promise<IssuedKioskToken> {
    return this.kioskTokens.issue(caller, body.name);
  }

  @Post(':id/revoke')
  @HttpCode(200)
  revoke(@CurrentActor() caller: ActorContext, @Param('id', new ZodValidationPipe(kioskTokenIdSchema)) tokenId: string): Promise<KioskToken> {
    return this.kioskTokens.revoke(caller, tokenId);
  }
}
