import { Body, Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import {
  TRAINER_DESK_ROLES,
  eventSourceSchema,
  nearestQuerySchema,
  patchRequestSchema,
  shopIdSchema,
  type KbState,
  type KbTargetVersion,
  type NearestAnswer,
  type PatchPreview,
  type PatchRequest,
} from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { z } from 'zod';
import { Allow, CurrentActor, type ActorContext } from '../auth/decorators';
import { SessionAuthGuard } from '../auth/session-auth.guard';
import { ServiceRoute, ServiceTokenGuard } from '../common/service-token.guard';
import { KbService, type AppliedDecision } from './kb.service';
import { PreviewService } from './preview.service';

const previewQuerySchema = z.strictObject({ source: eventSourceSchema.default('live') });
const answersQuerySchema = z.strictObject({ shop: shopIdSchema });
const historyQuerySchema = z.strictObject({ target: z.string().min(3).max(400) });

/** The knowledge base for trainers: publish (through the log), preview, answers and their history. */
@Controller('api/kb')
@UseGuards(SessionAuthGuard)
@Allow(...TRAINER_DESK_ROLES)
export class KbController {
  constructor(
    private readonly kb: KbService,
    private readonly previews: PreviewService,
  ) {}

  /** 201 once the patch is applied from the log; 409 in words when it was based on a stale revision. */
  @Post('patches')
  @HttpCode(201)
  publish(@Body(new ZodValidationPipe(patchRequestSchema)) request: PatchRequest, @CurrentActor() who: ActorContext): Promise<AppliedDecision> {
    return this.kb.publish(request, who);
  }

  @Post('preview')
  @HttpCode(200)
  preview(
    @Body(new ZodValidationPipe(patchRequestSchema)) request: PatchRequest,
    @Query(new ZodValidationPipe(previewQuerySchema)) query: z.infer<typeof previewQuerySchema>,
  ): Promise<PatchPreview> {
    return this.previews.preview(request, query.source);
  }

  /** The existing answers nearest to a question (top 3, with scores): "add these questions to it?". */
  @Get('nearest')
  nearest(@Query(new ZodValidationPipe(nearestQuerySchema)) query: z.infer<typeof nearestQuerySchema>): Promise<NearestAnswer[]> {
    return this.previews.nearest(query.shop, query.text);
  }

  /** Every answer a shop sees, with the target and revision a patch of it is based on. */
  @Get('answers')
  @Allow('trainer', 'lead', 'agent')
  answers(@Query(new ZodValidationPipe(answersQuerySchema)) query: z.infer<typeof answersQuerySchema>): ReturnType<KbService['answersOf']> {
    return this.kb.answersOf(query.shop);
  }

  /** Every version of one target, oldest first (the editor diffs neighbours). */
  @Get('history')
  history(@Query(new ZodValidationPipe(historyQuerySchema)) query: z.infer<typeof historyQuerySchema>): KbTargetVersion[] {
    return this.kb.history(query.target);
  }
}

/** What an answer engine loads at start: the packs and the log so far (trusted services only). */
@Controller('api/kb/state')
@UseGuards(ServiceTokenGuard)
@ServiceRoute('bot')
export class KbStateController {
  constructor(private readonly kb: KbService) {}

  @Get()
  state(): KbState {
    return this.kb.state();
  }
}

