import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  botMatchRequestSchema,
  botPreviewRequestSchema,
  type BotMatchRequest,
  type BotMatchResponse,
  type BotPreviewRequest,
  type BotPreviewResponse,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { ServiceCredentialGuard } from '../common/service-credential';
import { KbReplica } from './kb-replica';

/** What the api asks of the answer engine for trainers: patch previews, and rankings of one text. */
@Controller('api/kb')
@UseGuards(ServiceCredentialGuard)
export class PreviewController {
  constructor(private readonly replica: KbReplica) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body(new ZodValidationPipe(botPreviewRequestSchema)) request: BotPreviewRequest): Promise<BotPreviewResponse> {
    return this.replica.preview(request);
  }

  /** The nearest answers to a text, without a session or an event (the editor's "nearest answers"). */
  @Post('match')
  @HttpCode(200)
  match(@Body(new ZodValidationPipe(botMatchRequestSchema)) request: BotMatchRequest): BotMatchResponse {
    const outcome = this.replica.knowledgeBase.match(request.shopId, request.text, request.topK);
    return { matched: outcome.matched, candidates: outcome.candidates };
  }
}
