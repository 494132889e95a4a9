import { z } from 'zod';

/**
 * How a server app reaches a production ClickHouse (issue 21): HTTPS with the deployment's CA and,
 * optionally, a client certificate. The app spreads these variables into its own env schema, so they are
 * parsed (and cross-checked) at start with the rest of its environment. Files are named, not inlined: the
 * client reads them when it is created, and a file that cannot be read fails the start with its variable's
 * name.
 */

const filePath = z.string().min(1);

export const clickhouseSecurityEnvShape = {
  /** The CA (PEM) that signed the ClickHouse servers' certificates; needs an https CLICKHOUSE_URL. */
  CLICKHOUSE_CA_FILE: filePath.optional(),
  /** A client certificate and its key (PEM), for servers that ask for one. */
  CLICKHOUSE_CERT_FILE: filePath.optional(),
  CLICKHOUSE_KEY_FILE: filePath.optional(),
};
type ClickHouseSecurityEnv = z.infer<z.ZodObject<typeof clickhouseSecurityEnvShape>> & { CLICKHOUSE_URL: string };

/** null: the CLICKHOUSE_URL's scheme decides (https with the system's CAs, or http). */
export type ClickHouseTls = { caFile: string; certFile: string | null; keyFile: string | null } | null;

/** Every inconsistency of the ClickHouse security variables, as `VARIABLE: problem` lines (empty when none). */
export function clickhouseSecurityProblems(env: ClickHouseSecurityEnv): string[] {
  const problems: string[] = [];
  const tls = [env.CLICKHOUSE_CA_FILE, env.CLICKHOUSE_CERT_FILE, env.CLICKHOUSE_KEY_FILE].some((file) => file !== undefined);
  if (tls && !env.CLICKHOUSE_URL.startsWith('https:')) {
    problems.push('CLICKHOUSE_URL: must be https:// when CLICKHOUSE_CA_FILE or a client certificate is set');
  }
  if (tls && env.CLICKHOUSE_CA_FILE === undefined) problems.push('CLICKHOUSE_CA_FILE: a client certificate needs the CA it is checked against');
  if ((env.CLICKHOUSE_CERT_FILE === undefined) !== (env.CLICKHOUSE_KEY_FILE === undefined)) {
    problems.push('CLICKHOUSE_KEY_FILE: a client certificate needs its key, and a key its certificate (CLICKHOUSE_CERT_FILE)');
  }
  return problems;
}

export function clickhouseTlsFrom(env: ClickHouseSecurityEnv): ClickHouseTls {
  return env.CLICKHOUSE_CA_FILE ? { caFile: env.CLICKHOUSE_CA_FILE, certFile: env.CLICKHOUSE_CERT_FILE ?? null, keyFile: env.CLICKHOUSE_KEY_FILE ?? null } : null;
}

/**
 * How an app or a command reaches its database: the URL, the database, the user, the security
 * variables above, and on a cluster the cluster's name (migrations run ON CLUSTER). CLICKHOUSE_SCHEMA
 * says whether an app migrates at start (`migrate`, the default: one process on one machine) or only
 * checks that `npm run migrate` has run (`verify`: a deployment whose apps hold no DDL rights).
 */
export const clickhouseConnectionEnvShape = {
  CLICKHOUSE_URL: z.url({ protocol: /^https?$/ }),
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).default('warroom'),
  CLICKHOUSE_USER: z.string().default('default'),
  CLICKHOUSE_PASSWORD: z.string().default(''),
  CLICKHOUSE_CLUSTER: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'a cluster name from the servers\' remote_servers')
    .optional(),
  CLICKHOUSE_SCHEMA: z.enum(['migrate', 'verify']).default('migrate'),
  ...clickhouseSecurityEnvShape,
};
