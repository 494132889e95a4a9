import { Logger, Module, type OnModuleInit } from '@nestjs/common';
import { Conflict, NotFound } from '@warroom/nest-common';
import { AuthModule } from '../auth/auth.module';
import { GapsModule } from '../gaps/gaps.module';
import { GapsService } from '../gaps/gaps.service';
import { BotRepository } from '../repositories/bot.repository';
import { KbPatchesRepository } from '../repositories/kb-patches.repository';
import { KbRevisionsRepository } from '../repositories/kb-revisions.repository';
import { RecentQuestionsRepository } from '../repositories/recent-questions.repository';
import { KbController, KbStateController } from './kb.controller';
import { KbService } from './kb.service';
import { PreviewService } from './preview.service';

/** The live patch loop's api side (issue 7): the ledger replica, publishing, previews. */
@Module({
  imports: [AuthModule, GapsModule],
  controllers: [KbController, KbStateController],
  providers: [KbService, PreviewService, KbRevisionsRepository, KbPatchesRepository, RecentQuestionsRepository, BotRepository],
  exports: [KbService],
})
export class KbModule implements OnModuleInit {
  private readonly logger = new Logger(KbModule.name);

  constructor(
    private readonly kb: KbService,
    private readonly gaps: GapsService,
  ) {}

  /** A patch that names a gap publishes it once applied from the log (every api replica does; idempotent). */
  onModuleInit(): void {
    this.kb.onApplied(({ decision, proposal, answerId }) => {
      if (!proposal.gapId) return;
      const { target, revision, appliedAt } = decision.version;
      void this.gaps
        .markPublished(proposal.gapId, { actor: proposal.author, target, answerId, revision, at: new Date(appliedAt ?? Date.now()) })
        .catch((error: unknown) => {
          // A gap dismissed or gone meanwhile is the trainers' business, not a failure of the loop.
          if (error instanceof Conflict || error instanceof NotFound) this.logger.warn(`gap ${proposal.gapId} not marked published: ${error.message}`);
          else this.logger.error(`gap ${proposal.gapId} not marked published: ${error instanceof Error ? error.message : String(error)}`);
        });
    });
  }
}
