/**
 * The topic check every app runs before it starts (checkTopics), and the line it logs about what the
 * broker reports of the topics: partitions and replicas always, retention and min.insync.replicas where
 * the broker describes topic settings (the dev broker does not).
 */
import { hasErrorNamed } from './errors';
import { createKafka, type CreateKafkaOptions } from './client';
import { checkTopics, layout, settings } from './provision';
import { ALL_TOPICS, type TopicSpec } from './topics';

export interface StartTopicsReport {
  /** False when the broker could not be reached in time: the app starts and its clients retry. */
  readonly checked: boolean;
  /** One line for the start log. */
  readonly summary: string;
}

function describeTopics(
  topics: readonly TopicSpec[],
  found: Map<string, { partitions: number; replicas: number }>,
  current: Map<string, Map<string, string>> | null,
): string {
  const parts = topics.map((topic) => {
    const shape = found.get(topic.name);
    const config = current?.get(topic.name);
    const words = [`${shape?.partitions ?? '?'} partitions`, `${shape?.replicas ?? '?'} replicas`];
    if (config) words.push(`retention.ms ${config.get('retention.ms') ?? '?'}`, `min.insync.replicas ${config.get('min.insync.replicas') ?? '?'}`);
    return `${topic.name} (${words.join(', ')})`;
  });
  const settingsNote = current === null ? '; the broker does not describe topic settings, so retention and min.insync.replicas were not checked' : '';
  return `Kafka topics checked: ${parts.join('; ')}${settingsNote}`;
}

/**
 * Checks `topics` (every topic warroom uses, by default: `npm run topics` provisions them together) on the
 * brokers of `options`. Throws TopicCheckError, naming each problem and the fix, when a topic is missing or
 * has fewer partitions than the design. A broker that cannot be reached is not a topic problem: the apps
 * already ride out a broker outage (the bot spools, ingest and the watermark retry), so it is reported and
 * the app starts.
 */
export async function checkTopicsAtStart(options: CreateKafkaOptions, topics: readonly TopicSpec[] = ALL_TOPICS): Promise<StartTopicsReport> {
  const kafka = createKafka({ ...options, logLevel: 'nothing', overrides: { ...options.overrides, retry: { retries: 2 } } });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (error) {
    if (!hasErrorNamed(error, 'KafkaJSConnectionError') && !hasErrorNamed(error, 'KafkaJSNumberOfRetriesExceeded')) throw error;
    return { checked: false, summary: `Kafka topics not checked: the brokers could not be reached (${(error as Error).message}); the clients keep retrying` };
  }
  try {
    await checkTopics(admin, topics);
    const names = topics.map((topic) => topic.name);
    return { checked: true, summary: describeTopics(topics, await layout(admin, names), await settings(admin, names)) };
  } finally {
    await admin.disconnect();
  }
}
