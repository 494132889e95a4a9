import { Module } from '@nestjs/common';
import { ReplayRepository } from '../repositories/replay.repository';
import { ReplayController } from './replay.controller';
import { ReplayService } from './replay.service';

/** Past questions for replays (role `api`). */
@Module({ controllers: [ReplayController], providers: [ReplayService, ReplayRepository] })
export class ReplayModule {}
