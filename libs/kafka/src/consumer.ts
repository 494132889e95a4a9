import {
  KafkaJSError,
  type Consumer,
  type ConsumerConfig,
  type ConsumerCrashEvent,
  type EachBatchPayload,
  type Kafka,
} from 'kafkajs';
import { hasErrorNamed, isRetriableError, NonRetriableError, rootCause } from './errors';

/**
 * Settings every warroom consumer starts from. Each one is valid on a real cluster too; the
 * numbers come from measurements against the dev broker (docs KAFKA-DEV.md):
 * - sessionTimeout 6000 / heartbeatInterval 1000: a replaced member frees its partitions several
 *   times sooner than with kafkajs' defaults. 6000 is also real Kafka's default minimum. Never 3000 or
 *   less: the dev broker holds a group's first join for 3 s and would expire the member while it waits.
 * - maxWaitTimeInMs 100: the dev broker answers an empty fetch only after the full wait, even if
 *   data arrives meanwhile, so kafkajs' 5000 ms default makes a quiet wall look 5 s stale.
 * - allowAutoTopicCreation false: subscribing to a misspelt topic must fail, not create it with
 *   the broker's default partition count.
 */
export const CONSUMER_DEFAULTS = {
  sessionTimeout: 6000,
  heartbeatInterval: 1000,
  maxWaitTimeInMs: 100,
  allowAutoTopicCreation: false,
} as const satisfies Partial<ConsumerConfig>;

/** The smallest session timeout the dev broker tolerates (its first-join hold is 3000 ms). */
const MIN_SESSION_TIMEOUT_MS = 3001;

/** A kafkajs consumer with CONSUMER_DEFAULTS under `config`. */
export function createConsumer(kafka: Kafka, config: ConsumerConfig): Consumer {
  const merged: ConsumerConfig = { ...CONSUMER_DEFAULTS, ...config };
  const session = merged.sessionTimeout ?? CONSUMER_DEFAULTS.sessionTimeout;
  const heartbeat = merged.heartbeatInterval ?? CONSUMER_DEFAULTS.heartbeatInterval;
  if (session < MIN_SESSION_TIMEOUT_MS) {
    throw new Error(
      `sessionTimeout ${session} ms is too short: the dev broker holds a group's first join for ` +
        '3000 ms and expires members meanwhile, so kafkajs would rejoin forever. Use 6000 or more.',
    );
  }
  if (heartbeat >= session) {
    throw new Error(`heartbeatInterval (${heartbeat} ms) must be well below sessionTimeout (${session} ms)`);
  }
  return kafka.consumer(merged);
}

/** The offset to commit after processing `offset`: Kafka stores the next offset to read. */
export function nextOffset(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

/**
 * Marks every message of this batch up to and including `offset` as done, and commits exactly
 * that position for this partition.
 *
 * Both steps matter: resolving moves kafkajs' in-memory position (otherwise the next fetch returns
 * the same messages), and the explicit commit is what survives a restart. Offsets are passed
 * explicitly because with autoCommit off `commitOffsetsIfNecessary()` with no argument commits
 * nothing.
 */
export async function commitThrough(
  payload: Pick<EachBatchPayload, 'batch' | 'resolveOffset' | 'commitOffsetsIfNecessary'>,
  offset: string,
): Promise<void> {
  payload.resolveOffset(offset);
  await payload.commitOffsetsIfNecessary({
    topics: [
      {
        topic: payload.batch.topic,
        partitions: [{ partition: payload.batch.partition, offset: nextOffset(offset) }],
      },
    ],
  });
}

/**
 * A broker's refusal of a request (a KafkaJSProtocolError at the root), not a failure of our batch handler,
 * which runBatch always wraps in a NonRetriableError or RetriableBatchError.
 */
export function isRefusalByBroker(error: Error): boolean {
  const cause = rootCause(error);
  return cause instanceof Error && cause.name === 'KafkaJSProtocolError' && !hasErrorNamed(error, 'NonRetriableError');
}

export type ConsumerRunnerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface ConsumerCrash {
  readonly error: Error;
  /** True when kafkajs will rejoin and retry from the last committed offsets. */
  readonly restart: boolean;
  /** Crashes since start(), this one included. */
  readonly crashes: number;
}

export interface ConsumerRunnerOptions {
  groupId: string;
  topics: readonly string[];
  /**
   * The batch handler. Resolve or commit (commitThrough) only what is durably processed. To retry
   * the batch, throw: nothing unresolved is ever skipped, kafkajs fetches it again.
   * On long batches stop early when `isRunning()` is false or `isStale()` is true, and call
   * `heartbeat()`: kafkajs heartbeats only between batches, and sessionTimeout is 6 s.
   */
  eachBatch: (payload: EachBatchPayload) => Promise<void>;
  /**
   * Where a group without committed offsets starts. Default true: a new ingest group must not
   * drop what bots produced before its first deploy.
   */
  fromBeginning?: boolean;
  /**
   * Default false: the handler commits explicit offsets after its side effect is durable. With
   * true, kafkajs commits what the handler resolved, on its own schedule.
   */
  autoCommit?: boolean;
  partitionsConsumedConcurrently?: number;
  /** Overrides on top of CONSUMER_DEFAULTS (groupId is set from above). */
  consumerConfig?: Omit<ConsumerConfig, 'groupId'>;
  /**
   * Decides, for an error thrown by `eachBatch` (and for the root cause of a crash), whether to
   * try again. True: kafkajs retries the same batch with back-off and, once its retries are used
   * up, restarts the consumer from the committed offsets. False: the consumer stops, `state`
   * becomes 'failed' and onCrash is called with restart false. The caller should then shut down
   * with a non-zero exit. Default: isRetriableError (kafkajs' rule: not a TypeError-like bug and
   * not marked `retriable: false`, see NonRetriableError).
   */
  isRetriable?: (error: unknown) => boolean;
  /** Called on every kafkajs CRASH event; count these, they are the consumer's health signal. */
  onCrash?: (crash: ConsumerCrash) => void;
  /** Called at every group join of every consumer this runner builds (the first one included), with the assignment. */
  onGroupJoin?: (assignment: Readonly<Record<string, number[]>>) => void;
  /**
   * Default false. True: when the broker refuses a group request (a KafkaJSProtocolError that kafkajs
   * will not retry, such as the dev broker's INVALID_REQUEST during a rebalance), the runner builds a new
   * consumer and joins again after a back-off (1 s doubling to 30 s) instead of stopping: a member that
   * stops for good leaves its share of the partitions to the others for the rest of the night. Failures
   * of the batch handler still stop it.
   */
  rejoinAfterBrokerRefusal?: boolean;
}

const REJOIN_MIN_MS = 1_000;
const REJOIN_MAX_MS = 30_000;

/**
 * Owns one kafkajs consumer's lifecycle: start = connect, subscribe, run eachBatch with
 * auto-resolve off; stop = disconnect, which lets the batch in flight finish first. Plain class,
 * so a Nest provider can call start() in onApplicationBootstrap and stop() in
 * beforeApplicationShutdown.
 */
export class ConsumerRunner {
  private consumerInstance: Consumer | undefined;
  private currentState: ConsumerRunnerState = 'idle';
  private crashCount = 0;
  private lastFailure: Error | undefined;
  /** Rejoins after broker refusals since the last successful join: the back-off doubles with each. */
  private refusalStreak = 0;
  private rejoinTimer: NodeJS.Timeout | undefined;
  private readonly isRetriable: (error: unknown) => boolean;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: ConsumerRunnerOptions,
  ) {
    if (options.topics.length === 0) throw new Error(`Consumer group ${options.groupId} has no topics`);
    this.isRetriable = options.isRetriable ?? isRetriableError;
  }

  get state(): ConsumerRunnerState {
    return this.currentState;
  }

  get crashes(): number {
    return this.crashCount;
  }

  /** The error that stopped the consumer for good, when state is 'failed'. */
  get failure(): Error | undefined {
    return this.lastFailure;
  }

  /** The underlying kafkajs consumer (pause/resume partitions, seek, instrumentation events). */
  get consumer(): Consumer {
    if (!this.consumerInstance) throw new Error('ConsumerRunner.consumer used before start()');
    return this.consumerInstance;
  }

  /** Resolves once the consumer has joined its group and is fetching. */
  async start(): Promise<void> {
    if (this.currentState !== 'idle') {
      throw new Error(`ConsumerRunner for ${this.options.groupId} cannot start from state ${this.currentState}`);
    }
    this.currentState = 'starting';
    try {
      await this.launch();
    } catch (error) {
      this.currentState = 'failed';
      this.lastFailure = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
    // A crash during run() may already have marked the runner failed.
    if (this.currentState === 'starting') this.currentState = 'running';
  }

  /** Builds a consumer, joins the group and runs it; a consumer that fails to start is disconnected. */
  private async launch(): Promise<void> {
    const { consumerConfig, groupId } = this.options;
    const consumer = createConsumer(this.kafka, {
      ...consumerConfig,
      groupId,
      retry: {
        ...consumerConfig?.retry,
        // kafkajs asks this only for retriable crashes; the answer follows the same hook as
        // batch errors so that one function decides "try again" everywhere.
        // Wrapped in a promise chain so a throwing hook becomes a rejection, which kafkajs logs.
        restartOnFailure: (error: Error) => Promise.resolve().then(() => this.isRetriable(rootCause(error))),
      },
    });
    this.consumerInstance = consumer;
    // Deferred so a throwing onCrash cannot break kafkajs' own crash handling (the restart it
    // schedules); the error still surfaces, as an unhandled rejection.
    consumer.on(consumer.events.CRASH, (event: ConsumerCrashEvent) => {
      void Promise.resolve().then(() => this.handleCrash(consumer, event));
    });
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      this.refusalStreak = 0;
      this.options.onGroupJoin?.(event.payload.memberAssignment);
    });

    try {
      await consumer.connect();
      await consumer.subscribe({
        topics: [...this.options.topics],
        fromBeginning: this.options.fromBeginning ?? true,
      });
      await consumer.run({
        eachBatchAutoResolve: false,
        autoCommit: this.options.autoCommit ?? false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 1,
        eachBatch: (payload) => this.runBatch(payload),
      });
    } catch (error) {
      await consumer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Stops fetching, waits for the batch in flight, leaves the group and disconnects. Idempotent. */
  async stop(): Promise<void> {
    const consumer = this.consumerInstance;
    if (!consumer || this.currentState === 'stopped') {
      this.currentState = 'stopped';
      return;
    }
    const wasFailed = this.currentState === 'failed';
    this.currentState = 'stopping';
    clearTimeout(this.rejoinTimer);
    await consumer.disconnect();
    // Keep 'failed' visible: stopping a crashed consumer does not make it healthy.
    this.currentState = wasFailed ? 'failed' : 'stopped';
  }

  private async runBatch(payload: EachBatchPayload): Promise<void> {
    try {
      await this.options.eachBatch(payload);
    } catch (error) {
      // kafkajs' own errors (rebalance in progress on commit, connection lost) carry the
      // information kafkajs needs to rejoin or retry; pass them through untouched.
      if (error instanceof KafkaJSError) throw error;
      const where = `${payload.batch.topic}[${payload.batch.partition}] from offset ${payload.batch.firstOffset() ?? '?'}`;
      if (this.isRetriable(error)) {
        // Rethrown, the batch stays unresolved and kafkajs fetches it again after a back-off.
        if (error instanceof Error && isRetriableError(error)) throw error;
        throw new RetriableBatchError(`Batch ${where} failed; retrying`, { cause: error });
      }
      throw new NonRetriableError(`Batch ${where} failed and will not be retried`, { cause: error });
    }
  }

  private handleCrash(crashed: Consumer, event: ConsumerCrashEvent): void {
    const { error } = event.payload;
    this.crashCount += 1;
    const active = !this.stopRequested();
    const rejoin = !event.payload.restart && active && this.shouldRejoinAfter(error);
    const restart = event.payload.restart || rejoin;
    if (rejoin) this.scheduleRejoin(crashed);
    else if (!restart && active) {
      this.currentState = 'failed';
      this.lastFailure = error;
    }
    this.options.onCrash?.({ error, restart, crashes: this.crashCount });
  }

  private shouldRejoinAfter(error: Error): boolean {
    return this.options.rejoinAfterBrokerRefusal === true && isRefusalByBroker(error);
  }

  private scheduleRejoin(crashed: Consumer): void {
    const delayMs = Math.min(REJOIN_MAX_MS, REJOIN_MIN_MS * 2 ** this.refusalStreak);
    this.refusalStreak += 1;
    this.rejoinTimer = setTimeout(() => void this.rejoin(crashed), delayMs);
  }

  private async rejoin(crashed: Consumer): Promise<void> {
    if (this.stopRequested()) return;
    await crashed.disconnect().catch(() => undefined);
    try {
      await this.launch();
    } catch (error) {
      // The broker is still refusing (or unreachable): try again later, with a longer wait.
      this.options.onCrash?.({
        error: error instanceof Error ? error : new Error(String(error)),
        restart: true,
        crashes: this.crashCount,
      });
      if (!this.stopRequested()) this.scheduleRejoin(this.consumer);
    }
  }

  private stopRequested(): boolean {
    return this.currentState === 'stopping' || this.currentState === 'stopped';
  }
}

/**
 * Carries an error the caller's isRetriable hook accepted but kafkajs would not retry on its own
 * (a TypeError, say), so that the hook, not kafkajs' defaults, decides.
 */
class RetriableBatchError extends Error {
  readonly retriable = true;

  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'RetriableBatchError';
  }
}
