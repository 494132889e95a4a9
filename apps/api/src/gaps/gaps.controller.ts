import { Body, Controller, Get, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import {
  GAP_DISMISS_ROLES,
  ROLES,
  TRAINER_DESK_ROLES,
  dismissGapRequestSchema,
  gapListQuerySchema,
  type DismissGapRequest,
  type Gap,
  type GapAnswered,
  type GapListQuery,
} from '@warroom/contracts';
import { NotFound, Unavailable, ZodValidationPipe } from '@warroom/nest-common';
import { z } from 'zod';
import { Allow, CurrentActor, type ActorContext } from '../auth/decorators';
import { SessionAuthGuard } from '../auth/session-auth.guard';
import { GapReadGuard } from './gap-read.guard';
import { GapsService } from './gaps.service';

const gapIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected a gap id');

/**
 * The trainers' inbox. Reads: a kiosk token or any session. Claim and release: trainers (of a grade the
 * gap lists) and leads; dismiss: leads (the service checks grades and the lifecycle).
 */
@Controller('api/gaps')
export class GapsController {
  constructor(private readonly gaps: GapsService) {}

  @Get()
  @UseGuards(GapReadGuard)
  @Allow(...ROLES)
  list(@Query(new ZodValidationPipe(gapListQuerySchema)) query: GapListQuery): Promise<Gap[]> {
    return this.gaps.list(query).catch(unavailable);
  }

  /** Questions answered by the gap's published revision since it was published (the trainer's watch counter). */
  @Get(':id/answered')
  @UseGuards(GapReadGuard)
  @Allow(...ROLES)
  async answered(@Param('id', new ZodValidationPipe(gapIdSchema)) id: string): Promise<GapAnswered> {
    const answered = await this.gaps.answeredSincePublished(id).catch(unavailable);
    if (!answered) throw new NotFound(`no published gap ${id}`);
    return answered;
  }

  @Get(':id')
  @UseGuards(GapReadGuard)
  @Allow(...ROLES)
  async get(@Param('id', new ZodValidationPipe(gapIdSchema)) id: string): Promise<Gap> {
    const gap = await this.gaps.get(id).catch(unavailable);
    if (!gap) throw new NotFound(`no gap ${id}`);
    return gap;
  }

  @Post(':id/claim')
  @HttpCode(200)
  @UseGuards(SessionAuthGuard)
  @Allow(...TRAINER_DESK_ROLES)
  async claim(@Param('id', new ZodValidationPipe(gapIdSchema)) id: string, @CurrentActor() by: ActorContext): Promise<Gap> {
    return this.gaps.claim(id, by);
  }

  @Post(':id/release')
  @HttpCode(200)
  @UseGuards(SessionAuthGuard)
  @Allow(...TRAINER_DESK_ROLES)
  async release(@Param('id', new ZodValidationPipe(gapIdSchema)) id: string, @CurrentActor() by: ActorContext): Promise<Gap> {
    return this.gaps.release(id, by);
  }

  @Post(':id/dismiss')
  @HttpCode(200)
  @UseGuards(SessionAuthGuard)
  @Allow(...GAP_DISMISS_ROLES)
  async dismiss(
    @Param('id', new ZodValidationPipe(gapIdSchema)) id: string,
    @Body(new ZodValidationPipe(dismissGapRequestSchema)) body: DismissGapRequest,
    @CurrentActor() by: ActorContext,
  ): Promise<Gap> {
    return this.gaps.dismiss(id, body.reason, by);
  }
}

function unavailable(error: unknown): never {
  throw new Unavailable(`gaps are not available: ${(error as Error).message}`);
}
