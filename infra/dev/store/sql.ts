/**
 * What the dev store needs to know about a statement before it hands it to chdb: its kind, whether
 * the text holds more than one statement (the HTTP interface refuses that), the output format named
 * by a FORMAT clause, where inline INSERT data starts, and the declared types of `{name:Type}`
 * placeholders. Lexing stops where inline data begins, so rows are never read as SQL.
 */
import { SqlLexError, tokenize, type SqlToken } from '@warroom/clickhouse';

export interface StatementInfo {
  /** First keyword, upper-cased: SELECT, INSERT, CREATE, SET, USE, ... ('' for an empty text). */
  readonly kind: string;
  /** Tokens follow a top-level semicolon. */
  readonly multiStatement: boolean;
  /** Offset of the token after the first top-level semicolon (for the error message). */
  readonly secondStatementAt: number | undefined;
  /** FORMAT name at the end of a non-INSERT statement. */
  readonly outputFormat: string | undefined;
  /** FORMAT name of an INSERT (the input format). */
  readonly insertFormat: string | undefined;
  /** Where inline INSERT data starts (just past the format name, or at VALUES). */
  readonly dataOffset: number | undefined;
  /** Declared type of each `{name:Type}` placeholder, by name (first declaration wins). */
  readonly placeholders: ReadonlyMap<string, string>;
}

export class StatementSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'StatementSyntaxError';
  }
}

const isWord = (tok: SqlToken | undefined, word: string): boolean =>
  tok?.kind === 'word' && tok.text.toUpperCase() === word;

export function analyzeStatement(sql: string): StatementInfo {
  const tokens: SqlToken[] = [];
  let depth = 0;
  let kind = '';
  let statementEnded = false;
  let secondStatementAt: number | undefined;
  let insertFormat: string | undefined;
  let dataOffset: number | undefined;
  let insertSelect = false;
  const placeholders = new Map<string, string>();
  try {
    for (const tok of tokenize(sql)) {
      if (statementEnded) {
        if (tok.kind === 'semicolon') continue;
        secondStatementAt = tok.start;
        break;
      }
      if (tok.kind === 'semicolon' && depth === 0) {
        statementEnded = true;
        continue;
      }
      if (kind === '') kind = tok.kind === 'open_paren' ? 'SELECT' : tok.text.toUpperCase();
      tokens.push(tok);
      if (tok.kind === 'open_paren') depth++;
      else if (tok.kind === 'close_paren') depth = Math.max(0, depth - 1);
      if (kind !== 'INSERT' || depth !== 0) continue;
      // INSERT: inline data follows FORMAT <name>, or VALUES when no SELECT came first.
      if (isWord(tok, 'SELECT') || isWord(tok, 'WITH')) insertSelect = true;
      const prev = tokens[tokens.length - 2];
      if (tok.kind === 'word' && isWord(prev, 'FORMAT') && insertFormat === undefined) {
        insertFormat = tok.text;
        dataOffset = tok.end;
        break;
      }
      if (isWord(tok, 'VALUES') && !insertSelect) {
        insertFormat = 'Values';
        dataOffset = tok.start;
        break;
      }
    }
  } catch (error) {
    if (error instanceof SqlLexError) throw new StatementSyntaxError(error.message, error.offset);
    throw error;
  }
  collectPlaceholders(sql, tokens, placeholders);
  return {
    kind,
    multiStatement: secondStatementAt !== undefined,
    secondStatementAt,
    outputFormat: kind === 'INSERT' ? undefined : trailingFormat(tokens),
    insertFormat,
    dataOffset,
    placeholders,
  };
}

/** `... FORMAT Name` at the end of the statement, optionally followed by a SETTINGS clause. */
function trailingFormat(tokens: readonly SqlToken[]): string | undefined {
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as SqlToken;
    if (tok.kind === 'open_paren') depth++;
    else if (tok.kind === 'close_paren') depth--;
    if (depth !== 0 || !isWord(tok, 'FORMAT')) continue;
    const name = tokens[i + 1];
    const after = tokens[i + 2];
    if (name?.kind === 'word' && (after === undefined || isWord(after, 'SETTINGS'))) return name.text;
  }
  return undefined;
}

/** `{name:Type}`: an open brace, a word, a colon, then the type up to the matching close brace. */
function collectPlaceholders(sql: string, tokens: readonly SqlToken[], out: Map<string, string>): void {
  for (let i = 0; i + 3 < tokens.length; i++) {
    const open = tokens[i] as SqlToken;
    const name = tokens[i + 1] as SqlToken;
    const colon = tokens[i + 2] as SqlToken;
    if (open.text !== '{' || name.kind !== 'word' || colon.text !== ':') continue;
    let j = i + 3;
    let depth = 0;
    for (; j < tokens.length; j++) {
      const tok = tokens[j] as SqlToken;
      if (tok.kind === 'open_paren') depth++;
      else if (tok.kind === 'close_paren') depth--;
      else if (tok.text === '}' && depth === 0) break;
    }
    const close = tokens[j];
    if (close === undefined) return;
    if (!out.has(name.text)) out.set(name.text, sql.slice(colon.end, close.start).trim());
    i = j;
  }
}

export interface FastInsert {
  readonly table: string;
  readonly columns: readonly string[] | undefined;
  readonly format: string;
}

const PLAIN_IDENTIFIER = /^[A-Za-z0-9_]+$/;

/** `name` or `` `name` `` when the name needs no quoting; anything else is not plain. */
function plainIdentifier(tok: SqlToken | undefined): string | undefined {
  if (tok === undefined) return undefined;
  let text = tok.text;
  if (tok.kind === 'quoted_identifier' && text.startsWith('`')) text = text.slice(1, -1);
  else if (tok.kind !== 'word') return undefined;
  return PLAIN_IDENTIFIER.test(text) ? text : undefined;
}

/**
 * Recognises exactly `INSERT INTO [TABLE] [db.]table [(col, ...)] FORMAT Name` and nothing after
 * it: the shape @clickhouse/client sends in `?query=` with the rows in the body. Such inserts go
 * to chdb's raw insert, which takes the body as bytes. Anything else returns undefined and takes
 * the general path.
 */
export function parseFastInsert(sql: string): FastInsert | undefined {
  let tokens: SqlToken[];
  try {
    tokens = [...tokenize(sql)];
  } catch {
    return undefined;
  }
  let i = 0;
  const at = (k: number): SqlToken | undefined => tokens[k];
  if (!isWord(at(i), 'INSERT') || !isWord(at(i + 1), 'INTO')) return undefined;
  i += 2;
  if (isWord(at(i), 'TABLE')) i++;
  const first = plainIdentifier(at(i));
  if (first === undefined) return undefined;
  let table = first;
  i++;
  if (at(i)?.text === '.') {
    const second = plainIdentifier(at(i + 1));
    if (second === undefined) return undefined;
    table = `${first}.${second}`;
    i += 2;
  }
  let columns: string[] | undefined;
  if (at(i)?.kind === 'open_paren') {
    columns = [];
    i++;
    for (;;) {
      const column = plainIdentifier(at(i));
      if (column === undefined) return undefined;
      columns.push(column);
      i++;
      if (at(i)?.text === ',') {
        i++;
        continue;
      }
      if (at(i)?.kind === 'close_paren') {
        i++;
        break;
      }
      return undefined;
    }
  }
  if (!isWord(at(i), 'FORMAT')) return undefined;
  const format = at(i + 1);
  if (format?.kind !== 'word' || i + 2 !== tokens.length) return undefined;
  return { table, columns, format: format.text };
}
