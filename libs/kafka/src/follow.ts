import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { ConsumerRunner, type ConsumerCrash } from './consumer';

/** One record of a followed log, in plain types. */
export interface LogRecord {
  offset: bigint;
  /** Broker timestamp (ms since the epoch): the same for every reader, so usable in deterministic state. */
  timestampMs: number;
  /** The record's key: what a tombstone (null value) of a compacted log deletes (set by LogFollower). */
  key?: Buffer | null;
  value: Buffer | null;
}

export interface LogFollowerOptions {
  topic: string;
  /** Prefix of the follower's private consumer group (the group only carries the connection). */
  label: string;
  /** The first offset to hand over; earlier records are skipped even if the broker sends them again. */
  fromOffset: bigint;
  /**
   * Called with each run of new records, in log order. To have them again, throw: nothing is skipped,
   * but records already handed over are not handed over twice (the follower keeps its position).
   */
  onRecords: (records: LogRecord[]) => Promise<void>;
  onCrash?: (crash: ConsumerCrash) => void;
}

/**
 * Reads a single-partition log (such as `kb.patches`, the knowledge base's sequencer) in order from a
 * given offset, in every process that keeps a replica of what the log builds. Each follower has its own
 * throw-away consumer group and commits nothing: its position lives with the state it builds (for the
 * api, `kb_revisions`; for a bot, what it loaded at start), not in Kafka.
 */
export class LogFollower {
  private readonly runner: ConsumerRunner;
  private next: bigint;

  constructor(kafka: Kafka, private readonly options: LogFollowerOptions) {
    this.next = options.fromOffset;
    this.runner = new ConsumerRunner(kafka, {
      groupId: `${options.label}-${randomUUID()}`,
      topics: [options.topic],
      fromBeginning: true,
      eachBatch: async (payload) => {
        const records = payload.batch.messages
          .map((message) => ({ offset: BigInt(message.offset), timestampMs: Number(message.timestamp), key: message.key, value: message.value }))
          .filter((record) => record.offset >= this.next);
        if (records.length > 0) {
          await this.options.onRecords(records);
          this.next = records[records.length - 1]!.offset + 1n;
        }
        const last = payload.batch.messages.at(-1);
        if (last) payload.resolveOffset(last.offset);
      },
      ...(options.onCrash ? { onCrash: options.onCrash } : {}),
    });
  }

  /** The next offset this follower will hand over. */
  get position(): bigint {
    return this.next;
  }

  get state(): ConsumerRunner['state'] {
    return this.runner.state;
  }

  /** Joins, then jumps to `fromOffset` (a fresh group would otherwise start at the log's beginning). */
  async start(): Promise<void> {
    await this.runner.start();
    this.runner.consumer.seek({ topic: this.options.topic, partition: 0, offset: this.next.toString() });
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }
}
