/**
 * The migration runner against the dev store, through @clickhouse/client as against a server.
 * Each test uses its own database on this file's store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ClickHouseLogLevel,
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  MigrationError,
  runMigrations,
  verifyMigrations,
  type ClickHouseClient,
} from '@warroom/clickhouse';
import { useDevStore } from '../support/store';

const fixture = useDevStore();
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function migrationsDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-migrations-'));
  dirs.push(dir);
  for (const [name, sql] of Object.entries(files)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function rows<T>(client: ClickHouseClient, query: string, query_params?: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', ...(query_params ? { query_params } : {}) });
  return result.json<T>();
}

async function migrationError(promise: Promise<unknown>): Promise<MigrationError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MigrationError) return error;
    throw error;
  }
  throw new Error('expected a MigrationError');
}

describe('runMigrations', () => {
  it('applies the shipped migrations once, then skips them', async () => {
    const client = fixture.client();
    const shipped = loadMigrations(DEFAULT_MIGRATIONS_DIR).map((file) => file.name);
    const first = await runMigrations(client, { database: 'warroom' });
    expect(first).toEqual({ applied: shipped, skipped: [] });

    const second = await runMigrations(client, { database: 'warroom' });
    expect(second).toEqual({ applied: [], skipped: shipped });

    const records = await rows<{ name: string; checksum: string; applied: number }>(
      client,
      'SELECT name, checksum, toUnixTimestamp(applied_at) AS applied FROM warroom._migration ORDER BY name',
    );
    expect(records.map((r) => r.name)).toEqual(shipped);
    expect(records.every((r) => /^[0-9a-f]{64}$/.test(r.checksum) && r.applied > 0)).toBe(true);

    // A client on the migrated database sees the tables unqualified.
    const app = fixture.client({ database: 'warroom' });
    await app.insert({ table: 'warroom_meta', values: [{ key: 'schema', value: 'v1' }], format: 'JSONEachRow' });
    expect(await rows(app, 'SELECT key, value FROM warroom_meta FINAL')).toEqual([{ key: 'schema', value: 'v1' }]);
  });

  it('applies files in number order, one statement per request', async () => {
    const client = fixture.client();
    const dir = migrationsDir({
      // Directory order would run 0010 before 0002; the runner sorts by number.
      '0010_third.sql': 'INSERT INTO ${database}.log SELECT 3, now64(3)',
      '0001_first.sql':
        "-- two statements in one file; the store refuses multi-statement requests like a server\n" +
        'CREATE TABLE IF NOT EXISTS ${database}.log (step UInt8, at DateTime64(3)) ENGINE = MergeTree ORDER BY at;\n' +
        "INSERT INTO ${database}.log SELECT 1, now64(3); -- a ';' in a comment\n",
      '0002_second.sql': "INSERT INTO ${database}.log SELECT 2, now64(3) WHERE 'a;b' != ''",
    });
    const result = await runMigrations(client, { database: 'ordered', dir });
    expect(result.applied).toEqual(['0001_first.sql', '0002_second.sql', '0010_third.sql']);
    expect(await rows(client, 'SELECT groupArray(step) AS steps FROM (SELECT step FROM ordered.log ORDER BY at, step)')).toEqual([
      { steps: [1, 2, 3] },
    ]);
  });

  it('fails loudly, naming the file, when an applied file was edited', async () => {
    const client = fixture.client();
    const dir = migrationsDir({ '0001_meta.sql': 'CREATE TABLE IF NOT EXISTS ${database}.t (x UInt8) ENGINE = MergeTree ORDER BY x' });
    await runMigrations(client, { database: 'edited', dir });
    writeFileSync(join(dir, '0001_meta.sql'), 'CREATE TABLE IF NOT EXISTS ${database}.t (x UInt16) ENGINE = MergeTree ORDER BY x');
    writeFileSync(join(dir, '0002_more.sql'), 'CREATE TABLE IF NOT EXISTS ${database}.u (x UInt8) ENGINE = MergeTree ORDER BY x');
    const error = await migrationError(runMigrations(client, { database: 'edited', dir }));
    expect(error.file).toBe('0001_meta.sql');
    expect(error.message).toMatch(/0001_meta\.sql was applied with checksum .* but the file now has/);
    // Nothing after the refusal ran.
    expect(await rows(client, "SELECT count() AS n FROM system.tables WHERE database = 'edited' AND name = 'u'")).toEqual([{ n: 0 }]);
  });

  it('refuses a new file numbered below an applied one (renumber it instead)', async () => {
    const client = fixture.client();
    const dir = migrationsDir({
      '0001_a.sql': 'CREATE TABLE IF NOT EXISTS ${database}.a (x UInt8) ENGINE = MergeTree ORDER BY x',
      '0003_c.sql': 'CREATE TABLE IF NOT EXISTS ${database}.c (x UInt8) ENGINE = MergeTree ORDER BY x',
    });
    await runMigrations(client, { database: 'branches', dir });
    writeFileSync(join(dir, '0002_b.sql'), 'CREATE TABLE IF NOT EXISTS ${database}.b (x UInt8) ENGINE = MergeTree ORDER BY x');
    const error = await migrationError(runMigrations(client, { database: 'branches', dir }));
    expect(error.file).toBe('0002_b.sql');
    expect(error.message).toMatch(/renumber 0002_b\.sql after 0003_c\.sql/);

    rmSync(join(dir, '0002_b.sql'));
    writeFileSync(join(dir, '0004_b.sql'), 'CREATE TABLE IF NOT EXISTS ${database}.b (x UInt8) ENGINE = MergeTree ORDER BY x');
    expect(await runMigrations(client, { database: 'branches', dir })).toEqual({
      applied: ['0004_b.sql'],
      skipped: ['0001_a.sql', '0003_c.sql'],
    });
  });

  it('does not record a file whose statement failed, and names file and statement', async () => {
    const client = fixture.client({ logLevel: ClickHouseLogLevel.OFF });
    const dir = migrationsDir({
      '0001_ok.sql': 'CREATE TABLE IF NOT EXISTS ${database}.ok (x UInt8) ENGINE = MergeTree ORDER BY x',
      '0002_broken.sql':
        'CREATE TABLE IF NOT EXISTS ${database}.half (x UInt8) ENGINE = MergeTree ORDER BY x;\nSELECT * FROM ${database}.no_such_table',
    });
    const error = await migrationError(runMigrations(client, { database: 'broken', dir }));
    expect(error.file).toBe('0002_broken.sql');
    expect(error.message).toMatch(/0002_broken\.sql failed at statement 2 of 2: .*no_such_table/);
    expect(await rows(client, 'SELECT name FROM broken._migration')).toEqual([{ name: '0001_ok.sql' }]);

    // Fixed (it was never recorded, so editing it is allowed): the rerun applies it from the top.
    writeFileSync(join(dir, '0002_broken.sql'), 'CREATE TABLE IF NOT EXISTS ${database}.half (x UInt8) ENGINE = MergeTree ORDER BY x');
    expect(await runMigrations(client, { database: 'broken', dir })).toEqual({ applied: ['0002_broken.sql'], skipped: ['0001_ok.sql'] });
  });

  it('refuses a database name that is not a plain identifier', async () => {
    await expect(runMigrations(fixture.client(), { database: 'x`; DROP DATABASE default; --' })).rejects.toThrow(/must match/);
  });
});

describe('verifyMigrations', () => {
  it('lets an app without DDL rights start only once every migration is applied, naming what is missing and the command', async () => {
    const client = fixture.client();
    const dir = migrationsDir({
      '0001_a.sql': 'CREATE TABLE IF NOT EXISTS ${database}.a (x UInt8) ENGINE = MergeTree ORDER BY x',
      '0002_b.sql': 'CREATE TABLE IF NOT EXISTS ${database}.b (x UInt8) ENGINE = MergeTree ORDER BY x',
    });
    const never = await migrationError(verifyMigrations(client, { database: 'never_migrated', dir }));
    expect(never.message).toMatch(/lacks 2 migration\(s\): 0001_a\.sql, 0002_b\.sql\. Apply them with `npm run migrate`/);

    await runMigrations(client, { database: 'verified', dir: migrationsDir({ '0001_a.sql': 'CREATE TABLE IF NOT EXISTS ${database}.a (x UInt8) ENGINE = MergeTree ORDER BY x' }) });
    expect((await migrationError(verifyMigrations(client, { database: 'verified', dir }))).message).toMatch(/lacks 1 migration\(s\): 0002_b\.sql/);
    await runMigrations(client, { database: 'verified', dir });
    expect(await verifyMigrations(client, { database: 'verified', dir })).toEqual({ applied: 2 });
  });
});
