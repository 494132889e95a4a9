/**
 * Errors in ClickHouse's shape: a numeric code, its name and a message, sent with the HTTP status
 * ClickHouse would use and the body `Code: N. DB::Exception: message. (NAME) (version V)`, so
 * @clickhouse/client raises a ClickHouseError with the same `code` and `type` as against a server.
 */

export class StoreError extends Error {
  constructor(
    readonly code: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/** Codes the store raises itself (the rest come from the engine with their own code and name). */
export const Codes = {
  BAD_ARGUMENTS: [36, 'BAD_ARGUMENTS'],
  NOT_IMPLEMENTED: [48, 'NOT_IMPLEMENTED'],
  SYNTAX_ERROR: [62, 'SYNTAX_ERROR'],
  UNKNOWN_SETTING: [115, 'UNKNOWN_SETTING'],
  READONLY: [164, 'READONLY'],
  CANNOT_DECOMPRESS: [271, 'CANNOT_DECOMPRESS'],
  ZLIB_INFLATE_FAILED: [354, 'ZLIB_INFLATE_FAILED'],
  STD_EXCEPTION: [1001, 'STD_EXCEPTION'],
  REQUIRED_PASSWORD: [194, 'REQUIRED_PASSWORD'],
  AUTHENTICATION_FAILED: [516, 'AUTHENTICATION_FAILED'],
} as const satisfies Record<string, readonly [number, string]>;

export function storeError(which: keyof typeof Codes, message: string): StoreError {
  const [code, type] = Codes[which];
  return new StoreError(code, type, message);
}

/** `Code: 60. DB::Exception: Unknown table ... (UNKNOWN_TABLE)`, possibly spanning lines. */
const ENGINE_ERROR = /^Code:\s*(\d+)\.\s*(?:DB::Exception:\s*)?([\s\S]*?)(?:\.?\s*\(([A-Z][A-Z0-9_]*)\))?\s*$/;

/**
 * Turns whatever chdb threw into a StoreError, keeping the engine's code, name and message.
 * chdb's typed errors carry `clickhouseCode`; the message keeps ClickHouse's own text.
 */
export function fromEngineError(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const m = ENGINE_ERROR.exec(message.trim());
  const declared =
    typeof error === 'object' && error !== null && 'clickhouseCode' in error ? error.clickhouseCode : undefined;
  if (m) {
    const code = typeof declared === 'number' ? declared : Number(m[1]);
    return new StoreError(code, m[3] ?? 'UNKNOWN_EXCEPTION', (m[2] ?? '').trim());
  }
  if (typeof declared === 'number') return new StoreError(declared, 'UNKNOWN_EXCEPTION', message);
  const [code, type] = Codes.STD_EXCEPTION;
  return new StoreError(code, type, message);
}

const BAD_REQUEST = new Set([
  'BAD_ARGUMENTS',
  'CANNOT_COMPILE_REGEXP',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
  'CANNOT_PARSE_IPV4',
  'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_UUID',
  'DUPLICATE_COLUMN',
  'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNKNOWN_TYPE_OF_AST_NODE',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
]);

const NOT_FOUND = new Set([
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
]);

/** The HTTP status ClickHouse's HTTP handler sends for an exception (exceptionCodeToHTTPStatus). */
export function httpStatusFor(type: string): number {
  if (type === 'REQUIRED_PASSWORD') return 401;
  if (['UNKNOWN_USER', 'WRONG_PASSWORD', 'AUTHENTICATION_FAILED', 'SET_NON_GRANTED_ROLE'].includes(type)) return 403;
  if (BAD_REQUEST.has(type)) return 400;
  if (NOT_FOUND.has(type)) return 404;
  if (type === 'QUERY_IS_TOO_LARGE') return 413;
  if (type === 'NOT_IMPLEMENTED') return 501;
  if (['SOCKET_TIMEOUT', 'CANNOT_OPEN_FILE', 'CANNOT_SCHEDULE_TASK'].includes(type)) return 503;
  if (type === 'HTTP_LENGTH_REQUIRED') return 411;
  if (type === 'TIMEOUT_EXCEEDED') return 408;
  return 500;
}

/** The response body ClickHouse sends for an exception. */
export function errorBody(error: StoreError, version: string): string {
  const message = error.message.replace(/\.\s*$/, '');
  return `Code: ${error.code}. DB::Exception: ${message}. (${error.type}) (version ${version})\n`;
}
