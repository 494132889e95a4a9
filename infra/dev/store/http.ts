/**
 * The slice of ClickHouse's HTTP interface that @clickhouse/client uses, in front of ChdbEngine:
 *
 * - `GET /ping` (and `GET /` without a query) -> `Ok.\n`.
 * - `POST /` with the statement in the body, or in `?query=` with the body appended after a
 *   newline (inline INSERT data); `GET /?query=` for read-only statements; multipart/form-data
 *   bodies with `query` and `param_*` parts (clickhouse-js `use_multipart_params`).
 * - URL parameters: `param_<name>` (bound server-side), `database`, `default_format`,
 *   `query_id`, `session_id` (accepted, not isolated: there is one engine session), and every
 *   other name as a setting for this request only.
 * - `Content-Encoding: gzip|deflate|br` request bodies; responses compressed when
 *   `enable_http_compression=1` and the client accepts gzip, deflate or br.
 * - Errors as ClickHouse sends them: its HTTP status, `X-ClickHouse-Exception-Code` and
 *   `Code: N. DB::Exception: ... (NAME) (version V)`.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { ChdbEngine, Summary } from './engine';
import { SETTING_NAME } from './literals';
import { errorBody, fromEngineError, httpStatusFor, storeError, type StoreError } from './errors';
import { planRequest } from './plan';

/** URL parameters that belong to the HTTP layer, never applied as settings. */
const HTTP_PARAMETERS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'compress',
  'decompress',
  'user',
  'password',
  'quota_key',
  'stacktrace',
  'role',
  'buffer_size',
  'wait_end_of_query',
  'client_protocol_version',
  'enable_http_compression',
  'http_zlib_compression_level',
  'http_native_compression_disable_checksumming_on_decompress',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'http_response_buffer_size',
  'http_wait_end_of_query',
  'cancel_http_readonly_queries_on_client_close',
  'add_http_cors_header',
  'http_write_exception_in_output_format',
]);

const MAX_BODY_BYTES = 1 << 30;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotliDecompress = promisify(zlib.brotliDecompress);
const gzip = promisify(zlib.gzip);
const deflate = promisify(zlib.deflate);
const brotliCompress = promisify(zlib.brotliCompress);

export interface StoreServerOptions {
  readonly engine: ChdbEngine;
  /** X-ClickHouse-Server-Display-Name. */
  readonly displayName: string;
  /** X-ClickHouse-Timezone. */
  readonly timezone: string;
  /**
   * The password of the user `default`, as a server's users.xml would set it; undefined: none asked, as a
   * fresh server (the tests' stores). `npm start` sets one, so another program on the machine cannot read
   * or change the store.
   */
  readonly password?: string;
}

export interface StoreServer {
  readonly server: Server;
  /** Stops accepting, lets requests in flight finish, then closes every connection. */
  shutdown(): Promise<void>;
}

interface ParsedRequest {
  readonly readonly: boolean;
  readonly queryParam: string | undefined;
  readonly body: Buffer;
  readonly params: Map<string, string>;
  readonly settings: Map<string, string>;
  readonly database: string;
  readonly defaultFormat: string | undefined;
  readonly compressResponse: boolean;
}

export function createStoreServer(options: StoreServerOptions): StoreServer {
  const { engine } = options;
  let inFlight = 0;
  let closing = false;
  let onIdle: (() => void) | undefined;
  const commonHeaders = {
    'X-ClickHouse-Server-Display-Name': options.displayName,
    'X-ClickHouse-Timezone': options.timezone,
  };

  const server = createServer((req, res) => {
    if (closing) {
      res.setHeader('Connection', 'close');
      sendError(res, storeError('STD_EXCEPTION', 'The dev store is shutting down'), engine.version, commonHeaders);
      return;
    }
    inFlight++;
    handle(req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) sendError(res, fromEngineError(error), engine.version, commonHeaders);
        else res.destroy();
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0) onIdle?.();
      });
  });
  // clickhouse-js drops idle sockets after 2.5 s; keep ours open longer so it is the one to close.
  server.keepAliveTimeout = 10_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://dev-store');
    const method = req.method ?? 'GET';
    if (!addressedToUs(req.headers.host)) {
      req.resume();
      res.writeHead(403, { ...commonHeaders, 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('The dev store answers only requests addressed to its own loopback address.\n');
      return;
    }
    if (url.pathname === '/ping' || (url.pathname === '/' && method === 'GET' && !url.searchParams.has('query'))) {
      req.resume();
      res.writeHead(200, { ...commonHeaders, 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('Ok.\n');
      return;
    }
    if (url.pathname !== '/') {
      req.resume();
      res.writeHead(404, { ...commonHeaders, 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end(`There is no handle ${url.pathname}\n\nUse / or /ping for health checks.\n`);
      return;
    }
    if (method !== 'GET' && method !== 'POST') {
      req.resume();
      throw storeError('BAD_ARGUMENTS', `The dev store does not handle HTTP ${method}`);
    }
    const queryId = url.searchParams.get('query_id') || randomUUID();
    const headers = { ...commonHeaders, 'X-ClickHouse-Query-Id': queryId };
    const refused = options.password === undefined ? null : authenticationError(req, url, options.password);
    if (refused !== null) {
      req.resume();
      sendError(res, refused, engine.version, headers);
      return;
    }
    let parsed: ParsedRequest;
    try {
      parsed = await parseRequest(req, url, method);
    } catch (error) {
      sendError(res, fromEngineError(error), engine.version, headers);
      return;
    }
    let result;
    try {
      const plan = planRequest({
        queryParam: parsed.queryParam,
        body: parsed.body,
        params: parsed.params,
        defaultFormat: parsed.defaultFormat,
        readonly: parsed.readonly,
      });
      result = await engine.run({ plan, settings: parsed.settings, database: parsed.database });
    } catch (error) {
      sendError(res, fromEngineError(error), engine.version, headers);
      return;
    }
    let body = Buffer.from(result.body.buffer, result.body.byteOffset, result.body.byteLength);
    const responseHeaders: Record<string, string> = {
      ...headers,
      'X-ClickHouse-Format': result.format,
      'X-ClickHouse-Summary': summaryHeader(result.summary),
      'Content-Type': contentType(result.format),
    };
    if (parsed.compressResponse && body.length > 0) {
      const encoding = pickEncoding(req.headers['accept-encoding']);
      if (encoding !== undefined) {
        body = await compress(body, encoding);
        responseHeaders['Content-Encoding'] = encoding;
      }
    }
    responseHeaders['Content-Length'] = String(body.length);
    res.writeHead(200, responseHeaders);
    res.end(body);
  }

  return {
    server,
    async shutdown(): Promise<void> {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (onIdle = resolve));
      server.closeAllConnections();
      await stopped;
    },
  };
}

/**
 * The store listens on loopback only, but a web page can still reach it through DNS rebinding (a name that
 * resolves to 127.0.0.1): its requests then carry that name in `Host`. Only loopback names are answered (any
 * port: a TLS terminator or tunnel in front of the store keeps the client's `Host`).
 */
function addressedToUs(host: string | undefined): boolean {
  if (host === undefined) return false;
  const name = host.toLowerCase().replace(/:\d+$/, '');
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

/** The credentials a ClickHouse client sends: Basic auth, X-ClickHouse-User/Key headers, or user/password in the URL. */
function authenticationError(req: IncomingMessage, url: URL, password: string): StoreError | null {
  let user = url.searchParams.get('user') ?? headerValue(req.headers['x-clickhouse-user']);
  let given = url.searchParams.get('password') ?? headerValue(req.headers['x-clickhouse-key']);
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    user = colon < 0 ? decoded : decoded.slice(0, colon);
    given = colon < 0 ? '' : decoded.slice(colon + 1);
  }
  if (given === undefined || given === '') return storeError('REQUIRED_PASSWORD', `${user ?? 'default'}: Authentication failed: password is required`);
  const expected = Buffer.from(password, 'utf8');
  const offered = Buffer.from(given, 'utf8');
  const matches = (user ?? 'default') === 'default' && offered.length === expected.length && timingSafeEqual(offered, expected);
  return matches ? null : storeError('AUTHENTICATION_FAILED', `${user ?? 'default'}: Authentication failed: password is incorrect, or there is no user with such name`);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

async function parseRequest(
  req: IncomingMessage,
  url: URL,
  method: string,
): Promise<ParsedRequest> {
  let body = method === 'POST' ? await readBody(req) : Buffer.alloc(0);
  if (method === 'GET') req.resume();
  const fields = new Map<string, string>();
  for (const [name, value] of url.searchParams) fields.set(name, value);
  const contentType = req.headers['content-type'] ?? '';
  if (/^multipart\/form-data/i.test(contentType)) {
    for (const [name, value] of parseMultipart(body, contentType)) fields.set(name, value);
    body = Buffer.alloc(0);
  }
  if (fields.get('compress') === '1' || fields.get('decompress') === '1') {
    throw storeError('NOT_IMPLEMENTED', 'The dev store does not implement ClickHouse native compression (compress/decompress)');
  }
  const params = new Map<string, string>();
  const settings = new Map<string, string>();
  for (const [name, value] of fields) {
    if (name.startsWith('param_')) {
      params.set(name.slice('param_'.length), value);
    } else if (!HTTP_PARAMETERS.has(name)) {
      if (!SETTING_NAME.test(name)) {
        throw storeError('UNKNOWN_SETTING', `Setting ${name} is neither a builtin setting nor started with the prefix 'custom_' registered for user-defined settings`);
      }
      settings.set(name, value);
    }
  }
  const header = (name: string): string | undefined => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const compression = fields.get('enable_http_compression');
  return {
    readonly: method === 'GET',
    queryParam: fields.get('query'),
    body,
    params,
    settings,
    database: fields.get('database') || header('x-clickhouse-database') || 'default',
    defaultFormat: fields.get('default_format') || header('x-clickhouse-format'),
    compressResponse: compression === '1' || compression === 'true',
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > MAX_BODY_BYTES) throw storeError('BAD_ARGUMENTS', `Request body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(buf);
  }
  const raw = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
  const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === '' || encoding === 'identity' || encoding === 'none') return raw;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return await gunzip(raw);
    if (encoding === 'deflate') return await inflate(raw);
    if (encoding === 'br') return await brotliDecompress(raw);
  } catch (error) {
    throw storeError('ZLIB_INFLATE_FAILED', `Cannot decompress the ${encoding} request body: ${String(error)}`);
  }
  throw storeError('NOT_IMPLEMENTED', `The dev store cannot decompress Content-Encoding: ${encoding}`);
}

/** The `name` -> text pairs of a multipart/form-data body. File parts (external tables) are refused. */
export function parseMultipart(body: Buffer, contentType: string): Map<string, string> {
  const boundaryMatch = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = boundaryMatch?.[1] ?? boundaryMatch?.[2];
  if (boundary === undefined) throw storeError('BAD_ARGUMENTS', 'multipart/form-data without a boundary');
  const delimiter = Buffer.from(`--${boundary}`);
  const fields = new Map<string, string>();
  let pos = body.indexOf(delimiter);
  while (pos >= 0) {
    let partStart = pos + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    if (body.subarray(partStart, partStart + 2).toString() === '\r\n') partStart += 2;
    const next = body.indexOf(delimiter, partStart);
    if (next < 0) throw storeError('BAD_ARGUMENTS', 'multipart/form-data body is not terminated');
    // The part ends with CRLF before the next delimiter.
    const part = body.subarray(partStart, next - 2 >= partStart ? next - 2 : next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw storeError('BAD_ARGUMENTS', 'multipart/form-data part without headers');
    const partHeaders = part.subarray(0, headerEnd).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(partHeaders)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw storeError('BAD_ARGUMENTS', 'multipart/form-data part without a name');
    if (/\bfilename=/i.test(disposition)) {
      throw storeError('NOT_IMPLEMENTED', `The dev store does not support external tables (multipart file part ${name})`);
    }
    fields.set(name, part.subarray(headerEnd + 4).toString('utf8'));
    pos = next;
  }
  return fields;
}

type Encoding = 'gzip' | 'deflate' | 'br';

function pickEncoding(accept: string | undefined): Encoding | undefined {
  const offered = (accept ?? '').toLowerCase();
  if (/\bgzip\b/.test(offered)) return 'gzip';
  if (/\bdeflate\b/.test(offered)) return 'deflate';
  if (/\bbr\b/.test(offered)) return 'br';
  return undefined;
}

function compress(body: Buffer, encoding: Encoding): Promise<Buffer> {
  if (encoding === 'gzip') return gzip(body, { level: 3 });
  if (encoding === 'deflate') return deflate(body, { level: 3 });
  return brotliCompress(body);
}

function summaryHeader(summary: Summary): string {
  return JSON.stringify(summary);
}

export function contentType(format: string): string {
  if (/^(JSON|JSONCompact|JSONStrings|JSONCompactStrings|JSONColumns\w*|JSONCompactColumns|JSONObjectEachRow)$/.test(format)) {
    return 'application/json; charset=UTF-8';
  }
  if (/^(RowBinary|Native|Parquet|Arrow|ArrowStream|ORC|Avro|MsgPack|Protobuf|CapnProto|BSONEachRow|Npy|RawBLOB)/.test(format)) {
    return 'application/octet-stream';
  }
  if (/EachRow|^(JSONLines|NDJSON|JSONL)$/.test(format)) return 'application/x-ndjson; charset=UTF-8';
  if (/^(TSV|TabSeparated)/.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/.test(format)) return `text/csv; charset=UTF-8; header=${/WithNames/.test(format) ? 'present' : 'absent'}`;
  return 'text/plain; charset=UTF-8';
}

function sendError(
  res: ServerResponse,
  error: StoreError,
  version: string,
  headers: Readonly<Record<string, string>>,
): void {
  const body = Buffer.from(errorBody(error, version));
  res.writeHead(httpStatusFor(error.type), {
    ...headers,
    'X-ClickHouse-Exception-Code': String(error.code),
    'Content-Type': 'text/plain; charset=UTF-8',
    'Content-Length': String(body.length),
  });
  res.end(body);
}

