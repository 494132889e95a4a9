import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { KbPatchRecord } from '@warroom/contracts';
import { TOPICS, type LogRecord } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SequencedLog } from './sequenced-log';

/**
 * Kafka `kb.patches` for the api: proposes patches (the sequencer orders them) and follows the log
 * from a given offset. One partition, so the log order is the order every reader applies.
 */
@Injectable()
export class KbPatchesRepository implements BeforeApplicationShutdown {
  private readonly log: SequencedLog<KbPatchRecord>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.log = new SequencedLog(config, { topic: TOPICS.kbPatches.name, label: 'warroom-api-kb', keyOf: (record) => ('kind' in record ? record.cutoverId : record.patchId) });
  }

  /** Appends a proposal (or the signing cut-over) to the log; resolves once the broker acknowledged it (acks all). */
  propose(record: KbPatchRecord): Promise<void> {
    return this.log.append(record);
  }

  /** Hands every record from `fromOffset` on to `onRecords`, in log order, until shutdown. */
  follow(fromOffset: bigint, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    return this.log.follow(fromOffset, onRecords);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.log.close();
  }
}
