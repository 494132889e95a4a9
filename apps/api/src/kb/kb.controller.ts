import {
  Body,
  ConflictException,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Query,
  ServiceUnavailableException,
  UnprocessableEntityException,
  UseGuards,
} from '@nestjs/common';
import {
  TRAINER_DESK_ROLES,
  eventSourceSchema,
  nearestQuerySchema,
  patchRequestSchema,
  shopIdSchema,
  type KbPatchDecision,
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
import { ServiceTokenGuard } from '../common/service-token.guard';
import { BotUnavailableError } from '../repositories/bot.repository';
import { describeConflict } from './conflict';
import { KbService } from './kb.service';
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
  async publish(
    @Body(new ZodValidationPipe(patchRequestSchema)) request: PatchRequest,
    @CurrentActor() who: ActorContext,
  ): Promise<Extract<KbPatchDecision, { status: 'applied' }>> {
    const result = await this.kb.publish(request, who);
    if (result.kind === 'forbidden') throw new ForbiddenException(result.message);
    if (result.kind === 'timeout') throw new ServiceUnavailableException(result.message);
    const { decision } = result;
    if (decision.status === 'applied') return decision;
    const history = decision.current ? this.kb.history(decision.current.target) : [];
    throw new ConflictException({
      statusCode: 409,
      message: history.length > 0 ? describeConflict(history, request.baseRevision, Date.now()) : decision.reason,
      reason: decision.reason,
      current: decision.current,
    });
  }

  @Post('preview')
  @HttpCode(200)
  async preview(
    @Body(new ZodValidationPipe(patchRequestSchema)) request: PatchRequest,
    @Query(new ZodValidationPipe(previewQuerySchema)) query: z.infer<typeof previewQuerySchema>,
  ): Promise<PatchPreview> {
    try {
      const result = await this.previews.preview(request, query.source);
      if (result.kind === 'no_shop') throw new UnprocessableEntityException(result.message);
      if (result.kind === 'rejected') throw new ConflictException({ statusCode: 409, message: `this patch would be rejected: ${result.reason}`, reason: result.reason });
      return result.preview;
    } catch (error) {
      if (error instanceof BotUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
  }

  /** The existing answers nearest to a question (top 3, with scores): "add these questions to it?". */
  @Get('nearest')
  async nearest(@Query(new ZodValidationPipe(nearestQuerySchema)) query: z.infer<typeof nearestQuerySchema>): Promise<NearestAnswer[]> {
    try {
      return await this.previews.nearest(query.shop, query.text);
    } catch (error) {
      if (error instanceof BotUnavailableError) throw new ServiceUnavailableException(error.message);
      throw error;
    }
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
    const history = this.kb.history(query.target);
    if (history.length === 0) throw new NotFoundException(`no knowledge-base target ${query.target}`);
    return history;
  }
}

/** What an answer engine loads at start: the packs and the log so far (trusted services only). */
@Controller('api/kb/state')
@UseGuards(ServiceTokenGuard)
export class KbStateController {
  constructor(private readonly kb: KbService) {}

  @Get()
  state(): KbState {
    return this.kb.state();
  }
}

