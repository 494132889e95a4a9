import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { KbPatchProposal } from '@warroom/contracts';
import { TOPICS, type LogRecord } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SequencedLog } from './sequenced-log';

/**
 * Kafka `kb.patches` for the api: proposes patches (the sequencer orders them) and follows the log
 * from a given offset. One partition, so the log order is the order every reader applies.
 */
@Injectable()
export class KbPatchesRepository implements BeforeApplicationShutdown {
  private readonly log: SequencedLog<KbPatchProposal>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.log = new SequencedLog(config, { topic: TOPICS.kbPatches.name, label: 'warroom-api-kb', keyOf: (proposal) => proposal.patchId });
  }

  /** Appends a proposal to the log; resolves once the broker acknowledged it (acks all). */
  propose(proposal: KbPatchProposal): Promise<void> {
    return this.log.append(proposal);
  }

  /** Hands every record from `fromOffset` on to `onRecords`, in log order, until shutdown. */
  follow(fromOffset: bigint, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    return this.log.follow(fromOffset, onRecords);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.log.close();
  }
}
