import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { replayQuestionsQuerySchema, type ReplayQuestionsPage, type ReplayQuestionsQuery } from '@warroom/contracts';
import { ZodValidationPipe } from '@warroom/nest-common';
import { ServiceRoute, ServiceTokenGuard } from '../common/service-token.guard';
import { ReplayService } from './replay.service';

/** Past questions for the simulator's replay (a trusted service: the service token). */
@Controller('api/replay')
@UseGuards(ServiceTokenGuard)
@ServiceRoute('replay')
export class ReplayController {
  constructor(private readonly replay: ReplayService) {}

  @Get('questions')
  questions(@Query(new ZodValidationPipe(replayQuestionsQuerySchema)) query: ReplayQuestionsQuery): Promise<ReplayQuestionsPage> {
    return this.replay.questions(query);
  }
}
