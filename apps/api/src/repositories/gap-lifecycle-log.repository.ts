import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { GapLifecycleProposal } from '@warroom/contracts';
import { TOPICS, type LogRecord } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SequencedLog } from './sequenced-log';

/**
 * Kafka `gap.lifecycle` for the api: proposes gap lifecycle changes (the one partition orders them for
 * every api process) and follows the log from a given offset.
 */
@Injectable()
export class GapLifecycleLogRepository implements BeforeApplicationShutdown {
  private readonly log: SequencedLog<GapLifecycleProposal>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.log = new SequencedLog(config, { topic: TOPICS.gapLifecycle.name, label: 'warroom-api-gaps', keyOf: (proposal) => proposal.gapId });
  }

  /** Appends a proposal to the log; resolves once the broker acknowledged it (acks all). */
  propose(proposal: GapLifecycleProposal): Promise<void> {
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
