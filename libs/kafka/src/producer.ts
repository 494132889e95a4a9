import {
  Partitioners,
  type CompressionTypes,
  type Kafka,
  type Message,
  type Producer,
  type ProducerConfig,
  type RecordMetadata,
} from 'kafkajs';

export interface ProducerOptions extends Omit<ProducerConfig, 'createPartitioner' | 'transactionalId'> {
  /**
   * The broker drops duplicates caused by the producer's own retries (per partition, per
   * producer session). It does not make a re-run of the same job idempotent: that is the
   * ClickHouse side's job.
   */
  idempotent?: boolean;
}

/**
 * A kafkajs producer with warroom's defaults:
 * - DefaultPartitioner (murmur2, the Java client's), named explicitly so every producer of
 *   chat.events puts a sessionId on the same partition, and kafkajs prints no partitioner warning.
 * - allowAutoTopicCreation false: a misspelt topic fails instead of appearing with the broker's
 *   default partition count (4 on the dev broker).
 * - idempotent: one request in flight. kafkajs numbers the batches itself and follows the
 *   original KIP-98 design (max.in.flight 1); more in flight could reorder or reject on retry.
 */
export function createProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  if (options.idempotent && options.maxInFlightRequests !== undefined && options.maxInFlightRequests > 1) {
    throw new Error('An idempotent producer needs maxInFlightRequests 1');
  }
  return kafka.producer({
    allowAutoTopicCreation: false,
    ...options,
    ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
    createPartitioner: Partitioners.DefaultPartitioner,
  });
}

/**
 * Bytes of messages per produce request by default: under the broker's `message.max.bytes` (1 MB on a
 * default Kafka broker, 1,048,588), which bounds each partition's record batch of a request, with room for
 * the record and batch headers. The dev broker (librdkafka's mock) does not enforce it; a real one does.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 900_000;

/** Bytes a message adds to a record batch: its key, value and headers, plus a record's own framing (at most ~30). */
export function messageBytes(message: Message): number {
  let bytes = 32 + byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + (Array.isArray(value) ? value.reduce((sum, one) => sum + byteLength(one), 0) : byteLength(value));
  }
  return bytes;
}

/**
 * `messages` in order, cut into runs of at most `maxCount` messages and `maxBytes` (messageBytes) each. A
 * message larger than `maxBytes` on its own is an error: no request could carry it.
 */
export function chunkMessages(messages: readonly Message[], maxCount: number, maxBytes: number): Message[][] {
  const chunks: Message[][] = [];
  let current: Message[] = [];
  let currentBytes = 0;
  for (const message of messages) {
    const bytes = messageBytes(message);
    if (bytes > maxBytes) throw new Error(`A message of ${bytes} bytes cannot fit a produce request of at most ${maxBytes} bytes`);
    if (current.length >= maxCount || currentBytes + bytes > maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(message);
    currentBytes += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface SendBatchOptions {
  /** Messages per produce request. Default 1000. */
  chunkSize?: number;
  /** Bytes of messages per produce request (messageBytes). Default DEFAULT_MAX_REQUEST_BYTES. */
  maxRequestBytes?: number;
  compression?: CompressionTypes;
  /** Broker-side wait for the replicas, in ms (kafkajs default 30000). */
  timeout?: number;
}

/**
 * Sends `messages` to `topic` with acks -1 (all in-sync replicas), in order, one chunk at a time (each
 * within `chunkSize` messages and `maxRequestBytes`), and resolves only when every chunk is acknowledged.
 * Order matters: chunks go out sequentially so two messages with the same key keep their order even across
 * chunks.
 */
export async function sendBatch(
  producer: Producer,
  topic: string,
  messages: readonly Message[],
  options: SendBatchOptions = {},
): Promise<RecordMetadata[]> {
  const chunkSize = options.chunkSize ?? 1000;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new Error(`chunkSize must be a positive integer, got ${chunkSize}`);
  const results: RecordMetadata[] = [];
  for (const chunk of chunkMessages(messages, chunkSize, options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES)) {
    const metadata = await producer.send({
      topic,
      messages: chunk,
      acks: -1,
      compression: options.compression,
      timeout: options.timeout,
    });
    results.push(...metadata);
  }
  return results;
}

function byteLength(value: Buffer | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}
