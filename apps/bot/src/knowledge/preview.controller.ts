import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { botPreviewRequestSchema, type BotPreviewRequest, type BotPreviewResponse } from '@warroom/contracts';
import { ZodValidationPipe } from '../common/zod-validation.pipe';
import { KbReplica } from './kb-replica';

/** Patch previews for the api: the questions replayed with and without the patch. */
@Controller('api/kb')
export class PreviewController {
  constructor(private readonly replica: KbReplica) {}

  @Post('preview')
  @HttpCode(200)
  preview(@Body(new ZodValidationPipe(botPreviewRequestSchema)) request: BotPreviewRequest): BotPreviewResponse {
    return this.replica.preview(request);
  }
}
