import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { KbPatchesRepository } from '../repositories/kb-patches.repository';
import { KbReplica } from './kb-replica';

/** Keeps the replica following `kb.patches` from where its start-up state ended. */
@Injectable()
export class KbFollowerService implements OnApplicationBootstrap {
  constructor(
    private readonly replica: KbReplica,
    private readonly patches: KbPatchesRepository,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.patches.follow(this.replica.nextOffset, (records) => {
      this.replica.apply(records.map((record) => ({ offset: Number(record.offset), timestampMs: record.timestampMs, value: record.value })));
      return Promise.resolve();
    });
  }
}
