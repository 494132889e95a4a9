/**
 * The topic check every app runs before it starts (checkTopics), and the line it logs about what the
 * broker reports of the topics: partitions and replicas always, retention and min.insync.replicas where
 * the broker describes topic settings (the dev broker does not).
 */
import { isRetriableError } from './errors';
import { createKafka, type CreateKafkaOptions } from './client';
import { checkTopics, layout, settings, TopicCheckError } from './provision';
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
  // Bounded: a broker that is down or frozen must not hold the start for kafkajs' default minutes of retries.
  const kafka = createKafka({
    ...options,
    logLevel: 'nothing',
    overrides: { ...options.overrides, connectionTimeout: 3_000, requestTimeout: 5_000, retry: { retries: 2 } },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    await checkTopics(admin, topics);
    const names = topics.map((topic) => topic.name);
    return { checked: true, summary: describeTopics(topics, await layout(admin, names), await settings(admin, names)) };
  } catch (error) {
    // Only what may pass by itself (unreachable, timed out) lets the app start; a refused login does not.
    if (error instanceof TopicCheckError || !isRetriableError(error)) throw error;
    return { checked: false, summary: `Kafka topics not checked: the brokers did not answer (${(error as Error).message}); the clients keep retrying` };
  } finally {
    await admin.disconnect();
  }
}

/**
 * For an app's `main`: every topic must be there with its partitions before anything consumes or produces (a
 * producer would otherwise auto-create a missing one with the broker's defaults). A topic problem exits the
 * process with code 2 and the fix in the message; anything else is thrown. Resolves to the report's summary.
 */
export async function checkTopicsAtStartOrExit(options: CreateKafkaOptions): Promise<string> {
  try {
    return (await checkTopicsAtStart(options, ALL_TOPICS)).summary;
  } catch (error) {
    if (error instanceof TopicCheckError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}
