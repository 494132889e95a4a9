/** A topic the application needs, with the partition count it was designed for. */
export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  /** Omitted means "the broker's default" (kafkajs sends -1). */
  readonly replicationFactor?: number;
  /** Topic settings to create it with (`retention.ms`, …); omitted: the broker's defaults. */
  readonly config?: Readonly<Record<string, string>>;
}

/**
 * Every topic warroom uses. The dev broker creates exactly these at start and `ensureTopics`
 * creates them on a real cluster, so both read this one list.
 *
 * chat.events has 24 partitions because sessionId is the key and ordering only holds within a
 * partition: more partitions spread a sale-day peak over more consumers. It also keeps the dev
 * broker (about 5 MiB retained per partition) from silently dropping a test's older messages.
 * kb.patches has one partition because patches must apply in the order they were written; so has
 * bot.handoffs (every bot applies the bots' presences and queued sessions in one order), and so has
 * outreach.contacts (the bots' one sequencer of who may be contacted, and who said no).
 */
export const TOPICS = {
  chatEvents: { name: 'chat.events', partitions: 24 },
  chatEventsDlq: { name: 'chat.events.dlq', partitions: 4 },
  kbPatches: { name: 'kb.patches', partitions: 1 },
  gapLifecycle: { name: 'gap.lifecycle', partitions: 1 },
  signIns: { name: 'auth.sign-ins', partitions: 1 },
  liveLeader: { name: 'live.leader', partitions: 1 },
  liveFrames: { name: 'live.frames', partitions: 1 },
  botHandoffs: { name: 'bot.handoffs', partitions: 1 },
  outreachContacts: { name: 'outreach.contacts', partitions: 1 },
} as const satisfies Record<string, TopicSpec>;

/** TOPICS as a list, in a stable order, for code that creates or checks all of them. */
export const ALL_TOPICS: readonly TopicSpec[] = Object.values(TOPICS);
