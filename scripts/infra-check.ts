/**
 * npm run -s infra:check -- [--dir infra] [--skip-ddl] [--json]
 *
 * Checks what it takes to deploy warroom, offline: every Kubernetes manifest under `<dir>/k8s` against
 * the Kubernetes schemas and the operators' CRD schemas kept in infra/schemas, the KafkaTopics against
 * libs/kafka's settings, `<dir>/compose/compose.yaml` against the compose-spec schema, `<dir>/docker/Dockerfile`
 * with dockerfilelint, `<dir>/observability/alerts.yaml` (each alert: alert, expr, for, labels.severity,
 * annotations). Then, on a dev store, the cluster DDL against the single-server DDL through ClickHouse's own
 * parser (checkClusterParity) and the single-server DDL run into a scratch database.
 * `--dir infra/check/fixtures/bad` points it at the bad fixtures, which must fail.
 *
 * Human lines on stderr; last line of stdout: {"manifests","invalid","clusterTables","parityMismatches","alertRules"}.
 * Exit 1 when anything is invalid or mismatched, 2 when the check itself could not run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { checkClusterParity, createClickHouseClient, runMigrations } from '@warroom/clickhouse';
import { startDevStore, type DevStore } from '../infra/dev/store/launch';
import { checkInfraOffline, INFRA_ROOT } from '../infra/check/check';

const CLUSTER = 'warroom';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'skip-ddl': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

interface DdlReport {
  clusterTables: number;
  parityMismatches: number;
  /** The single-server DDL failed on the dev store. */
  failed: boolean;
}

async function checkDdl(): Promise<DdlReport> {
  let store: DevStore | undefined;
  try {
    store = await startDevStore({ onLog: () => undefined });
    const client = createClickHouseClient({ url: store.url, application: 'warroom-infra-check' });
    try {
      const parity = await checkClusterParity(client, { database: 'warroom', cluster: CLUSTER });
      for (const mismatch of parity.mismatches) say(`MISMATCH ${mismatch.file} statement ${mismatch.statement}: ${mismatch.problem}`);
      say(`cluster DDL: ${parity.statements} statements, ${parity.clusterTables} replicated tables ON CLUSTER '${CLUSTER}', ${parity.mismatches.length} mismatches`);
      let failed = false;
      const scratch = `infra_check_${process.pid}`;
      try {
        const result = await runMigrations(client, { database: scratch });
        say(`single-server DDL: ${result.applied.length} migrations applied to scratch database ${scratch}`);
      } catch (error) {
        failed = true;
        say(`INVALID single-server DDL: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        await client.command({ query: 'DROP DATABASE IF EXISTS {db:Identifier}', query_params: { db: scratch } }).catch(() => undefined);
      }
      return { clusterTables: parity.clusterTables, parityMismatches: parity.mismatches.length, failed };
    } finally {
      await client.close();
    }
  } finally {
    await store?.stop();
  }
}

async function main(): Promise<number> {
  const root = values.dir === undefined ? INFRA_ROOT : resolve(values.dir);
  say(`infra:check ${root}`);
  const offline = await checkInfraOffline(root);
  for (const problem of offline.problems) say(`INVALID ${problem.file}${problem.what ? ` ${problem.what}` : ''}: ${problem.problem}`);
  say(`manifests: ${offline.manifests} (${Object.entries(offline.kinds).map(([kind, count]) => `${kind} ${count}`).join(', ')}); invalid: ${offline.invalid}; alert rules: ${offline.alertRules}`);
  const ddl = values['skip-ddl'] ? { clusterTables: 0, parityMismatches: 0, failed: false } : await checkDdl();
  const invalid = offline.invalid + (ddl.failed ? 1 : 0);
  const summary = {
    manifests: offline.manifests,
    invalid,
    clusterTables: ddl.clusterTables,
    parityMismatches: ddl.parityMismatches,
    alertRules: offline.alertRules,
  };
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return invalid > 0 || ddl.parityMismatches > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    say(`infra:check: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(2);
  },
);
