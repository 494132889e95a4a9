/**
 * Forward-only schema migrations: numbered SQL files in libs/clickhouse/migrations/, applied in
 * number order, each recorded in `<database>._migration` with its sha256 so that editing an
 * applied file fails loudly instead of being skipped.
 *
 * Rules:
 * - File names are `NNNN_snake_case.sql` (4 digits); any other `.sql` name is an error, as is a
 *   number used twice. Order is by number, sorted explicitly (never directory order).
 * - Tables are named with the `${database}` placeholder (`CREATE TABLE ${database}.t ...`); the
 *   runner substitutes the validated database name. Requests carry no database of their own, so
 *   a client for the server's `default` database can create the target database first.
 * - A file may hold several statements separated by `;`. They are sent one per request (the HTTP
 *   interface refuses multi-statements). No inline INSERT data in migrations.
 * - A file is recorded only after all its statements succeed. A file that fails part-way is run
 *   again from its first statement next time, so write statements that can run twice
 *   (`IF NOT EXISTS`, `IF EXISTS`).
 * - Out of order: a pending file numbered below the newest applied one (two branches took the
 *   same slot) is refused, naming both files; renumber it after the newest. An applied file that
 *   is missing from the directory is refused too.
 * - Run migrations from one process at a time; ClickHouse has no lock to take.
 * - On a cluster (`cluster` set) the same files are rendered by cluster-ddl.ts: `ON CLUSTER`,
 *   replicated engines, the replicated deduplication window; `_migration` is replicated too, so every
 *   node sees what was applied. The checksum stays the source file's.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { z } from 'zod';
import { assertClusterName, renderForCluster } from './cluster-ddl';
import { splitStatements } from './sql-lexer';

export const DEFAULT_MIGRATIONS_DIR = resolve(__dirname, '../migrations');

const FILE_NAME = /^(\d{4})_[a-z0-9_]+\.sql$/;
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\$\{([^}]*)\}/g;

export interface MigrationFile {
  readonly name: string;
  readonly number: number;
  /** The file's text, with CRLF line ends turned into LF. */
  readonly sql: string;
  /** sha256 (hex) of `sql`. */
  readonly checksum: string;
}

export interface AppliedMigration {
  readonly name: string;
  readonly checksum: string;
}

export interface MigrationPlan {
  readonly pending: readonly MigrationFile[];
  readonly skipped: readonly string[];
}

export interface RunMigrationsOptions {
  /** Target database; created if missing. */
  readonly database: string;
  /** Directory of the SQL files. Default: libs/clickhouse/migrations. */
  readonly dir?: string;
  /** Progress lines (one per applied file). Default: silent. */
  readonly log?: (line: string) => void;
  /** A ClickHouse cluster to run the DDL on (`ON CLUSTER`, replicated engines). Default: a single server. */
  readonly cluster?: string;
}

export interface MigrationResult {
  /** Files applied by this run, in order. */
  readonly applied: string[];
  /** Files that were already applied. */
  readonly skipped: string[];
}

export class MigrationError extends Error {
  constructor(
    /** The migration file the error is about. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MigrationError';
  }
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** Reads and orders the migration files of a directory. */
export function loadMigrations(dir: string): MigrationFile[] {
  const files: MigrationFile[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.sql')) continue;
    const match = FILE_NAME.exec(name);
    if (!match) {
      throw new MigrationError(name, `Migration file name ${name} is not NNNN_snake_case.sql (in ${dir})`);
    }
    const sql = readFileSync(join(dir, name), 'utf8').replace(/\r\n/g, '\n');
    files.push({ name, number: Number(match[1]), sql, checksum: checksumOf(sql) });
  }
  files.sort((a, b) => a.number - b.number || (a.name < b.name ? -1 : 1));
  for (let i = 1; i < files.length; i++) {
    const prev = files[i - 1] as MigrationFile;
    const file = files[i] as MigrationFile;
    if (file.number === prev.number) {
      throw new MigrationError(file.name, `Migrations ${prev.name} and ${file.name} share the number ${file.number}`);
    }
  }
  return files;
}

/**
 * Decides what to run: fails on an edited applied file, an applied file that is gone, or a
 * pending file numbered below the newest applied one.
 */
export function planMigrations(files: readonly MigrationFile[], applied: readonly AppliedMigration[]): MigrationPlan {
  const byName = new Map(files.map((file) => [file.name, file]));
  const appliedNames = new Set<string>();
  for (const record of applied) {
    appliedNames.add(record.name);
    const file = byName.get(record.name);
    if (file === undefined) {
      throw new MigrationError(
        record.name,
        `Migration ${record.name} was applied but its file is missing; applied migrations must stay in the directory`,
      );
    }
    if (file.checksum !== record.checksum) {
      throw new MigrationError(
        record.name,
        `Migration ${record.name} was applied with checksum ${record.checksum} but the file now has ${file.checksum}; ` +
          'applied migrations are immutable: revert the edit and add a new numbered file',
      );
    }
  }
  const newestApplied = files.filter((file) => appliedNames.has(file.name)).at(-1);
  const pending = files.filter((file) => !appliedNames.has(file.name));
  const early = newestApplied ? pending.find((file) => file.number < newestApplied.number) : undefined;
  if (early && newestApplied) {
    throw new MigrationError(
      early.name,
      `Migration ${early.name} is not applied but the later ${newestApplied.name} is; ` +
        `forward-only migrations run in number order: renumber ${early.name} after ${newestApplied.name}`,
    );
  }
  return { pending, skipped: files.filter((file) => appliedNames.has(file.name)).map((file) => file.name) };
}

/**
 * The statements of one file for one database: `${database}` substituted, split at `;`, and
 * rendered for `cluster` when one is given.
 */
export function renderMigration(file: MigrationFile, database: string, cluster?: string): string[] {
  assertDatabaseName(database);
  const sql = file.sql.replace(PLACEHOLDER, (_whole, name: string) => {
    if (name !== 'database') {
      throw new MigrationError(file.name, `Migration ${file.name} uses the unknown placeholder \${${name}}`);
    }
    return database;
  });
  let statements: string[];
  try {
    statements = splitStatements(sql);
  } catch (error) {
    throw new MigrationError(file.name, `Migration ${file.name}: ${(error as Error).message}`, { cause: error });
  }
  if (statements.length === 0) throw new MigrationError(file.name, `Migration ${file.name} holds no statement`);
  if (cluster === undefined) return statements;
  try {
    return statements.map((statement) => renderForCluster(statement, { cluster, database }));
  } catch (error) {
    throw new MigrationError(file.name, `Migration ${file.name} for cluster ${cluster}: ${(error as Error).message}`, { cause: error });
  }
}

function assertDatabaseName(database: string): void {
  if (!DATABASE_NAME.test(database)) {
    throw new Error(`Database name ${JSON.stringify(database)} must match ${String(DATABASE_NAME)}`);
  }
}

const appliedRow = z.object({ name: z.string(), checksum: z.string() });

async function appliedMigrations(client: ClickHouseClient, database: string): Promise<AppliedMigration[]> {
  const rows = await client.query({
    query: 'SELECT name, any(checksum) AS checksum FROM {db:Identifier}._migration GROUP BY name ORDER BY name',
    query_params: { db: database },
    format: 'JSONEachRow',
  });
  return z.array(appliedRow).parse(await rows.json());
}

/**
 * For an app that holds no DDL rights: checks that every migration file is applied, unchanged, and
 * throws a MigrationError naming the pending files and the command that applies them otherwise.
 */
export async function verifyMigrations(client: ClickHouseClient, options: { database: string; dir?: string }): Promise<{ applied: number }> {
  assertDatabaseName(options.database);
  const files = loadMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const exists = await client.query({
    query: "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = '_migration'",
    query_params: { db: options.database },
    format: 'JSONEachRow',
  });
  const [table] = z.array(z.object({ n: z.coerce.number() })).parse(await exists.json());
  const applied = table?.n ? await appliedMigrations(client, options.database) : [];
  const plan = planMigrations(files, applied);
  const [first] = plan.pending;
  if (first !== undefined) {
    throw new MigrationError(
      first.name,
      `Database ${options.database} lacks ${plan.pending.length} migration(s): ${plan.pending.map((file) => file.name).join(', ')}. ` +
        'Apply them with `npm run migrate` (a user with DDL rights), then start the app again.',
    );
  }
  return { applied: plan.skipped.length };
}

/**
 * Creates the database and its `_migration` table if needed, then applies the pending files in
 * order. `client` may be connected to any existing database (e.g. `default`). Throws
 * MigrationError (naming the file) on any refusal or failed statement; files applied before the
 * failure stay applied.
 */
export async function runMigrations(client: ClickHouseClient, options: RunMigrationsOptions): Promise<MigrationResult> {
  const { database } = options;
  assertDatabaseName(database);
  const files = loadMigrations(options.dir ?? DEFAULT_MIGRATIONS_DIR);
  const db = { db: database };
  const { cluster } = options;
  if (cluster !== undefined) assertClusterName(cluster);
  // The cluster name is checked against a strict pattern above: ON CLUSTER takes no query parameter.
  const onCluster = cluster === undefined ? '' : ` ON CLUSTER '${cluster}'`;
  const migrationEngine =
    cluster === undefined ? 'MergeTree' : `ReplicatedMergeTree('/clickhouse/tables/{shard}/${database}/_migration', '{replica}')`;
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS {db:Identifier}${onCluster}`, query_params: db });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS {db:Identifier}._migration${onCluster}
      (
          name String,
          checksum String,
          applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
      )
      ENGINE = ${migrationEngine}
      ORDER BY name`,
    query_params: db,
  });
  const applied = await appliedMigrations(client, database);
  const plan = planMigrations(files, applied);

  const done: string[] = [];
  for (const file of plan.pending) {
    const statements = renderMigration(file, database, cluster);
    for (const [index, statement] of statements.entries()) {
      try {
        await client.command({ query: statement });
      } catch (error) {
        throw new MigrationError(
          file.name,
          `Migration ${file.name} failed at statement ${index + 1} of ${statements.length}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    }
    await client.command({
      query: 'INSERT INTO {db:Identifier}._migration (name, checksum) SELECT {name:String}, {checksum:String}',
      query_params: { ...db, name: file.name, checksum: file.checksum },
    });
    done.push(file.name);
    options.log?.(`migration ${file.name} applied to ${database}`);
  }
  return { applied: done, skipped: [...plan.skipped] };
}
