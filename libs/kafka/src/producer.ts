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

export interface SendBatchOptions {
  /** Messages per produce request. Default 1000 (well under the 1 MiB default request limit for small JSON events). */
  chunkSize?: number;
  compression?: CompressionTypes;
  /** Broker-side wait for the replicas, in ms (kafkajs default 30000). */
  timeout?: number;
}

/**
 * Sends `messages` to `topic` with acks -1 (all in-sync replicas), in order, one chunk at a time,
 * and resolves only when every chunk is acknowledged. Order matters: chunks go out sequentially
 * so two messages with the same key keep their order even across chunks.
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
  for (let start = 0; start < messages.length; start += chunkSize) {
    const metadata = await producer.send({
      topic,
      messages: messages.slice(start, start + chunkSize),
      acks: -1,
      compression: options.compression,
      timeout: options.timeout,
    });
    results.push(...metadata);
  }
  return results;
}
