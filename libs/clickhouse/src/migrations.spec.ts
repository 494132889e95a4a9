import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checksumOf,
  DEFAULT_MIGRATIONS_DIR,
  loadMigrations,
  MigrationError,
  planMigrations,
  renderMigration,
  type MigrationFile,
} from './migrations';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'warroom-migrations-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const file = (name: string, sql = 'SELECT 1'): MigrationFile => ({
  name,
  number: Number(name.slice(0, 4)),
  sql,
  checksum: checksumOf(sql),
});

describe('loadMigrations', () => {
  it('orders by number, not by directory order, and ignores non-SQL files', () => {
    const dir = dirWith({
      '0010_later.sql': 'SELECT 10',
      '0002_second.sql': 'SELECT 2',
      '0001_first.sql': 'SELECT 1',
      'README.md': 'notes',
    });
    expect(loadMigrations(dir).map((f) => f.name)).toEqual(['0001_first.sql', '0002_second.sql', '0010_later.sql']);
  });

  it('refuses badly named SQL files and duplicate numbers', () => {
    expect(() => loadMigrations(dirWith({ '1_short.sql': 'SELECT 1' }))).toThrow(/1_short\.sql is not NNNN_snake_case/);
    expect(() => loadMigrations(dirWith({ '0001-dash.sql': 'SELECT 1' }))).toThrow(MigrationError);
    expect(() => loadMigrations(dirWith({ '0001_a.sql': 'SELECT 1', '0001_b.sql': 'SELECT 2' }))).toThrow(
      /0001_a\.sql and 0001_b\.sql share the number 1/,
    );
  });

  it('checksums the text with LF line ends, so a CRLF checkout matches', () => {
    const [crlf] = loadMigrations(dirWith({ '0001_a.sql': 'SELECT 1\r\nFROM t\r\n' }));
    expect(crlf?.checksum).toBe(checksumOf('SELECT 1\nFROM t\n'));
    expect(crlf?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('reads the shipped migrations', () => {
    const shipped = loadMigrations(DEFAULT_MIGRATIONS_DIR);
    expect(shipped[0]?.name).toBe('0001_warroom_meta.sql');
    for (const migration of shipped) expect(renderMigration(migration, 'warroom').length).toBeGreaterThan(0);
  });
});

describe('planMigrations', () => {
  const files = [file('0001_a.sql'), file('0002_b.sql'), file('0003_c.sql')];
  const record = (f: MigrationFile): { name: string; checksum: string } => ({ name: f.name, checksum: f.checksum });

  it('runs everything on an empty database and nothing when all are applied', () => {
    expect(planMigrations(files, []).pending.map((f) => f.name)).toEqual(['0001_a.sql', '0002_b.sql', '0003_c.sql']);
    const again = planMigrations(files, files.map(record));
    expect(again.pending).toEqual([]);
    expect(again.skipped).toEqual(['0001_a.sql', '0002_b.sql', '0003_c.sql']);
  });

  it('runs new files after the applied ones', () => {
    const plan = planMigrations(files, files.slice(0, 1).map(record));
    expect(plan.pending.map((f) => f.name)).toEqual(['0002_b.sql', '0003_c.sql']);
    expect(plan.skipped).toEqual(['0001_a.sql']);
  });

  it('fails naming an applied file whose text changed', () => {
    const edited = [file('0001_a.sql', 'SELECT 2'), files[1] as MigrationFile];
    const attempt = (): unknown => planMigrations(edited, files.slice(0, 2).map(record));
    expect(attempt).toThrow(/Migration 0001_a\.sql was applied with checksum [0-9a-f]+ but the file now has/);
    try {
      attempt();
    } catch (error) {
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).file).toBe('0001_a.sql');
    }
  });

  it('refuses a new file numbered below the newest applied one', () => {
    const applied = [files[0], files[2]].map((f) => record(f as MigrationFile));
    expect(() => planMigrations(files, applied)).toThrow(
      /0002_b\.sql is not applied but the later 0003_c\.sql is; .*renumber 0002_b\.sql after 0003_c\.sql/,
    );
  });

  it('refuses an applied file that disappeared', () => {
    expect(() => planMigrations(files.slice(1), [record(files[0] as MigrationFile)])).toThrow(
      /0001_a\.sql was applied but its file is missing/,
    );
  });
});

describe('renderMigration', () => {
  it('substitutes the database and splits statements', () => {
    const migration = file('0001_a.sql', 'CREATE TABLE ${database}.a (x UInt8) ENGINE = Memory;\nCREATE TABLE ${database}.b AS ${database}.a;\n');
    expect(renderMigration(migration, 'wr_test')).toEqual([
      'CREATE TABLE wr_test.a (x UInt8) ENGINE = Memory',
      'CREATE TABLE wr_test.b AS wr_test.a',
    ]);
  });

  it('refuses unknown placeholders, unsafe database names and empty files', () => {
    expect(() => renderMigration(file('0001_a.sql', 'SELECT ${db}'), 'x')).toThrow(/unknown placeholder \$\{db\}/);
    expect(() => renderMigration(file('0001_a.sql'), 'x; DROP')).toThrow(/must match/);
    expect(() => renderMigration(file('0001_a.sql', '-- nothing\n'), 'x')).toThrow(/holds no statement/);
  });

  it('names the file when its SQL cannot be split', () => {
    expect(() => renderMigration(file('0007_bad.sql', "SELECT 'open"), 'x')).toThrow(/Migration 0007_bad\.sql: unterminated/);
  });
});
