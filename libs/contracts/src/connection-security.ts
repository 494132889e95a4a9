import { z } from 'zod';

/**
 * How the apps reach a production Kafka and ClickHouse (issue 21): Kafka over TLS with SASL (SCRAM), and
 * ClickHouse over HTTPS with the deployment's CA and, optionally, a client certificate. The same variables
 * for every app that talks to them; parsed (and cross-checked) at start with the rest of the environment.
 * Files are named, not inlined: the apps read them when they connect, and a file that cannot be read fails
 * the start with its variable's name.
 */

const filePath = z.string().min(1);

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;

export const kafkaSecurityEnvShape = {
  /** TLS to the brokers (with the system's CAs, or KAFKA_SSL_CA_FILE's). */
  KAFKA_SSL: z.stringbool().default(false),
  KAFKA_SSL_CA_FILE: filePath.optional(),
  /** A client certificate and its key (PEM), for brokers that ask for one. */
  KAFKA_SSL_CERT_FILE: filePath.optional(),
  KAFKA_SSL_KEY_FILE: filePath.optional(),
  KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
};

export const clickhouseSecurityEnvShape = {
  /** The CA (PEM) that signed the ClickHouse servers' certificates; needs an https CLICKHOUSE_URL. */
  CLICKHOUSE_CA_FILE: filePath.optional(),
  /** A client certificate and its key (PEM), for servers that ask for one. */
  CLICKHOUSE_CERT_FILE: filePath.optional(),
  CLICKHOUSE_KEY_FILE: filePath.optional(),
};

export interface KafkaSecurity {
  /** null: plaintext. */
  ssl: { caFile: string | null; certFile: string | null; keyFile: string | null } | null;
  /** null: no SASL. */
  sasl: { mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; username: string; password: string } | null;
}

/** null: the CLICKHOUSE_URL's scheme decides (https with the system's CAs, or http). */
export type ClickHouseTls = { caFile: string; certFile: string | null; keyFile: string | null } | null;

/** The variables as a schema of their own, for apps that read only these (and for the types below). */
export const kafkaSecurityEnvSchema = z.object(kafkaSecurityEnvShape);
export const clickhouseSecurityEnvSchema = z.object(clickhouseSecurityEnvShape);
type KafkaSecurityEnv = z.infer<typeof kafkaSecurityEnvSchema>;
type ClickHouseSecurityEnv = z.infer<typeof clickhouseSecurityEnvSchema> & { CLICKHOUSE_URL?: string };

/** Every inconsistency of the security variables, as `VARIABLE: problem` lines (empty when none). */
export function connectionSecurityProblems(env: Partial<KafkaSecurityEnv> & Partial<ClickHouseSecurityEnv>): string[] {
  const problems: string[] = [];
  const sslFiles = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE].some((file) => file !== undefined);
  if (sslFiles && env.KAFKA_SSL !== true) problems.push('KAFKA_SSL: must be true when a KAFKA_SSL_*_FILE is set');
  if ((env.KAFKA_SSL_CERT_FILE === undefined) !== (env.KAFKA_SSL_KEY_FILE === undefined)) {
    problems.push('KAFKA_SSL_KEY_FILE: a client certificate needs its key, and a key its certificate (KAFKA_SSL_CERT_FILE)');
  }
  const sasl = env.KAFKA_SASL_MECHANISM !== undefined;
  if (sasl && (env.KAFKA_SASL_USERNAME === undefined || env.KAFKA_SASL_PASSWORD === undefined)) {
    problems.push('KAFKA_SASL_USERNAME: KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  if (!sasl && (env.KAFKA_SASL_USERNAME !== undefined || env.KAFKA_SASL_PASSWORD !== undefined)) {
    problems.push('KAFKA_SASL_MECHANISM: required with KAFKA_SASL_USERNAME/KAFKA_SASL_PASSWORD (plain, scram-sha-256 or scram-sha-512)');
  }
  if (sasl && env.KAFKA_SASL_MECHANISM === 'plain' && env.KAFKA_SSL !== true) {
    problems.push('KAFKA_SSL: SASL plain sends the password as it is: it needs KAFKA_SSL=true');
  }
  const clickhouseTls = [env.CLICKHOUSE_CA_FILE, env.CLICKHOUSE_CERT_FILE, env.CLICKHOUSE_KEY_FILE].some((file) => file !== undefined);
  if (clickhouseTls && env.CLICKHOUSE_URL !== undefined && !env.CLICKHOUSE_URL.startsWith('https:')) {
    problems.push('CLICKHOUSE_URL: must be https:// when CLICKHOUSE_CA_FILE or a client certificate is set');
  }
  if (clickhouseTls && env.CLICKHOUSE_CA_FILE === undefined) problems.push('CLICKHOUSE_CA_FILE: a client certificate needs the CA it is checked against');
  if ((env.CLICKHOUSE_CERT_FILE === undefined) !== (env.CLICKHOUSE_KEY_FILE === undefined)) {
    problems.push('CLICKHOUSE_KEY_FILE: a client certificate needs its key, and a key its certificate (CLICKHOUSE_CERT_FILE)');
  }
  return problems;
}

export function kafkaSecurityFrom(env: KafkaSecurityEnv): KafkaSecurity {
  return {
    ssl: env.KAFKA_SSL ? { caFile: env.KAFKA_SSL_CA_FILE ?? null, certFile: env.KAFKA_SSL_CERT_FILE ?? null, keyFile: env.KAFKA_SSL_KEY_FILE ?? null } : null,
    sasl:
      env.KAFKA_SASL_MECHANISM && env.KAFKA_SASL_USERNAME && env.KAFKA_SASL_PASSWORD
        ? { mechanism: env.KAFKA_SASL_MECHANISM, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD }
        : null,
  };
}

export function clickhouseTlsFrom(env: ClickHouseSecurityEnv): ClickHouseTls {
  return env.CLICKHOUSE_CA_FILE ? { caFile: env.CLICKHOUSE_CA_FILE, certFile: env.CLICKHOUSE_CERT_FILE ?? null, keyFile: env.CLICKHOUSE_KEY_FILE ?? null } : null;
}
