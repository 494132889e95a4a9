import { describe, expect, it } from 'vitest';
import { analyzeStatement, parseFastInsert, StatementSyntaxError } from './sql';

describe('analyzeStatement', () => {
  it('finds the kind and the output format', () => {
    const info = analyzeStatement('select number from numbers(3)\nFORMAT JSONEachRow');
    expect(info.kind).toBe('SELECT');
    expect(info.outputFormat).toBe('JSONEachRow');
    expect(info.multiStatement).toBe(false);
    expect(analyzeStatement('SELECT 1 FORMAT JSON SETTINGS max_threads = 1').outputFormat).toBe('JSON');
    expect(analyzeStatement('SELECT * FROM format(JSONEachRow, \'{"a":1}\')').outputFormat).toBeUndefined();
    expect(analyzeStatement('SELECT format FROM t').outputFormat).toBeUndefined();
    expect(analyzeStatement('(SELECT 1) UNION ALL (SELECT 2)').kind).toBe('SELECT');
  });

  it('detects a second statement but allows trailing semicolons', () => {
    expect(analyzeStatement('SELECT 1;').multiStatement).toBe(false);
    expect(analyzeStatement('SELECT 1;; -- done').multiStatement).toBe(false);
    const multi = analyzeStatement('SELECT 1; DROP TABLE t');
    expect(multi.multiStatement).toBe(true);
    expect(multi.secondStatementAt).toBe(10);
    expect(analyzeStatement("SELECT ';DROP'").multiStatement).toBe(false);
  });

  it('stops at inline INSERT data, which may hold anything', () => {
    const sql = 'INSERT INTO t FORMAT JSONEachRow\n{"s":"a;b \'"}\n{"s":"x"}; SELECT 1';
    const info = analyzeStatement(sql);
    expect(info.kind).toBe('INSERT');
    expect(info.insertFormat).toBe('JSONEachRow');
    expect(sql.slice(info.dataOffset)).toMatch(/^\n\{"s"/);
    expect(info.multiStatement).toBe(false);
    expect(analyzeStatement("INSERT INTO t (a) VALUES (';'), ('x')").insertFormat).toBe('Values');
    const insertSelect = analyzeStatement('INSERT INTO t SELECT * FROM VALUES(\'a UInt8\', 1)');
    expect(insertSelect.insertFormat).toBeUndefined();
  });

  it('collects placeholder types', () => {
    const info = analyzeStatement(
      "SELECT {a:String}, { b : Array(Nullable(String)) }, {c:Map(String, Array(UInt8))}, '{d:String}' WHERE x = {a:UInt8}",
    );
    expect([...info.placeholders]).toEqual([
      ['a', 'String'],
      ['b', 'Array(Nullable(String))'],
      ['c', 'Map(String, Array(UInt8))'],
    ]);
  });

  it('reports unterminated literals as syntax errors', () => {
    expect(() => analyzeStatement("SELECT 'x")).toThrow(StatementSyntaxError);
  });

  it('says empty for whitespace and comments only', () => {
    expect(analyzeStatement('  -- nothing\n').kind).toBe('');
  });
});

describe('parseFastInsert', () => {
  it('accepts the shape @clickhouse/client sends', () => {
    expect(parseFastInsert('INSERT INTO t FORMAT JSONEachRow')).toEqual({ table: 't', columns: undefined, format: 'JSONEachRow' });
    expect(parseFastInsert('INSERT INTO db.events (id, `ts`) FORMAT CSV')).toEqual({
      table: 'db.events',
      columns: ['id', 'ts'],
      format: 'CSV',
    });
    expect(parseFastInsert('insert into table t format TSV  \n')).toEqual({ table: 't', columns: undefined, format: 'TSV' });
  });

  it('leaves everything else to the general path', () => {
    expect(parseFastInsert('INSERT INTO t (* EXCEPT (a)) FORMAT JSONEachRow')).toBeUndefined();
    expect(parseFastInsert('INSERT INTO `my table` FORMAT JSONEachRow')).toBeUndefined();
    expect(parseFastInsert('INSERT INTO t SETTINGS async_insert=1 FORMAT JSONEachRow')).toBeUndefined();
    expect(parseFastInsert('INSERT INTO t FORMAT JSONEachRow {"a":1}')).toBeUndefined();
    expect(parseFastInsert('INSERT INTO t VALUES (1)')).toBeUndefined();
    expect(parseFastInsert('SELECT 1')).toBeUndefined();
    expect(parseFastInsert("INSERT INTO t FORMAT 'oops")).toBeUndefined();
  });
});
