import type { OutreachLogRecord } from '@warroom/contracts';
import type { LogRecord } from '@warroom/kafka';
import type { OutreachLog } from '../repositories/outreach-log';

/** `outreach.contacts` in memory, shared by the bots of a spec: each follower gets every record in order. */
export class MemoryOutreachLog implements OutreachLog {
  readonly records: OutreachLogRecord[] = [];
  private readonly followers: ((records: LogRecord[]) => Promise<void>)[] = [];

  async follow(onRecords: (records: LogRecord[]) => Promise<void>): Promise<void> {
    this.followers.push(onRecords);
    if (this.records.length > 0) await onRecords(this.records.map((record, offset) => toLogRecord(record, offset)));
  }

  async append(records: readonly OutreachLogRecord[]): Promise<void> {
    const first = this.records.length;
    this.records.push(...records);
    const logRecords = records.map((record, index) => toLogRecord(record, first + index));
    for (const follower of this.followers) await follower(logRecords);
  }
}

function toLogRecord(record: OutreachLogRecord, offset: number): LogRecord {
  return { offset: BigInt(offset), timestampMs: 0, value: Buffer.from(JSON.stringify(record)) };
}
