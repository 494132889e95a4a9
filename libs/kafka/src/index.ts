export { ALL_TOPICS, TOPICS, type TopicSpec } from './topics';
export { createKafka, parseBrokers, type CreateKafkaOptions, type KafkaLogLevel } from './client';
export {
  KAFKA_SASL_MECHANISMS,
  kafkaBrokerListSchema,
  kafkaSecurityEnvShape,
  kafkaSecurityFrom,
  kafkaSecurityProblems,
  type KafkaSecurity,
} from './env';
export { ensureTopics, type EnsureTopicsResult, type TopicAdmin } from './admin';
export {
  CONSUMER_DEFAULTS,
  ConsumerRunner,
  commitThrough,
  createConsumer,
  nextOffset,
  type ConsumerCrash,
  type ConsumerRunnerOptions,
  type ConsumerRunnerState,
} from './consumer';
export { LogFollower, type LogFollowerOptions, type LogRecord } from './follow';
export { createProducer, sendBatch, type ProducerOptions, type SendBatchOptions } from './producer';
export { NonRetriableError, hasErrorNamed, isRetriableError, rootCause } from './errors';
export {
  checkTopics,
  PRODUCTION_REPLICATION,
  provisionTopics,
  TopicCheckError,
  topicConfig,
  type ProvisionAdmin,
  type ProvisionReport,
  type ReplicationPolicy,
  type TopicProblem,
} from './provision';
export { checkTopicsAtStart, checkTopicsAtStartOrExit, type StartTopicsReport } from './start-check';
export {
  APIS_IN_USE,
  fetchBrokerVersions,
  kafkajsVersions,
  negotiate,
  REQUIRED_APIS,
  type ApiName,
  type ApiVerdict,
  type VersionRange,
} from './protocol-check';
