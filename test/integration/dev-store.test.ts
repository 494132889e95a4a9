/**
 * The dev store through @clickhouse/client, as every app uses it: query parameters, inserts,
 * errors with ClickHouse's codes, per-request settings that do not leak, deduplicated retries,
 * concurrency, compression, and an outage by SIGSTOP.
 */
import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ClickHouseError, ClickHouseLogLevel, createClickHouseClient, type ClickHouseClient, type ClickHouseSettings } from '@warroom/clickhouse';
import { startDevStore } from '../../infra/dev/store/launch';
import { useDevStore } from '../support/store';

const fixture = useDevStore();
const quiet = { logLevel: ClickHouseLogLevel.OFF };

async function rows<T>(client: ClickHouseClient, query: string, query_params?: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, format: 'JSONEachRow', ...(query_params ? { query_params } : {}) });
  return result.json<T>();
}

async function clickHouseError(promise: Promise<unknown>): Promise<ClickHouseError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClickHouseError) return error;
    throw error;
  }
  throw new Error('expected a ClickHouseError');
}

describe('HTTP basics', () => {
  it('answers /ping and reports itself', async () => {
    const ping = await fetch(`${fixture.url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('Ok.\n');
    expect(await fixture.client().ping()).toEqual({ success: true });

    const response = await fetch(`${fixture.url}/?default_format=JSONCompact&query_id=q-1`, {
      method: 'POST',
      body: 'SELECT 1 AS one',
    });
    expect(response.headers.get('x-clickhouse-format')).toBe('JSONCompact');
    expect(response.headers.get('x-clickhouse-query-id')).toBe('q-1');
    expect(response.headers.get('x-clickhouse-server-display-name')).toMatch(/^warroom-dev-store@/);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const summary = JSON.parse(response.headers.get('x-clickhouse-summary') ?? '{}') as Record<string, unknown>;
    expect(summary).toMatchObject({ read_rows: '1', written_rows: '0' });
    for (const value of Object.values(summary)) expect(typeof value).toBe('string');
    expect(await response.json()).toMatchObject({ data: [[1]] });
  });

  it('serves read-only GET queries and refuses modifying ones', async () => {
    const get = await fetch(`${fixture.url}/?query=${encodeURIComponent('SELECT 40 + 2')}`);
    expect(await get.text()).toBe('42\n');
    const drop = await fetch(`${fixture.url}/?query=${encodeURIComponent('DROP TABLE IF EXISTS x')}`);
    expect(drop.status).toBe(500);
    expect(drop.headers.get('x-clickhouse-exception-code')).toBe('164');
  });
});

describe('formats', () => {
  it('answers in the format asked for', async () => {
    const client = fixture.client();
    const query = "SELECT number AS n, concat('v', toString(number)) AS v FROM numbers(2)";
    const json = await client.query({ query, format: 'JSON' });
    expect(await json.json()).toMatchObject({ meta: [{ name: 'n' }, { name: 'v' }], data: [{ n: 0, v: 'v0' }, { n: 1, v: 'v1' }], rows: 2 });
    const compact = await client.query({ query, format: 'JSONCompactEachRow' });
    expect(await compact.json()).toEqual([
      [0, 'v0'],
      [1, 'v1'],
    ]);
    const csv = await client.query({ query, format: 'CSVWithNames' });
    expect(await csv.text()).toBe('"n","v"\n0,"v0"\n1,"v1"\n');
    const tsv = await client.query({ query, format: 'TabSeparated' });
    expect(await tsv.text()).toBe('0\tv0\n1\tv1\n');
    const objects = await client.query({ query, format: 'JSONObjectEachRow' });
    expect(await objects.json()).toEqual({ row_1: { n: 0, v: 'v0' }, row_2: { n: 1, v: 'v1' } });
  });

  it('streams JSONEachRow rows', async () => {
    const client = fixture.client();
    const result = await client.query({ query: 'SELECT number AS n FROM numbers(1000)', format: 'JSONEachRow' });
    let sum = 0;
    for await (const batch of result.stream<{ n: number }>()) {
      for (const row of batch) sum += row.json().n;
    }
    expect(sum).toBe(499_500);
  });
});

describe('query parameters', () => {
  it('round-trip every type we use', async () => {
    const client = fixture.client();
    const nasty = "it's \\ a \"quoted\"\ttab\nnewline\r\0nul 中文 🙂 {x:String} ; --";
    const ts = new Date('2025-11-11T00:00:00.123Z');
    const params = {
      s: nasty,
      empty: '',
      u8: 255,
      u16: 65_535,
      u32: 4_294_967_295,
      u64: '18446744073709551615',
      i64: -9_007_199_254_740_993n,
      f64: -1.5e-7,
      dt64: ts,
      dt64s: '2025-11-11 08:00:00.456',
      dt: new Date('2025-11-11T12:34:56Z'),
      d: '2025-11-11',
      arr: ["it's", 'a\\b', 'tab\there', 'new\nline', '', '[\'x\']'],
      arrEmpty: [],
      nnull: null,
      nval: 'present',
      lc: 'pre_sale',
      uuid: '0f8fad5b-d9cb-469f-a165-70867728950e',
    };
    const [row] = await rows<Record<string, unknown>>(
      client,
      `SELECT {s:String} AS s, {empty:String} AS empty,
              {u8:UInt8} AS u8, {u16:UInt16} AS u16, {u32:UInt32} AS u32, toString({u64:UInt64}) AS u64,
              toString({i64:Int64}) AS i64, {f64:Float64} AS f64,
              toUnixTimestamp64Milli({dt64:DateTime64(3)}) AS dt64, toString({dt64s:DateTime64(3)}) AS dt64s,
              toUnixTimestamp({dt:DateTime}) AS dt, toString({d:Date}) AS d,
              {arr:Array(String)} AS arr, {arrEmpty:Array(String)} AS arrEmpty,
              {nnull:Nullable(String)} AS nnull, {nval:Nullable(String)} AS nval,
              {lc:LowCardinality(String)} AS lc, toTypeName({lc:LowCardinality(String)}) AS lcType,
              {uuid:UUID} AS uuid, toTypeName({uuid:UUID}) AS uuidType`,
      params,
    );
    expect(row).toEqual({
      s: nasty,
      empty: '',
      u8: 255,
      u16: 65_535,
      u32: 4_294_967_295,
      u64: '18446744073709551615',
      i64: '-9007199254740993',
      f64: -1.5e-7,
      dt64: ts.getTime(),
      dt64s: '2025-11-11 08:00:00.456',
      dt: Date.parse('2025-11-11T12:34:56Z') / 1000,
      d: '2025-11-11',
      arr: params.arr,
      arrEmpty: [],
      nnull: null,
      nval: 'present',
      lc: 'pre_sale',
      lcType: 'LowCardinality(String)',
      uuid: params.uuid,
      uuidType: 'UUID',
    });
  });

  it('bind values, never splice them into SQL', async () => {
    const client = fixture.client();
    const evil = "x' OR 1=1 --";
    const [row] = await rows<{ n: number }>(client, 'SELECT count() AS n FROM numbers(10) WHERE toString(number) = {v:String}', {
      v: evil,
    });
    expect(row?.n).toBe(0);
  });

  it('work when sent as multipart form data', async () => {
    const client = fixture.client();
    const big = Array.from({ length: 2_000 }, (_, i) => `id-${i}-'quoted'`);
    const result = await client.query({
      query: 'SELECT length({ids:Array(String)}) AS n, {ids:Array(String)}[2000] AS last',
      query_params: { ids: big },
      format: 'JSONEachRow',
      use_multipart_params: true,
    });
    expect(await result.json()).toEqual([{ n: 2_000, last: "id-1999-'quoted'" }]);
  });
});

describe('inserts', () => {
  it('JSONEachRow rows come back as inserted', async () => {
    const client = fixture.client();
    await client.command({
      query: `CREATE TABLE events_small (id UInt32, shop LowCardinality(String), text String, at DateTime64(3, 'UTC'), tags Array(String))
              ENGINE = MergeTree ORDER BY id`,
    });
    const values = [
      { id: 1, shop: 'a', text: '你好，在吗？', at: '2025-11-11T00:00:00.001Z', tags: ['x'] },
      { id: 2, shop: 'b', text: 'line\nbreak "quote" \\ back', at: '2025-11-11T00:00:01.002Z', tags: [] },
    ];
    const inserted = await client.insert({ table: 'events_small', values, format: 'JSONEachRow' });
    expect(inserted.summary?.written_rows).toBe('2');
    const back = await rows<{ id: number; shop: string; text: string; at: string; tags: string[] }>(
      client,
      "SELECT id, shop, text, formatDateTime(at, '%Y-%m-%dT%H:%i:%S.%fZ') AS at, tags FROM events_small ORDER BY id",
    );
    expect(back).toEqual(values.map((v) => ({ ...v, at: v.at.replace(/\.(\d{3})Z$/, '.$1000Z') })));
  });

  it('takes 100k rows at engine speed', async () => {
    const client = fixture.client();
    await client.command({
      query: `CREATE TABLE events_bulk (id UInt64, session String, question String, score Float64, at DateTime64(3, 'UTC'))
              ENGINE = MergeTree ORDER BY id`,
    });
    const n = 100_000;
    const values = Array.from({ length: n }, (_, i) => ({
      id: i,
      session: `s-${i % 997}`,
      question: `第${i}个问题：优惠券怎么用？`,
      score: i / n,
      at: '2025-11-11T00:00:00.000Z',
    }));
    const started = performance.now();
    const inserted = await client.insert({ table: 'events_bulk', values, format: 'JSONEachRow' });
    const seconds = (performance.now() - started) / 1000;
    expect(inserted.summary?.written_rows).toBe(String(n));
    const [count] = await rows<{ n: number; ids: number }>(client, 'SELECT count() AS n, uniqExact(id) AS ids FROM events_bulk');
    expect(count).toEqual({ n, ids: n });
    process.stderr.write(`dev store: ${n} JSONEachRow rows through @clickhouse/client in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} rows/s\n`);
    // A loose floor (CI boxes are busy) that only a pathological store breaks; the rate is logged above.
    expect(n / seconds).toBeGreaterThan(5_000);
  });

  it('insert_deduplication_token makes a retried batch write once', async () => {
    const client = fixture.client();
    await client.command({
      query: `CREATE TABLE events_dedup (id UInt32, v String) ENGINE = MergeTree ORDER BY id
              SETTINGS non_replicated_deduplication_window = 1000`,
    });
    const batch = [
      { id: 1, v: 'a' },
      { id: 2, v: 'b' },
    ];
    const insert = (token: string): Promise<unknown> =>
      client.insert({
        table: 'events_dedup',
        values: batch,
        format: 'JSONEachRow',
        clickhouse_settings: { insert_deduplication_token: token },
      });
    await insert('chat.events:3:100-101');
    await insert('chat.events:3:100-101');
    expect(await rows(client, 'SELECT count() AS n FROM events_dedup')).toEqual([{ n: 2 }]);
    await insert('chat.events:3:102-103');
    expect(await rows(client, 'SELECT count() AS n FROM events_dedup')).toEqual([{ n: 4 }]);
  });

  it('accepts compressed requests and sends compressed responses', async () => {
    const client = fixture.client();
    const { createClient } = await import('@clickhouse/client');
    const gz = createClient({ url: fixture.url, compression: { request: true, response: true } });
    try {
      await gz.command({ query: 'CREATE TABLE events_gz (id UInt32, v String) ENGINE = MergeTree ORDER BY id' });
      const values = Array.from({ length: 5_000 }, (_, i) => ({ id: i, v: `value ${i}` }));
      await gz.insert({ table: 'events_gz', values, format: 'JSONEachRow' });
      const result = await gz.query({ query: 'SELECT id, v FROM events_gz ORDER BY id', format: 'JSONEachRow' });
      expect(await result.json()).toEqual(values);
    } finally {
      await gz.close();
    }
    const raw = await fetch(`${fixture.url}/?enable_http_compression=1`, {
      method: 'POST',
      body: 'SELECT count() FROM events_gz',
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(await raw.text()).toBe('5000\n');
    expect(await rows(client, 'SELECT count() AS n FROM events_gz')).toEqual([{ n: 5_000 }]);
  });
});

describe('errors', () => {
  it('surface as ClickHouseError with the server codes', async () => {
    const client = fixture.client(quiet);
    const unknownTable = await clickHouseError(client.query({ query: 'SELECT * FROM no_such_table' }));
    expect([unknownTable.code, unknownTable.type]).toEqual(['60', 'UNKNOWN_TABLE']);
    const syntax = await clickHouseError(client.query({ query: 'SELECT (1' }));
    expect([syntax.code, syntax.type]).toEqual(['62', 'SYNTAX_ERROR']);
    // The message quotes the bad token as "(SELEC)"; clickhouse-js takes the first all-caps
    // parenthesis as the type, against a server too. The code is what to rely on.
    const typo = await clickHouseError(client.query({ query: 'SELEC 1' }));
    expect(typo.code).toBe('62');
    const multi = await clickHouseError(client.command({ query: 'SELECT 1; SELECT 2' }));
    expect([multi.code, multi.message]).toEqual(['62', expect.stringMatching(/Multi-statements are not allowed/)]);
    const setting = await clickHouseError(client.query({ query: 'SELECT 1', clickhouse_settings: { no_such_setting: 1 } }));
    expect([setting.code, setting.type]).toEqual(['115', 'UNKNOWN_SETTING']);
    const badValue = await clickHouseError(client.query({ query: 'SELECT {n:UInt8}', query_params: { n: 'abc' } }));
    expect(badValue.code).toBe('457');
    const thrown = await clickHouseError(client.query({ query: 'SELECT throwIf(1, {m:String})', query_params: { m: 'custom' } }));
    expect(thrown.code).toBe('395');
    const unknownDb = await clickHouseError(fixture.client({ ...quiet, database: 'no_such_db' }).query({ query: 'SELECT 1' }));
    expect([unknownDb.code, unknownDb.type]).toEqual(['81', 'UNKNOWN_DATABASE']);
  });

  it('reports bad insert data with its code and leaves the table as it was', async () => {
    const client = fixture.client(quiet);
    await client.command({ query: 'CREATE TABLE events_bad (id UInt32) ENGINE = MergeTree ORDER BY id' });
    const error = await clickHouseError(
      client.insert({ table: 'events_bad', values: [{ id: 1 }, { id: 'nope' }], format: 'JSONEachRow' }),
    );
    expect(['27', '117', '6']).toContain(error.code);
    const missing = await clickHouseError(client.insert({ table: 'no_such_table', values: [{ id: 1 }], format: 'JSONEachRow' }));
    expect(missing.code).toBe('60');
    expect(await rows(client, 'SELECT count() AS n FROM events_bad')).toEqual([{ n: 0 }]);
  });

  it('sends the HTTP status and headers a server sends', async () => {
    const response = await fetch(fixture.url, { method: 'POST', body: 'SELECT * FROM no_such_table' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-clickhouse-exception-code')).toBe('60');
    expect(await response.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\) \(version 26\.[\d.]+\)\n$/s);
  });
});

describe('per-request settings', () => {
  const blockSize = async (client: ClickHouseClient, settings?: ClickHouseSettings): Promise<string> => {
    const result = await client.query({
      query: "SELECT toString(getSetting('max_block_size')) AS v",
      format: 'JSONEachRow',
      ...(settings ? { clickhouse_settings: settings } : {}),
    });
    const [row] = await result.json<{ v: string }>();
    return row?.v ?? '';
  };

  it('apply to their own request only', async () => {
    const client = fixture.client(quiet);
    const defaultValue = await blockSize(client);
    expect(await blockSize(client, { max_block_size: '77' })).toBe('77');
    expect(await blockSize(client)).toBe(defaultValue);

    const limited = await clickHouseError(
      client.query({
        query: 'SELECT number FROM numbers(3)',
        clickhouse_settings: { max_result_rows: '1', result_overflow_mode: 'throw' },
      }),
    );
    expect(limited.code).toBe('396');
    expect(await rows(client, 'SELECT number FROM numbers(3)')).toHaveLength(3);
  });

  it('do not leak from a request that failed', async () => {
    const client = fixture.client(quiet);
    const defaultValue = await blockSize(client);
    await clickHouseError(client.query({ query: 'SELECT * FROM no_such_table', clickhouse_settings: { max_block_size: '55' } }));
    await clickHouseError(client.query({ query: 'SELECT 1', clickhouse_settings: { max_block_size: '56', no_such_setting: 1 } }));
    expect(await blockSize(client)).toBe(defaultValue);
  });

  it('do not leak from a SET statement or a database parameter', async () => {
    const client = fixture.client(quiet);
    const defaultValue = await blockSize(client);
    await client.command({ query: 'SET max_block_size = 33' });
    expect(await blockSize(client)).toBe(defaultValue);

    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS other_db' });
    const other = fixture.client({ database: 'other_db' });
    expect(await rows(other, 'SELECT currentDatabase() AS db')).toEqual([{ db: 'other_db' }]);
    expect(await rows(client, 'SELECT currentDatabase() AS db')).toEqual([{ db: 'default' }]);
  });

  it('hold under concurrent requests with different settings and parameters', async () => {
    const client = fixture.client();
    const defaultBlockSize = Number(await blockSize(client));
    const results = await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const wanted = i % 3 === 0 ? 1000 + i : undefined;
        const result = await client.query({
          query: "SELECT {i:UInt32} AS i, toUInt64(getSetting('max_block_size')) AS bs, count() AS n FROM numbers({i:UInt32})",
          query_params: { i },
          format: 'JSONEachRow',
          ...(wanted !== undefined ? { clickhouse_settings: { max_block_size: String(wanted) } } : {}),
        });
        const [row] = await result.json<{ i: number; bs: number; n: number }>();
        return { i, row, expectedBlockSize: wanted };
      }),
    );
    for (const { i, row, expectedBlockSize } of results) {
      expect(row).toEqual({ i, n: i, bs: expectedBlockSize ?? defaultBlockSize });
    }
  });
});

describe('strangers', () => {
  it('answers only requests addressed to its own loopback address, so a DNS-rebinding page gets nothing', async () => {
    const port = new URL(fixture.url).port;
    const statusWithHost = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const request = httpRequest(`${fixture.url}/?query=SELECT%201`, { headers: { host } }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.once('error', reject);
        request.end();
      });
    expect(await statusWithHost(`rebind.example:${port}`)).toBe(403);
    expect(await statusWithHost(`127.0.0.1:${port}`)).toBe(200);
    expect(await statusWithHost(`localhost:${port}`)).toBe(200);
  });

  it('asks for its password when it has one, as a server with a password does', async () => {
    const store = await startDevStore({ password: 'dev-store-secret-42', onLog: () => undefined });
    const clients: ClickHouseClient[] = [];
    const client = (password?: string) => {
      const made = createClickHouseClient({ url: store.url, ...(password === undefined ? {} : { password }), ...quiet });
      clients.push(made);
      return made;
    };
    try {
      expect((await clickHouseError(client().query({ query: 'SELECT 1' }))).type).toBe('REQUIRED_PASSWORD');
      expect((await clickHouseError(client('guess').query({ query: 'SELECT 1' }))).type).toBe('AUTHENTICATION_FAILED');
      expect(await rows<{ one: number }>(client('dev-store-secret-42'), 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await Promise.all(clients.map((made) => made.close()));
      await store.stop();
    }
  });
});

describe('outage', () => {
  it('a paused store times requests out, and serves again when resumed', async () => {
    const client = fixture.client({ ...quiet, requestTimeoutMs: 1_000 });
    expect(await rows(client, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    fixture.store.pause();
    try {
      await expect(client.query({ query: 'SELECT 2' })).rejects.toThrow(/Timeout/i);
    } finally {
      fixture.store.resume();
    }
    const again = fixture.client();
    expect(await rows(again, 'SELECT 3 AS three')).toEqual([{ three: 3 }]);
  });
});
