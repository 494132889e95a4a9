import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface CreateKafkaOptions {
  /** `host:port` list, or one comma-separated string as in KAFKA_BROKERS. */
  brokers: string | readonly string[];
  clientId: string;
  /** Default `warn`: kafkajs' default `info` logs every group join and fetch-manager restart. */
  logLevel?: KafkaLogLevel;
  /** Anything else kafkajs accepts (ssl, sasl, timeouts, logCreator). */
  overrides?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel'>;
}

const LOG_LEVELS: Record<KafkaLogLevel, logLevel> = {
  nothing: logLevel.NOTHING,
  error: logLevel.ERROR,
  warn: logLevel.WARN,
  info: logLevel.INFO,
  debug: logLevel.DEBUG,
};

export function createKafka(options: CreateKafkaOptions): Kafka {
  return new Kafka({
    ...options.overrides,
    brokers: parseBrokers(options.brokers),
    clientId: options.clientId,
    logLevel: LOG_LEVELS[options.logLevel ?? 'warn'],
  });
}

/** Splits and trims a broker list; throws when nothing usable is left, so a typo fails at boot. */
export function parseBrokers(brokers: string | readonly string[]): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : brokers)
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);
  if (list.length === 0) {
    throw new Error('Kafka broker list is empty (expected "host:port[,host:port...]")');
  }
  const bad = list.filter((broker) => !/^\S+:\d{1,5}$/.test(broker));
  if (bad.length > 0) {
    throw new Error(`Kafka broker address must be host:port, got: ${bad.join(', ')}`);
  }
  return list;
}
