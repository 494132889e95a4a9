import { z } from 'zod';

/**
 * The Kafka variables every server app reads the same way (the api and the bot): the broker list, and how
 * to reach a production cluster (issue 21): TLS with the deployment's CA and, optionally, a client
 * certificate, and SASL (SCRAM). Each app spreads these into its own env schema, so they are parsed (and
 * cross-checked) at start with the rest of its environment. Files are named, not inlined: the client reads
 * them when it connects, and a file that cannot be read fails the start with its variable's name.
 */

/** KAFKA_BROKERS: `host:port[,host:port…]`. */
export const kafkaBrokerListSchema = z
  .string()
  .min(1)
  .transform((value) => value.split(',').map((broker) => broker.trim()))
  .pipe(z.array(z.string().regex(/^[^:\s]+:\d{1,5}$/, 'expected host:port[,host:port…]')).min(1));

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
type KafkaSecurityEnv = z.infer<z.ZodObject<typeof kafkaSecurityEnvShape>>;

export interface KafkaSecurity {
  /** null: plaintext. */
  ssl: { caFile: string | null; certFile: string | null; keyFile: string | null } | null;
  /** null: no SASL. */
  sasl: { mechanism: (typeof KAFKA_SASL_MECHANISMS)[number]; username: string; password: string } | null;
}

/** Every inconsistency of the Kafka security variables, as `VARIABLE: problem` lines (empty when none). */
export function kafkaSecurityProblems(env: KafkaSecurityEnv): string[] {
  const problems: string[] = [];
  const sslFiles = [env.KAFKA_SSL_CA_FILE, env.KAFKA_SSL_CERT_FILE, env.KAFKA_SSL_KEY_FILE].some((file) => file !== undefined);
  if (sslFiles && !env.KAFKA_SSL) problems.push('KAFKA_SSL: must be true when a KAFKA_SSL_*_FILE is set');
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
  if (sasl && env.KAFKA_SASL_MECHANISM === 'plain' && !env.KAFKA_SSL) {
    problems.push('KAFKA_SSL: SASL plain sends the password as it is: it needs KAFKA_SSL=true');
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
