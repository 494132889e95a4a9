/**
 * Turns the parts of one HTTP request (the `query` parameter, the body, `param_*` values, the
 * default format) into what the engine runs, rejecting what a ClickHouse server would reject
 * before running anything. Pure, so it is unit-tested without chdb.
 */
import { storeError } from './errors';
import { toChdbParam } from './params';
import { analyzeStatement, parseFastInsert, StatementSyntaxError, type StatementInfo } from './sql';

/** chdb's raw insert takes these formats as bytes, off the JS heap (chdb RawInsertFormat). */
const RAW_INSERT_FORMATS = new Set([
  'JSONEachRow',
  'JSONCompactEachRow',
  'CSV',
  'CSVWithNames',
  'TSV',
  'TabSeparated',
  'TSVWithNames',
  'TabSeparatedWithNames',
]);
export type RawInsertFormat =
  | 'JSONEachRow'
  | 'JSONCompactEachRow'
  | 'CSV'
  | 'CSVWithNames'
  | 'TSV'
  | 'TabSeparated'
  | 'TSVWithNames'
  | 'TabSeparatedWithNames';
const isRawInsertFormat = (format: string): format is RawInsertFormat => RAW_INSERT_FORMATS.has(format);

/**
 * Text input formats that may travel inside the SQL string (chdb's query entry takes a JS string,
 * so the body is decoded as UTF-8 and binary formats would be corrupted).
 */
const TEXT_INPUT_FORMAT =
  /^(JSON\w*|NDJSON|TSV\w*|TabSeparated\w*|CSV\w*|Values|CustomSeparated\w*|TSKV|LineAsString\w*|Regexp|Template\w*|Markdown|PrettyCompact)$/;

export type Plan =
  | {
      readonly kind: 'raw_insert';
      readonly table: string;
      readonly columns: readonly string[] | undefined;
      readonly format: RawInsertFormat;
      readonly body: Buffer;
    }
  | {
      readonly kind: 'query';
      /** First keyword of the statement (SELECT, INSERT, SET, USE, ...). */
      readonly statement: string;
      readonly sql: string;
      /** Values for chdb's queryBindAsync, or undefined when the request has no parameters. */
      readonly params: Record<string, string | null> | undefined;
      /** Format chdb is asked for; a FORMAT clause in the statement wins over it. */
      readonly requestedFormat: string;
      /** Format the response is in (for X-ClickHouse-Format and Content-Type). */
      readonly responseFormat: string;
    };

export interface PlanInput {
  /** The `query` URL parameter (or multipart part), if any. */
  readonly queryParam: string | undefined;
  readonly body: Buffer;
  /** Raw `param_<name>` texts by name. */
  readonly params: ReadonlyMap<string, string>;
  /** `default_format`, if given. */
  readonly defaultFormat: string | undefined;
  /** GET requests are read-only in ClickHouse. */
  readonly readonly: boolean;
}

// GET runs with readonly=2: reads, plus SET and USE for the request itself.
const READ_ONLY_KINDS = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'DESC', 'EXISTS', 'EXPLAIN', 'CHECK', 'SET', 'USE']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeUtf8(bytes: Buffer, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw storeError('BAD_ARGUMENTS', `The dev store only accepts UTF-8 text in the ${what}`);
  }
}

/** Inline data travels inside chdb's SQL string, which cannot carry binary formats. */
function assertTextInput(info: StatementInfo): void {
  if (info.insertFormat !== undefined && !TEXT_INPUT_FORMAT.test(info.insertFormat)) {
    throw storeError(
      'NOT_IMPLEMENTED',
      `The dev store cannot insert in the binary format ${info.insertFormat}; use a text format such as JSONEachRow`,
    );
  }
}

export function planRequest(input: PlanInput): Plan {
  const { queryParam, body } = input;
  // The shape client.insert sends: the statement in ?query=, the rows as the body.
  if (queryParam !== undefined && queryParam.trim() !== '' && input.params.size === 0 && !input.readonly) {
    const fast = parseFastInsert(queryParam);
    if (fast && isRawInsertFormat(fast.format)) {
      return { kind: 'raw_insert', table: fast.table, columns: fast.columns, format: fast.format, body };
    }
  }
  const head = queryParam ?? '';
  let info: StatementInfo;
  let sql: string;
  if (body.length === 0) {
    sql = head;
    info = analyze(sql);
  } else if (head !== '') {
    // ClickHouse appends the body to the query parameter, after a newline, to form the query.
    // Analyze the query part first: when it is an INSERT ... FORMAT, the body is data.
    const headInfo = analyze(head);
    assertTextInput(headInfo);
    sql = `${head}\n${decodeUtf8(body, 'request body')}`;
    info = headInfo.insertFormat !== undefined ? headInfo : analyze(sql);
  } else {
    sql = decodeUtf8(body, 'request body');
    info = analyze(sql);
  }
  if (info.kind === '') throw storeError('SYNTAX_ERROR', 'Empty query');
  if (info.multiStatement) {
    throw storeError(
      'SYNTAX_ERROR',
      `Syntax error (Multi-statements are not allowed): failed at position ${(info.secondStatementAt ?? 0) + 1} (end of query)`,
    );
  }
  assertTextInput(info);
  if (input.readonly && !READ_ONLY_KINDS.has(info.kind)) {
    throw storeError(
      'READONLY',
      'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. ' +
        'You should use method POST for modifying queries',
    );
  }
  // chdb reads the format name 'arrow' as its own alias and prefixes a session-wide SET for it.
  const requestedFormat = input.defaultFormat === 'arrow' ? 'Arrow' : (input.defaultFormat ?? 'TabSeparated');
  let params: Record<string, string | null> | undefined;
  if (input.params.size > 0) {
    params = {};
    for (const [name, text] of input.params) params[name] = toChdbParam(text, info.placeholders.get(name));
  }
  return {
    kind: 'query',
    statement: info.kind,
    sql,
    params,
    requestedFormat,
    responseFormat: info.outputFormat ?? requestedFormat,
  };
}

function analyze(sql: string): StatementInfo {
  try {
    return analyzeStatement(sql);
  } catch (error) {
    if (error instanceof StatementSyntaxError) {
      throw storeError('SYNTAX_ERROR', `Syntax error: failed at position ${error.offset + 1}: ${error.message}`);
    }
    throw error;
  }
}
