import { Kafka, KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { CONSUMER_DEFAULTS, commitThrough, createConsumer, isRefusalByBroker, nextOffset } from './consumer';
import { NonRetriableError, isRetriableError, rootCause } from './errors';

describe('nextOffset', () => {
  it('adds one without losing precision past 2^53', () => {
    expect(nextOffset('0')).toBe('1');
    expect(nextOffset('9007199254740993')).toBe('9007199254740994');
  });
});

describe('commitThrough', () => {
  it('resolves the offset and commits the next one for the batch partition', async () => {
    const resolved: string[] = [];
    const commits: unknown[] = [];
    await commitThrough(
      {
        batch: { topic: 'chat.events', partition: 7 } as Parameters<typeof commitThrough>[0]['batch'],
        resolveOffset: (offset) => resolved.push(offset),
        commitOffsetsIfNecessary: (offsets) => {
          commits.push(offsets);
          return Promise.resolve();
        },
      },
      '41',
    );
    expect(resolved).toEqual(['41']);
    expect(commits).toEqual([{ topics: [{ topic: 'chat.events', partitions: [{ partition: 7, offset: '42' }] }] }]);
  });
});

describe('createConsumer', () => {
  // Creating a kafkajs consumer opens no connection, so this needs no broker.
  const kafka = new Kafka({ brokers: ['127.0.0.1:1'], clientId: 'spec' });

  it('starts from the dev-broker-safe defaults', () => {
    expect(CONSUMER_DEFAULTS).toMatchObject({ sessionTimeout: 6000, heartbeatInterval: 1000, maxWaitTimeInMs: 100 });
    expect(() => createConsumer(kafka, { groupId: 'g' })).not.toThrow();
  });

  it('refuses a session timeout the dev broker would expire during its first-join hold', () => {
    expect(() => createConsumer(kafka, { groupId: 'g', sessionTimeout: 3000 })).toThrow(/too short/);
  });

  it('refuses a heartbeat interval not below the session timeout', () => {
    expect(() => createConsumer(kafka, { groupId: 'g', heartbeatInterval: 6000 })).toThrow(/heartbeatInterval/);
  });
});

describe('isRetriableError', () => {
  it('follows kafkajs: retriable unless marked otherwise or a programming error', () => {
    expect(isRetriableError(new Error('ClickHouse timeout'))).toBe(true);
    expect(isRetriableError(new NonRetriableError('bad schema'))).toBe(false);
    expect(isRetriableError(new TypeError('x is undefined'))).toBe(false);
  });

  it('judges a wrapped error by its root cause', () => {
    const cause = new KafkaJSConnectionError('Connection timeout');
    const wrapped = new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 });
    Object.assign(wrapped, { cause });
    expect(rootCause(wrapped)).toBe(cause);
    expect(isRetriableError(wrapped)).toBe(true);
    expect(isRetriableError(new Error('outer', { cause: new NonRetriableError('inner') }))).toBe(false);
  });
});

describe('isRefusalByBroker', () => {
  // The dev broker answers a JoinGroup or SyncGroup during a rebalance with INVALID_REQUEST, which kafkajs
  // does not retry: an ingest member that stopped there would stay out of the group for the night.
  const refused = new KafkaJSProtocolError('The request was malformed');

  it('is a protocol error the broker answered, wrapped or not', () => {
    expect(isRefusalByBroker(refused)).toBe(true);
    expect(isRefusalByBroker(new KafkaJSNumberOfRetriesExceeded(refused, { retryCount: 5, retryTime: 100 }))).toBe(true);
  });

  it('is never a failure of our own batch handler, nor a connection or programming error', () => {
    expect(isRefusalByBroker(new NonRetriableError('Batch failed', { cause: refused }))).toBe(false);
    expect(isRefusalByBroker(new KafkaJSConnectionError('Connection timeout'))).toBe(false);
    expect(isRefusalByBroker(new TypeError('x is undefined'))).toBe(false);
  });
});
