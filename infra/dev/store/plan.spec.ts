import { gzipSync } from 'node:zlib';
import { parseError, ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { errorBody, fromEngineError, httpStatusFor, StoreError } from './errors';
import { contentType, parseMultipart } from './http';
import { quoteIdentifier, quoteString, SETTING_NAME } from './literals';
import { planRequest, type PlanInput } from './plan';

const input = (over: Partial<PlanInput>): PlanInput => ({
  queryParam: undefined,
  body: Buffer.alloc(0),
  params: new Map(),
  defaultFormat: undefined,
  readonly: false,
  ...over,
});

function storeErrorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StoreError) return error;
    throw error;
  }
  throw new Error('expected a StoreError');
}

describe('planRequest', () => {
  it('sends client.insert bodies to the raw insert untouched', () => {
    const body = Buffer.from('{"a":1}\n');
    const plan = planRequest(input({ queryParam: 'INSERT INTO db.t (a) FORMAT JSONEachRow', body }));
    expect(plan).toEqual({ kind: 'raw_insert', table: 'db.t', columns: ['a'], format: 'JSONEachRow', body });
  });

  it('appends the body to the query for other inserts', () => {
    const plan = planRequest(
      input({ queryParam: 'INSERT INTO t FORMAT JSONStringsEachRow', body: Buffer.from('{"a":"1"}') }),
    );
    expect(plan).toMatchObject({ kind: 'query', statement: 'INSERT', sql: 'INSERT INTO t FORMAT JSONStringsEachRow\n{"a":"1"}' });
  });

  it('refuses binary insert formats and non-UTF-8 bodies', () => {
    expect(storeErrorOf(() => planRequest(input({ queryParam: 'INSERT INTO t FORMAT RowBinary', body: Buffer.from([1, 2]) }))).type).toBe(
      'NOT_IMPLEMENTED',
    );
    expect(storeErrorOf(() => planRequest(input({ body: Buffer.from([0xff, 0xfe]) }))).type).toBe('BAD_ARGUMENTS');
    // gzip bytes are not text: a body that was never decompressed is caught, not mangled.
    expect(storeErrorOf(() => planRequest(input({ body: gzipSync('SELECT 1') }))).type).toBe('BAD_ARGUMENTS');
  });

  it('takes the statement from the body and the format from FORMAT or default_format', () => {
    const plan = planRequest(input({ body: Buffer.from('SELECT 1 FORMAT JSON'), defaultFormat: 'CSV' }));
    expect(plan).toMatchObject({ kind: 'query', statement: 'SELECT', requestedFormat: 'CSV', responseFormat: 'JSON' });
    expect(planRequest(input({ queryParam: 'SELECT 1' }))).toMatchObject({ responseFormat: 'TabSeparated' });
  });

  it('refuses multi-statements and empty queries as a server does (SYNTAX_ERROR)', () => {
    const multi = storeErrorOf(() => planRequest(input({ body: Buffer.from('SELECT 1; SELECT 2') })));
    expect(multi.code).toBe(62);
    expect(multi.message).toMatch(/Multi-statements are not allowed/);
    expect(storeErrorOf(() => planRequest(input({ body: Buffer.from(' -- x') }))).message).toBe('Empty query');
  });

  it('makes GET read-only', () => {
    expect(planRequest(input({ queryParam: 'SELECT 1', readonly: true }))).toMatchObject({ kind: 'query' });
    const error = storeErrorOf(() => planRequest(input({ queryParam: 'DROP TABLE t', readonly: true })));
    expect([error.code, error.type]).toEqual([164, 'READONLY']);
  });

  it('maps parameters by their declared types', () => {
    const plan = planRequest(
      input({
        body: Buffer.from('SELECT {s:String}, {a:Array(String)}, {n:Nullable(UInt8)}'),
        params: new Map([
          ['s', "it\\'s"],
          ['a', "['x\\'y']"],
          ['n', '\\N'],
        ]),
      }),
    );
    expect(plan).toMatchObject({ params: { s: "it's", a: "['x''y']", n: null } });
  });
});

describe('errors', () => {
  it('parses engine errors, keeping code, name and message', () => {
    const error = fromEngineError(
      Object.assign(new Error("Code: 60. DB::Exception: Unknown table expression identifier 'nope'. (UNKNOWN_TABLE)"), {
        clickhouseCode: 60,
      }),
    );
    expect([error.code, error.type, error.message]).toEqual([60, 'UNKNOWN_TABLE', "Unknown table expression identifier 'nope'"]);
    const multiline = fromEngineError(new Error('Code: 27. DB::Exception: Cannot parse input: (at row 1)\n: While executing X. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)'));
    expect(multiline.type).toBe('CANNOT_PARSE_INPUT_ASSERTION_FAILED');
    expect(fromEngineError(new Error('boom'))).toMatchObject({ code: 1001, type: 'STD_EXCEPTION' });
  });

  it('writes a body @clickhouse/client parses into the same code and type', () => {
    const body = errorBody(new StoreError(62, 'SYNTAX_ERROR', 'Syntax error: failed at position 7 (1): 1.'), '26.7.2.1');
    expect(body).toBe('Code: 62. DB::Exception: Syntax error: failed at position 7 (1): 1. (SYNTAX_ERROR) (version 26.7.2.1)\n');
    const parsed = parseError(body);
    expect(parsed).toBeInstanceOf(ClickHouseError);
    expect(parsed).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
  });

  it('uses ClickHouse HTTP statuses', () => {
    expect(httpStatusFor('SYNTAX_ERROR')).toBe(400);
    expect(httpStatusFor('UNKNOWN_TABLE')).toBe(404);
    expect(httpStatusFor('NOT_IMPLEMENTED')).toBe(501);
    expect(httpStatusFor('TOO_MANY_ROWS_OR_BYTES')).toBe(500);
  });
});

describe('literals and setting names', () => {
  it('accepts only lower snake case setting names', () => {
    for (const ok of ['max_block_size', 'insert_deduplication_token', 'custom_x1']) expect(SETTING_NAME.test(ok)).toBe(true);
    for (const bad of ['Max', 'a-b', 'a b', "x'; DROP", '', '1abc', 'a=1']) expect(SETTING_NAME.test(bad)).toBe(false);
  });

  it('quotes values so no input escapes the literal', () => {
    expect(quoteString("a'b\\c")).toBe("'a\\'b\\\\c'");
    expect(quoteString('x\0y\nz\t')).toBe("'x\\0y\\nz\\t'");
    expect(quoteString("'; DROP TABLE t; --")).toBe("'\\'; DROP TABLE t; --'");
    expect(quoteIdentifier('we`ird\\')).toBe('`we\\`ird\\\\`');
  });
});

describe('http helpers', () => {
  it('parses multipart form data as @clickhouse/client builds it', () => {
    const body = Buffer.from(
      '--B\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {v:Array(String)}\r\n' +
        '--B\r\nContent-Disposition: form-data; name="param_v"\r\n\r\n[\'a\',\'b\']\r\n--B--\r\n',
    );
    expect([...parseMultipart(body, 'multipart/form-data; boundary=B')]).toEqual([
      ['query', 'SELECT {v:Array(String)}'],
      ['param_v', "['a','b']"],
    ]);
    expect(() => parseMultipart(Buffer.from('--B\r\nContent-Disposition: form-data; name="t"; filename="x"\r\n\r\n1\r\n--B--'), 'multipart/form-data; boundary=B')).toThrow(
      /external tables/,
    );
  });

  it('labels responses by format', () => {
    expect(contentType('JSON')).toMatch(/^application\/json/);
    expect(contentType('JSONEachRow')).toMatch(/^application\/x-ndjson/);
    expect(contentType('TabSeparated')).toMatch(/^text\/tab-separated-values/);
    expect(contentType('CSVWithNames')).toMatch(/header=present/);
    expect(contentType('RowBinary')).toBe('application/octet-stream');
  });
});
