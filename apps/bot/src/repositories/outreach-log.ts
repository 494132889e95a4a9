import type { OutreachLogRecord } from '@warroom/contracts';
import type { LogRecord } from '@warroom/kafka';

/** `outreach.contacts` as the outreach service uses it: Kafka in the bot (OutreachLogRepository), memory in specs. */
export interface OutreachLog {
  /** Hands over every record from the log's beginning, then each new one, in log order. */
  follow(onRecords: (records: LogRecord[]) => Promise<void>): Promise<void>;
  /** Appends records in order; resolves once they are durable. */
  append(records: readonly OutreachLogRecord[]): Promise<void>;
}

export const OUTREACH_LOG = Symbol('OUTREACH_LOG');
