/**
 * A small lexer for ClickHouse SQL: enough to find statement boundaries, keywords and
 * `{name:Type}` placeholders without being fooled by strings, quoted identifiers, comments or
 * heredocs. It does not parse; callers look at the token stream.
 *
 * Follows ClickHouse's own lexer where it matters for boundaries: `'...'` strings with backslash
 * escapes and doubled quotes, `"..."` and backquoted identifiers, `--` and `# ` line comments,
 * nested block comments, and `$tag$...$tag$` heredocs.
 */

export type SqlTokenKind =
  | 'word'
  | 'quoted_identifier'
  | 'string'
  | 'heredoc'
  | 'number'
  | 'semicolon'
  | 'open_paren'
  | 'close_paren'
  | 'punct';

export interface SqlToken {
  readonly kind: SqlTokenKind;
  /** Offset of the first character in the source. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
  /** The source text of the token, quotes included. */
  readonly text: string;
}

/** A string, quoted identifier, heredoc or block comment that runs to the end of the input. */
export class SqlLexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'SqlLexError';
  }
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const NUMBER_PART = /[A-Za-z0-9_.]/;
const WHITESPACE = /[ \t\n\r\f\v]/;
const HEREDOC_TAG = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/;

/** 1-based line and column of an offset, for error messages. */
export function lineAndColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * Yields the tokens of `source` from `from` on, skipping whitespace and comments. Throws
 * SqlLexError for an unterminated string, identifier, heredoc or block comment. Callers that
 * meet inline data (INSERT ... FORMAT x <data>) stop iterating there.
 */
export function* tokenize(source: string, from = 0): Generator<SqlToken, void, undefined> {
  let i = from;
  const n = source.length;
  const token = (kind: SqlTokenKind, start: number, end: number): SqlToken => ({
    kind,
    start,
    end,
    text: source.slice(start, end),
  });
  while (i < n) {
    const c = source[i] as string;
    if (WHITESPACE.test(c)) {
      i++;
      continue;
    }
    const next = source[i + 1];
    if (c === '-' && next === '-') {
      i = skipLine(source, i);
      continue;
    }
    if (c === '#' && (next === ' ' || next === '!')) {
      i = skipLine(source, i);
      continue;
    }
    if (c === '/' && next === '*') {
      i = skipBlockComment(source, i);
      continue;
    }
    const start = i;
    if (c === "'") {
      i = skipQuoted(source, i, "'", 'string literal');
      yield token('string', start, i);
      continue;
    }
    if (c === '"' || c === '`') {
      i = skipQuoted(source, i, c, 'quoted identifier');
      yield token('quoted_identifier', start, i);
      continue;
    }
    if (c === '$') {
      const tag = HEREDOC_TAG.exec(source.slice(i, i + 256));
      if (tag) {
        const close = source.indexOf(tag[0], i + tag[0].length);
        if (close < 0) throw unterminated(source, start, 'heredoc');
        i = close + tag[0].length;
        yield token('heredoc', start, i);
        continue;
      }
    }
    if (c >= '0' && c <= '9') {
      i++;
      while (i < n) {
        const d = source[i] as string;
        if (NUMBER_PART.test(d)) {
          i++;
        } else if ((d === '+' || d === '-') && /[eEpP]/.test(source[i - 1] ?? '')) {
          i++;
        } else {
          break;
        }
      }
      yield token('number', start, i);
      continue;
    }
    if (WORD_START.test(c)) {
      i++;
      while (i < n && WORD_PART.test(source[i] as string)) i++;
      yield token('word', start, i);
      continue;
    }
    i++;
    if (c === ';') yield token('semicolon', start, i);
    else if (c === '(') yield token('open_paren', start, i);
    else if (c === ')') yield token('close_paren', start, i);
    else yield token('punct', start, i);
  }
}

function skipLine(source: string, i: number): number {
  const end = source.indexOf('\n', i);
  return end < 0 ? source.length : end + 1;
}

function skipBlockComment(source: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < source.length) {
    if (source.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (source.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw unterminated(source, start, 'block comment');
}

function skipQuoted(source: string, start: number, quote: string, what: string): number {
  let i = start + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      i += 2;
    } else if (c === quote) {
      if (source[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  throw unterminated(source, start, what);
}

function unterminated(source: string, offset: number, what: string): SqlLexError {
  const { line, column } = lineAndColumn(source, offset);
  return new SqlLexError(`unterminated ${what} starting at line ${line}, column ${column}`, offset);
}

/**
 * Splits a script into statements at top-level semicolons. Comments stay with the statement
 * that follows them; pieces that hold nothing but whitespace and comments are dropped. Scripts
 * with inline data (INSERT ... FORMAT/VALUES followed by rows) are not supported: the rows would
 * be lexed as SQL.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let pieceStart = 0;
  let hasToken = false;
  for (const tok of tokenize(script)) {
    if (tok.kind === 'semicolon') {
      if (hasToken) statements.push(script.slice(pieceStart, tok.start).trim());
      pieceStart = tok.end;
      hasToken = false;
    } else {
      hasToken = true;
    }
  }
  if (hasToken) statements.push(script.slice(pieceStart).trim());
  return statements;
}
