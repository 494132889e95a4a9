import { KafkaJSNonRetriableError, KafkaJSServerDoesNotSupportApiKey } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ensureTopics, type TopicAdmin } from './admin';
import type { TopicSpec } from './topics';

type CreateTopicsArgs = Parameters<TopicAdmin['createTopics']>[0];

/** An in-memory admin: `supportsCreate` false behaves like the dev broker. */
function fakeAdmin(initial: string[], options: { supportsCreate?: boolean; wrapped?: boolean; createdByOthers?: string[] } = {}) {
  const topics = new Set(initial);
  const createCalls: CreateTopicsArgs[] = [];
  let listCalls = 0;
  const admin: TopicAdmin = {
    listTopics: () => {
      listCalls += 1;
      // From the second listing on, simulate topics that another process created meanwhile.
      if (listCalls > 1) for (const name of options.createdByOthers ?? []) topics.add(name);
      return Promise.resolve([...topics]);
    },
    createTopics: (args) => {
      createCalls.push(args);
      if (options.supportsCreate === false) {
        // What kafkajs 2.2.4 throws against the dev broker (checked against the real thing).
        const unsupported = new KafkaJSServerDoesNotSupportApiKey(
          'The Kafka server does not support the requested API version',
          { apiKey: 19, apiName: 'CreateTopics' },
        );
        return Promise.reject(options.wrapped ? Object.assign(new KafkaJSNonRetriableError(unsupported), { cause: unsupported }) : unsupported);
      }
      for (const topic of args.topics) topics.add(topic.topic);
      return Promise.resolve(true);
    },
  };
  return { admin, createCalls, topics };
}

const chat: TopicSpec = { name: 'chat.events', partitions: 24 };
const dlq: TopicSpec = { name: 'chat.events.dlq', partitions: 4 };

describe('ensureTopics', () => {
  it('creates nothing when every topic exists', async () => {
    const { admin, createCalls } = fakeAdmin(['chat.events', 'chat.events.dlq', 'other']);
    await expect(ensureTopics(admin, [chat, dlq])).resolves.toEqual({ created: [], existing: ['chat.events', 'chat.events.dlq'] });
    expect(createCalls).toEqual([]);
  });

  it('creates only the missing topics, with their partition counts', async () => {
    const { admin, createCalls } = fakeAdmin(['chat.events']);
    await expect(ensureTopics(admin, [chat, dlq])).resolves.toEqual({ created: ['chat.events.dlq'], existing: ['chat.events'] });
    expect(createCalls).toEqual([
      { waitForLeaders: true, topics: [{ topic: 'chat.events.dlq', numPartitions: 4, replicationFactor: -1 }] },
    ]);
  });

  it('passes an explicit replication factor through', async () => {
    const { admin, createCalls } = fakeAdmin([]);
    await ensureTopics(admin, [{ name: 'kb.patches', partitions: 1, replicationFactor: 3 }]);
    expect(createCalls[0]?.topics).toEqual([{ topic: 'kb.patches', numPartitions: 1, replicationFactor: 3 }]);
  });

  it('names the missing topics when the broker cannot create them', async () => {
    const { admin } = fakeAdmin(['chat.events'], { supportsCreate: false });
    const error = await ensureTopics(admin, [chat, dlq]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^Kafka topics missing: chat\.events\.dlq \(4 partitions\)\. The broker does not support CreateTopics/);
    expect((error as Error).cause).toBeInstanceOf(KafkaJSServerDoesNotSupportApiKey);
  });

  it('recognises the unsupported-API error when kafkajs wraps it in a cause chain', async () => {
    const { admin } = fakeAdmin([], { supportsCreate: false, wrapped: true });
    await expect(ensureTopics(admin, [chat])).rejects.toThrow(/Kafka topics missing: chat\.events \(24 partitions\)/);
  });

  it('accepts an unsupported CreateTopics when the topics appeared meanwhile', async () => {
    const { admin } = fakeAdmin([], { supportsCreate: false, createdByOthers: ['chat.events'] });
    await expect(ensureTopics(admin, [chat])).resolves.toEqual({ created: [], existing: ['chat.events'] });
  });

  it('rethrows any other createTopics error unchanged', async () => {
    const { admin } = fakeAdmin([]);
    const boom = new Error('TOPIC_AUTHORIZATION_FAILED');
    admin.createTopics = () => Promise.reject(boom);
    await expect(ensureTopics(admin, [chat])).rejects.toBe(boom);
  });

  it('refuses a list that names a topic twice with different partition counts', async () => {
    const { admin } = fakeAdmin([]);
    await expect(ensureTopics(admin, [chat, { name: 'chat.events', partitions: 12 }])).rejects.toThrow(/listed twice/);
  });

  it('refuses a non-positive partition count', async () => {
    const { admin } = fakeAdmin([]);
    await expect(ensureTopics(admin, [{ name: 'x', partitions: 0 }])).rejects.toThrow(/positive whole partition count/);
  });
});
