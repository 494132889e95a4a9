import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import type { KafkaSecurity } from './env';

export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

export interface CreateKafkaOptions {
  /** `host:port` list, or one comma-separated string as in KAFKA_BROKERS. */
  brokers: string | readonly string[];
  clientId: string;
  /** Default `warn`: kafkajs' default `info` logs every group join and fetch-manager restart. */
  logLevel?: KafkaLogLevel;
  /** TLS and SASL from the environment (KAFKA_SSL…, KAFKA_SASL…); default: plaintext. */
  security?: KafkaSecurity;
  /** Anything else kafkajs accepts (timeouts, retries, logCreator). */
  overrides?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel' | 'ssl' | 'sasl'>;
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
    ...kafkaSecurityOptions(options.security ?? { ssl: null, sasl: null }),
    logLevel: LOG_LEVELS[options.logLevel ?? 'warn'],
  });
}

/**
 * kafkajs' `ssl` and `sasl` for the settings: the PEM files are read now, so a file that cannot be read fails
 * the start with its variable's name instead of every connection failing later.
 */
export function kafkaSecurityOptions(security: KafkaSecurity, read: (path: string) => Buffer = readFileSync): Pick<KafkaConfig, 'ssl' | 'sasl'> {
  const file = (variable: string, path: string | null): Buffer | undefined => {
    if (path === null) return undefined;
    try {
      return read(path);
    } catch (error) {
      throw new Error(`${variable}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  const ssl = security.ssl;
  const tls =
    ssl === null
      ? undefined
      : ssl.caFile === null && ssl.certFile === null
        ? true
        : {
            ...(ssl.caFile === null ? {} : { ca: [file('KAFKA_SSL_CA_FILE', ssl.caFile)!] }),
            ...(ssl.certFile === null ? {} : { cert: file('KAFKA_SSL_CERT_FILE', ssl.certFile)!, key: file('KAFKA_SSL_KEY_FILE', ssl.keyFile)! }),
          };
  const sasl: SASLOptions | undefined = security.sasl === null ? undefined : { ...security.sasl };
  return { ...(tls === undefined ? {} : { ssl: tls }), ...(sasl === undefined ? {} : { sasl }) };
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
