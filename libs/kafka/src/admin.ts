import type { Admin } from 'kafkajs';
import { hasErrorNamed } from './errors';
import type { TopicSpec } from './topics';

/** The two admin calls ensureTopics needs; a kafkajs Admin fits, and so does a test fake. */
export type TopicAdmin = Pick<Admin, 'listTopics' | 'createTopics'>;

export interface EnsureTopicsResult {
  /** Topics this call created. */
  readonly created: readonly string[];
  /** Topics that were already there. */
  readonly existing: readonly string[];
}

/**
 * Creates the topics in `topics` that the cluster lacks, and leaves existing ones alone (their
 * partition counts are an operator's decision, not the app's).
 *
 * listTopics comes first because the dev broker (librdkafka's mock cluster) does not implement
 * CreateTopics: it creates TOPICS at start, and here we only need to see that they exist. If a
 * topic is missing and the broker cannot create it, this throws naming the topics, rather than
 * letting a producer auto-create it with the broker's default partition count.
 */
export async function ensureTopics(
  admin: TopicAdmin,
  topics: readonly TopicSpec[],
): Promise<EnsureTopicsResult> {
  const wanted = dedupe(topics);
  const present = new Set(await admin.listTopics());
  const missing = wanted.filter((topic) => !present.has(topic.name));
  const existing = wanted.filter((topic) => present.has(topic.name)).map((topic) => topic.name);
  if (missing.length === 0) return { created: [], existing };

  try {
    await admin.createTopics({
      // Wait for leaders so a producer started right after this does not hit LEADER_NOT_AVAILABLE.
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: topic.replicationFactor ?? -1,
        ...(topic.config ? { configEntries: Object.entries(topic.config).map(([name, value]) => ({ name, value })) } : {}),
      })),
    });
  } catch (error) {
    if (!hasErrorNamed(error, 'KafkaJSServerDoesNotSupportApiKey')) throw error;
    // Someone else may have created them meanwhile (another replica, the dev broker): look again.
    const nowPresent = new Set(await admin.listTopics());
    const stillMissing = missing.filter((topic) => !nowPresent.has(topic.name));
    if (stillMissing.length > 0) {
      const names = stillMissing.map((topic) => `${topic.name} (${topic.partitions} partitions)`);
      throw new Error(
        `Kafka topics missing: ${names.join(', ')}. The broker does not support CreateTopics, ` +
          'so they must exist before the app starts. On the dev broker, add them to TOPICS in ' +
          'libs/kafka or pass --topic NAME:PARTITIONS to infra/dev/broker/main.ts.',
        { cause: error },
      );
    }
    return { created: [], existing: wanted.map((topic) => topic.name) };
  }
  return { created: missing.map((topic) => topic.name), existing };
}

/** Same name twice with different partition counts is a bug in the caller's list: refuse it. */
function dedupe(topics: readonly TopicSpec[]): TopicSpec[] {
  const byName = new Map<string, TopicSpec>();
  for (const topic of topics) {
    const seen = byName.get(topic.name);
    if (seen && seen.partitions !== topic.partitions) {
      throw new Error(
        `Topic ${topic.name} is listed twice, with ${seen.partitions} and ${topic.partitions} partitions`,
      );
    }
    if (!Number.isInteger(topic.partitions) || topic.partitions < 1) {
      throw new Error(`Topic ${topic.name} needs a positive whole partition count, got ${topic.partitions}`);
    }
    byName.set(topic.name, topic);
  }
  return [...byName.values()];
}
