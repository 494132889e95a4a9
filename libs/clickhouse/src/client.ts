import { readFileSync } from 'node:fs';
import { ClickHouseLogLevel, createClient, type ClickHouseClient, type ClickHouseSettings, type Logger } from '@clickhouse/client';
import type { ClickHouseTls } from './env';

export interface ClickHouseClientOptions {
  /** http(s)://host:port of a server or of the dev store (CLICKHOUSE_URL). */
  readonly url: string;
  /** Current database for every request. It must exist (runMigrations creates it). Default: `default`. */
  readonly database?: string;
  readonly username?: string;
  readonly password?: string;
  /** Client-side timeout of one request; the server is told to stop at the same point. Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Identifies the process in the server's query log (e.g. "warroom-ingest"). */
  readonly application?: string;
  /** Settings added to (and overriding) the defaults below, for every request. */
  readonly settings?: ClickHouseSettings;
  /** The deployment's CA and client certificate for an https URL (CLICKHOUSE_CA_FILE…); default: the system's CAs. */
  readonly tls?: ClickHouseTls;
  /** The client's own log (it logs every failed request at ERROR, without its data). Default: WARN. */
  readonly logLevel?: ClickHouseLogLevel;
}

/**
 * Settings pinned for every request, so behaviour does not depend on a server's defaults (which
 * changed across 24.x-26.x) and is the same against the dev store and a cluster:
 *
 * - `async_insert: 0`: our batches are already large, and a synchronous insert is what makes
 *   `insert_deduplication_token` deduplicate a retried batch (async inserts ignore it unless
 *   `async_insert_deduplicate` is on). ClickHouse 26 defaults to 1.
 * - `date_time_input_format: 'best_effort'`: DateTime/DateTime64 columns accept ISO-8601 with a
 *   zone (`2025-11-11T00:00:00.123Z`), which is what the contracts' codecs produce.
 * - `output_format_json_quote_64bit_integers: 0`: counts and sums come back as JSON numbers.
 *   Select 64-bit values that can pass 2^53 (hashes, ids) as strings (`toString(x)`).
 */
const PINNED_SETTINGS: ClickHouseSettings = {
  async_insert: 0,
  date_time_input_format: 'best_effort',
  output_format_json_quote_64bit_integers: 0,
};

/**
 * The client's own log, without what it would quote: its default logger prints a failed request's
 * arguments (query parameters: customers' text) and the server's message, which quotes the refused row
 * data. Each caller gets the error itself and logs what it means, masked; this keeps the client's line and
 * the error's code and name.
 */
export class WithoutDataLogger implements Logger {
  trace(): void {}
  debug(): void {}
  info(): void {}
  warn({ module, message, err }: Parameters<Logger['warn']>[0]): void {
    console.warn(`[@clickhouse/client][${module}] ${message}${describe(err)}`);
  }
  error({ module, message, err }: Parameters<Logger['error']>[0]): void {
    console.error(`[@clickhouse/client][${module}] ${message}${describe(err)}`);
  }
}

function describe(error: Error | undefined): string {
  if (error === undefined) return '';
  const { code, type } = error as Error & { code?: unknown; type?: unknown };
  return ` (${[error.name, typeof type === 'string' ? type : null, typeof code === 'string' ? `code ${code}` : null].filter(Boolean).join(', ')})`;
}

/** The client's `tls` for the settings, the PEM files read now: one that cannot be read fails the start with its variable's name. */
export function clickhouseTlsOptions(tls: NonNullable<ClickHouseTls>, read: (path: string) => Buffer = readFileSync): { ca_cert: Buffer; cert?: Buffer; key?: Buffer } {
  const file = (variable: string, path: string): Buffer => {
    try {
      return read(path);
    } catch (error) {
      throw new Error(`${variable}: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
  };
  const ca_cert = file('CLICKHOUSE_CA_FILE', tls.caFile);
  if (tls.certFile === null || tls.keyFile === null) return { ca_cert };
  return { ca_cert, cert: file('CLICKHOUSE_CERT_FILE', tls.certFile), key: file('CLICKHOUSE_KEY_FILE', tls.keyFile) };
}

export function createClickHouseClient(options: ClickHouseClientOptions): ClickHouseClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) {
    throw new Error(`requestTimeoutMs must be a positive number, got ${requestTimeoutMs}`);
  }
  return createClient({
    url: options.url,
    ...(options.database !== undefined ? { database: options.database } : {}),
    username: options.username ?? 'default',
    password: options.password ?? '',
    application: options.application ?? 'warroom',
    request_timeout: requestTimeoutMs,
    // Small requests, a local network: compression costs more CPU than it saves.
    compression: { request: false, response: false },
    keep_alive: { enabled: true },
    log: { level: options.logLevel ?? ClickHouseLogLevel.WARN, LoggerClass: WithoutDataLogger },
    ...(options.tls ? { tls: clickhouseTlsOptions(options.tls) } : {}),
    clickhouse_settings: {
      ...PINNED_SETTINGS,
      // The server gives up where the client does, instead of finishing work nobody waits for.
      max_execution_time: Math.max(1, Math.ceil(requestTimeoutMs / 1000)),
      ...options.settings,
    },
  });
}
