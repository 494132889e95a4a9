import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { SignInLogEntry } from '@warroom/contracts';
import { TOPICS, type LogRecord } from '@warroom/kafka';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { SequencedLog } from './sequenced-log';

/**
 * Kafka `auth.sign-ins` for the api: appends sign-in attempts, their successes and admins' unlocks (the
 * one partition orders them for every api process) and follows the log from a given offset.
 */
@Injectable()
export class SignInLogRepository implements BeforeApplicationShutdown {
  private readonly log: SequencedLog<SignInLogEntry>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.log = new SequencedLog(config, { topic: TOPICS.signIns.name, label: 'warroom-api-sign-ins', keyOf: (entry) => entry.login });
  }

  /** Appends an entry to the log; resolves once the broker acknowledged it (acks all). */
  propose(entry: SignInLogEntry): Promise<void> {
    return this.log.append(entry);
  }

  /** Hands every record from `fromOffset` on to `onRecords`, in log order, until shutdown. */
  follow(fromOffset: bigint, onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    return this.log.follow(fromOffset, onRecords);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.log.close();
  }
}
