import { KafkaJSServerDoesNotSupportApiKey } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { checkTopics, PRODUCTION_REPLICATION, provisionTopics, TopicCheckError, type ProvisionAdmin } from './provision';
import { ALL_TOPICS, TOPICS } from './topics';

interface FakeTopic {
  partitions: number;
  replicas: number;
  config: Map<string, string>;
}

/** A broker in memory; `reportsSettings` false behaves like the dev broker (no DescribeConfigs). */
function fakeBroker(initial: Record<string, { partitions: number; replicas: number; config?: Record<string, string> }>, reportsSettings = true) {
  const topics = new Map<string, FakeTopic>(
    Object.entries(initial).map(([name, topic]) => [name, { ...topic, config: new Map(Object.entries(topic.config ?? {})) }]),
  );
  const calls = { create: 0, alter: 0 };
  const notSupported = () => new KafkaJSServerDoesNotSupportApiKey('not supported', { apiKey: 32, apiName: 'DescribeConfigs' });
  const admin: ProvisionAdmin = {
    listTopics: () => Promise.resolve([...topics.keys()]),
    createTopics: ({ topics: created }) => {
      calls.create++;
      for (const topic of created) {
        topics.set(topic.topic, {
          partitions: topic.numPartitions ?? 1,
          replicas: topic.replicationFactor ?? 1,
          config: new Map((topic.configEntries ?? []).map((entry) => [entry.name, entry.value])),
        });
      }
      return Promise.resolve(true);
    },
    fetchTopicMetadata: (options) =>
      Promise.resolve({
        topics: (options?.topics ?? []).map((name) => {
          const topic = topics.get(name) as FakeTopic;
          return {
            name,
            partitions: Array.from({ length: topic.partitions }, (_, partitionId) => ({
              partitionErrorCode: 0,
              partitionId,
              leader: 0,
              replicas: Array.from({ length: topic.replicas }, (_, i) => i),
              isr: [],
              offlineReplicas: [],
            })),
          };
        }),
      }),
    describeConfigs: ({ resources }) => {
      if (!reportsSettings) return Promise.reject(notSupported());
      return Promise.resolve({
        throttleTime: 0,
        resources: resources.map((resource) => ({
          resourceName: resource.name,
          resourceType: resource.type,
          errorCode: 0,
          errorMessage: '',
          configEntries: [...(topics.get(resource.name)?.config ?? new Map<string, string>())].map(([configName, configValue]) => ({
            configName,
            configValue,
            isDefault: false,
            configSource: 1,
            isSensitive: false,
            readOnly: false,
            configSynonyms: [],
          })),
        })),
      });
    },
    alterConfigs: ({ resources }) => {
      calls.alter++;
      for (const resource of resources) {
        const topic = topics.get(resource.name) as FakeTopic;
        topic.config = new Map(resource.configEntries.map((entry) => [entry.name, entry.value]));
      }
      return Promise.resolve(true);
    },
  };
  return { admin, topics, calls };
}

describe('provisionTopics', () => {
  it('creates every topic with its partitions, three replicas, two in sync, and kb.patches kept forever; a second run changes nothing', async () => {
    const broker = fakeBroker({});
    const first = await provisionTopics(broker.admin, PRODUCTION_REPLICATION);
    expect(first.created).toEqual(ALL_TOPICS.map((topic) => topic.name));
    const patches = broker.topics.get('kb.patches') as FakeTopic;
    expect(patches.replicas).toBe(3);
    expect(patches.config.get('retention.ms')).toBe('-1');
    expect(patches.config.get('min.insync.replicas')).toBe('2');
    expect(broker.topics.get('chat.events')?.partitions).toBe(TOPICS.chatEvents.partitions);
    // The bots' handoff log keeps each key's newest record, not a time window.
    expect(broker.topics.get('bot.handoffs')?.config.get('cleanup.policy')).toBe('compact');
    expect(broker.topics.get('chat.events')?.config.get('cleanup.policy')).toBe('delete');

    const second = await provisionTopics(broker.admin, PRODUCTION_REPLICATION);
    expect(second).toEqual({ created: [], reconfigured: [], unchanged: ALL_TOPICS.map((topic) => topic.name), problems: [], settingsChecked: true });
    expect(broker.calls).toEqual({ create: 1, alter: 0 });
  });

  it('sets the settings of an existing topic that differ, and names what it cannot fix itself', async () => {
    const broker = fakeBroker({
      'chat.events': { partitions: 6, replicas: 3 },
      'chat.events.dlq': { partitions: 4, replicas: 1 },
      'kb.patches': { partitions: 1, replicas: 3, config: { 'retention.ms': '604800000' } },
    });
    const report = await provisionTopics(broker.admin, PRODUCTION_REPLICATION);
    expect(report.reconfigured).toEqual(['chat.events', 'chat.events.dlq', 'kb.patches']);
    expect(broker.topics.get('kb.patches')?.config.get('retention.ms')).toBe('-1');
    expect(report.problems.map((problem) => `${problem.topic}: ${problem.problem.split(':')[0]}`)).toEqual([
      'chat.events: 6 partitions, the design needs 24',
      'chat.events.dlq: 1 replicas per partition, the policy is 3',
    ]);
  });

  it('says when the broker does not report settings (the dev broker) instead of pretending they were checked', async () => {
    const broker = fakeBroker(Object.fromEntries(ALL_TOPICS.map((topic) => [topic.name, { partitions: topic.partitions, replicas: 1 }])), false);
    const report = await provisionTopics(broker.admin, { replicationFactor: 1, minInsyncReplicas: 1 });
    expect(report.settingsChecked).toBe(false);
    expect(report.problems).toEqual([]);
  });
});

describe('checkTopics', () => {
  it('stops an app whose topic is missing or too small, with the fix', async () => {
    const broker = fakeBroker(
      {
        'chat.events': { partitions: 3, replicas: 1 },
        'kb.patches': { partitions: 1, replicas: 1 },
        'gap.lifecycle': { partitions: 1, replicas: 1 },
        'auth.sign-ins': { partitions: 1, replicas: 1 },
        'live.leader': { partitions: 1, replicas: 1 },
        'live.frames': { partitions: 1, replicas: 1 },
        'bot.handoffs': { partitions: 1, replicas: 1 },
        'outreach.contacts': { partitions: 1, replicas: 1 },
      },
      false,
    );
    const failure = await checkTopics(broker.admin).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TopicCheckError);
    expect((failure as Error).message).toMatch(/chat\.events\.dlq: missing; chat\.events: 3 partitions, the design needs 24/);
    expect((failure as Error).message).toMatch(/npm run topics/);
  });

  it('refuses a kb.patches that the broker reports will expire', async () => {
    const ready = Object.fromEntries(ALL_TOPICS.map((topic) => [topic.name, { partitions: topic.partitions, replicas: 3 }]));
    const broker = fakeBroker({ ...ready, 'kb.patches': { partitions: 1, replicas: 3, config: { 'retention.ms': '86400000' } } });
    await expect(checkTopics(broker.admin)).rejects.toThrow(/kb\.patches: retention\.ms is 86400000/);
    await provisionTopics(broker.admin, PRODUCTION_REPLICATION);
    await expect(checkTopics(broker.admin)).resolves.toEqual({ settingsChecked: true });
  });
});
