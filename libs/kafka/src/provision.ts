/**
 * Topics on a real cluster: `npm run topics` creates and configures them once per deployment
 * (provisionTopics), and every app checks them at start (checkTopics) so that a missing topic, or
 * one with fewer partitions than the design, stops the app with the fix in its message instead of
 * letting a producer auto-create it with the broker's defaults.
 *
 * Replication and retention are checked wherever the broker reports them; the dev broker (librdkafka's
 * mock cluster) answers neither DescribeConfigs nor CreateTopics, so there only names and partition
 * counts are checked, and the report says what was not.
 */
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { ensureTopics } from './admin';
import { hasErrorNamed } from './errors';
import { ALL_TOPICS, type TopicSpec } from './topics';

/** The admin calls provisioning needs; a kafkajs Admin fits, and so does a test fake. */
export type ProvisionAdmin = Pick<Admin, 'listTopics' | 'createTopics' | 'fetchTopicMetadata' | 'describeConfigs' | 'alterConfigs'>;

export interface ReplicationPolicy {
  /** Copies of every partition (3 on a production cluster). */
  readonly replicationFactor: number;
  /** Writes acknowledged by `acks: all` need this many in-sync copies (2 of 3: one broker may be down). */
  readonly minInsyncReplicas: number;
}

export const PRODUCTION_REPLICATION: ReplicationPolicy = { replicationFactor: 3, minInsyncReplicas: 2 };

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/**
 * Each topic's settings. gzip because kafkajs decodes only gzip without extra codecs: a topic
 * recompressed to zstd or lz4 by the broker could not be read by our consumers.
 * kb.patches is the knowledge base's history and its replica's source of truth: kept forever.
 */
export function topicConfig(topic: TopicSpec, policy: ReplicationPolicy): Record<string, string> {
  const retentionMs: Record<string, number> = {
    'chat.events': 7 * DAY_MS,
    'chat.events.dlq': 30 * DAY_MS,
    'kb.patches': -1,
    'gap.lifecycle': 7 * DAY_MS,
    'auth.sign-ins': DAY_MS,
    // The live views' presence and frames matter for seconds only.
    'live.leader': HOUR_MS,
    'live.frames': HOUR_MS,
    // Compacted (below): what is kept is each bot's newest presence and each queued session's newest state.
    'bot.handoffs': -1,
    // Every bot rebuilds from it who said no, which is for good (a compacted per-customer topic is the way
    // to bound it once the log's growth matters; not built).
    'outreach.contacts': -1,
  };
  const retention = retentionMs[topic.name];
  if (retention === undefined) throw new Error(`Topic ${topic.name} has no retention decided in libs/kafka/src/provision.ts`);
  // A tombstone of bot.handoffs must outlive a bot's catch-up from the log's beginning (one day is plenty).
  const compacted: Record<string, string> = topic.name === 'bot.handoffs' ? { 'delete.retention.ms': String(DAY_MS), 'min.compaction.lag.ms': '0' } : {};
  return {
    'cleanup.policy': topic.name === 'bot.handoffs' ? 'compact' : 'delete',
    'retention.ms': String(retention),
    ...compacted,
    'retention.bytes': '-1',
    'compression.type': 'gzip',
    'min.insync.replicas': String(policy.minInsyncReplicas),
    'unclean.leader.election.enable': 'false',
  };
}

export interface TopicProblem {
  readonly topic: string;
  readonly problem: string;
}

export interface ProvisionReport {
  readonly created: readonly string[];
  /** Existing topics whose settings were changed to the ones above. */
  readonly reconfigured: readonly string[];
  readonly unchanged: readonly string[];
  /** What the command cannot fix by itself (too few partitions or replicas), each with the fix. */
  readonly problems: readonly TopicProblem[];
  /** False where the broker does not report topic settings (the dev broker): they were not checked. */
  readonly settingsChecked: boolean;
}

function unsupported(error: unknown): boolean {
  return hasErrorNamed(error, 'KafkaJSServerDoesNotSupportApiKey');
}

/** Partition and replica counts as the broker reports them. */
export async function layout(admin: ProvisionAdmin, names: string[]): Promise<Map<string, { partitions: number; replicas: number }>> {
  if (names.length === 0) return new Map();
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  return new Map(
    metadata.topics.map((topic) => [
      topic.name,
      { partitions: topic.partitions.length, replicas: Math.min(...topic.partitions.map((partition) => partition.replicas.length)) },
    ]),
  );
}

/** Settings of the topics as the broker reports them, or null where it cannot say. */
export async function settings(admin: ProvisionAdmin, names: string[]): Promise<Map<string, Map<string, string>> | null> {
  if (names.length === 0) return new Map();
  try {
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: names.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
    });
    return new Map(
      described.resources.map((resource) => [
        resource.resourceName,
        new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
      ]),
    );
  } catch (error) {
    if (unsupported(error)) return null;
    throw error;
  }
}

function layoutProblems(topic: TopicSpec, found: { partitions: number; replicas: number } | undefined, policy: ReplicationPolicy): TopicProblem[] {
  if (found === undefined) return [{ topic: topic.name, problem: 'the broker does not describe it' }];
  const problems: TopicProblem[] = [];
  if (found.partitions < topic.partitions) {
    problems.push({
      topic: topic.name,
      problem:
        `${found.partitions} partitions, the design needs ${topic.partitions}: adding partitions moves sessions to other ` +
        `partitions mid-conversation, so recreate the topic with ${topic.partitions} (docs/operations.md, "A topic recreated")`,
    });
  }
  if (found.replicas < policy.replicationFactor) {
    problems.push({
      topic: topic.name,
      problem: `${found.replicas} replicas per partition, the policy is ${policy.replicationFactor}: reassign partitions (kafka-reassign-partitions.sh)`,
    });
  }
  return problems;
}

/**
 * Creates what is missing with the design's partitions, the policy's replication and the settings
 * above, sets the settings of existing topics that differ, and reports what it cannot fix. Running it
 * twice changes nothing the second time.
 */
export async function provisionTopics(
  admin: ProvisionAdmin,
  policy: ReplicationPolicy,
  topics: readonly TopicSpec[] = ALL_TOPICS,
): Promise<ProvisionReport> {
  const present = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !present.has(topic.name));
  // ensureTopics creates them, and names them with the fix where the broker cannot (the dev broker).
  if (missing.length > 0) {
    await ensureTopics(
      admin,
      missing.map((topic) => ({ ...topic, replicationFactor: policy.replicationFactor, config: topicConfig(topic, policy) })),
    );
  }
  const existing = topics.filter((topic) => present.has(topic.name));
  const found = await layout(admin, existing.map((topic) => topic.name));
  const problems = existing.flatMap((topic) => layoutProblems(topic, found.get(topic.name), policy));
  const current = await settings(admin, existing.map((topic) => topic.name));
  const reconfigured: string[] = [];
  if (current !== null) {
    const differing = existing.filter((topic) => {
      const wanted = topicConfig(topic, policy);
      const has = current.get(topic.name);
      return Object.entries(wanted).some(([name, value]) => has?.get(name) !== value);
    });
    if (differing.length > 0) {
      // AlterConfigs replaces a topic's whole set of overrides, so it is sent the complete set above.
      await admin.alterConfigs({
        validateOnly: false,
        resources: differing.map((topic) => ({
          type: ConfigResourceTypes.TOPIC,
          name: topic.name,
          configEntries: Object.entries(topicConfig(topic, policy)).map(([name, value]) => ({ name, value })),
        })),
      });
      reconfigured.push(...differing.map((topic) => topic.name));
    }
  }
  return {
    created: missing.map((topic) => topic.name),
    reconfigured,
    unchanged: existing.map((topic) => topic.name).filter((name) => !reconfigured.includes(name)),
    problems,
    settingsChecked: current !== null,
  };
}

export class TopicCheckError extends Error {
  constructor(readonly problems: readonly TopicProblem[]) {
    super(
      `Kafka topics are not ready: ${problems.map((problem) => `${problem.topic}: ${problem.problem}`).join('; ')}. ` +
        'Create and configure them with `npm run topics` (KAFKA_BROKERS set to the cluster); the dev broker creates them at start.',
    );
    this.name = 'TopicCheckError';
  }
}

/**
 * What an app checks at start: every topic it uses exists with at least the design's partitions, and,
 * where the broker reports settings, kb.patches is kept forever. Throws TopicCheckError naming each
 * problem and the fix. Replication is the topics command's concern: a dev broker has one replica.
 */
export async function checkTopics(admin: ProvisionAdmin, topics: readonly TopicSpec[] = ALL_TOPICS): Promise<{ settingsChecked: boolean }> {
  const present = new Set(await admin.listTopics());
  const problems: TopicProblem[] = topics.filter((topic) => !present.has(topic.name)).map((topic) => ({ topic: topic.name, problem: 'missing' }));
  const existing = topics.filter((topic) => present.has(topic.name));
  const found = await layout(admin, existing.map((topic) => topic.name));
  for (const topic of existing) {
    const partitions = found.get(topic.name)?.partitions ?? 0;
    if (partitions < topic.partitions) problems.push({ topic: topic.name, problem: `${partitions} partitions, the design needs ${topic.partitions}` });
  }
  const current = await settings(admin, existing.filter((topic) => topic.name === 'kb.patches').map((topic) => topic.name));
  const retention = current?.get('kb.patches')?.get('retention.ms');
  if (retention !== undefined && retention !== '-1') {
    problems.push({ topic: 'kb.patches', problem: `retention.ms is ${retention}: the knowledge base's history must be kept forever (-1)` });
  }
  if (problems.length > 0) throw new TopicCheckError(problems);
  return { settingsChecked: current !== null };
}
