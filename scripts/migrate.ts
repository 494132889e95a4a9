/**
 * npm run -s migrate [-- --json]
 *
 * Applies the numbered migrations (libs/clickhouse/migrations) once per deployment, as a user with DDL
 * rights, so that the apps can run with CLICKHOUSE_SCHEMA=verify and a user that only reads and
 * inserts. With CLICKHOUSE_CLUSTER set the same files run ON CLUSTER with replicated engines
 * (libs/clickhouse/src/cluster-ddl.ts). Reads CLICKHOUSE_URL, CLICKHOUSE_DATABASE, CLICKHOUSE_USER,
 * CLICKHOUSE_PASSWORD, CLICKHOUSE_CLUSTER and the TLS variables; a bad one exits 2 naming it.
 * Last line of stdout: {"database","cluster","applied","skipped"}.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  clickhouseConnectionEnvShape,
  clickhouseSecurityProblems,
  clickhouseTlsFrom,
  createClickHouseClient,
  runMigrations,
} from '@warroom/clickhouse';
import { describeIssues } from '@warroom/contracts';

const { values } = parseArgs({ options: { json: { type: 'boolean', default: false } } });

const envSchema = z.object(clickhouseConnectionEnvShape).superRefine((env, context) => {
  for (const problem of clickhouseSecurityProblems(env)) context.addIssue({ code: 'custom', message: problem });
});

async function main(): Promise<number> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    process.stderr.write(`migrate: invalid configuration:\n${describeIssues(parsed.error).map((line) => `  - ${line}`).join('\n')}\n`);
    return 2;
  }
  const env = parsed.data;
  const client = createClickHouseClient({ url: env.CLICKHOUSE_URL, username: env.CLICKHOUSE_USER, password: env.CLICKHOUSE_PASSWORD, tls: clickhouseTlsFrom(env) });
  try {
    const result = await runMigrations(client, {
      database: env.CLICKHOUSE_DATABASE,
      ...(env.CLICKHOUSE_CLUSTER === undefined ? {} : { cluster: env.CLICKHOUSE_CLUSTER }),
      log: values.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (!values.json) process.stderr.write(`migrate: ${result.applied.length} applied, ${result.skipped.length} already applied\n`);
    process.stdout.write(`${JSON.stringify({ database: env.CLICKHOUSE_DATABASE, cluster: env.CLICKHOUSE_CLUSTER ?? null, ...result })}\n`);
    return 0;
  } finally {
    await client.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`migrate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
