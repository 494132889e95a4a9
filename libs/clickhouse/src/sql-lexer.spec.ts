import { describe, expect, it } from 'vitest';
import { lineAndColumn, splitStatements, SqlLexError, tokenize } from './sql-lexer';

describe('splitStatements', () => {
  it('splits at top-level semicolons and trims', () => {
    expect(splitStatements('CREATE TABLE a (x UInt8) ENGINE = Memory;\n\nSELECT 1 ;  ')).toEqual([
      'CREATE TABLE a (x UInt8) ENGINE = Memory',
      'SELECT 1',
    ]);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitStatements('SELECT 1; SELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });

  it('ignores semicolons inside strings, identifiers, comments and heredocs', () => {
    const script = [
      "SELECT 'a;b', 'it''s;', 'back\\';slash' AS `x;y`, \"z;w\" -- trailing; comment",
      ';',
      '/* block; /* nested; */ still comment; */ SELECT $$a;b$$, $tag$c;d$tag$;',
      '# hash comment; here',
      'SELECT 3',
    ].join('\n');
    const statements = splitStatements(script);
    expect(statements).toHaveLength(3);
    expect(statements[0]).toContain("'back\\';slash'");
    expect(statements[1]).toContain('$tag$c;d$tag$');
    expect(statements[2]).toMatch(/SELECT 3$/);
  });

  it('drops pieces that hold only comments or whitespace', () => {
    expect(splitStatements('-- header\n;;\nSELECT 1;\n-- footer only\n')).toEqual(['SELECT 1']);
    expect(splitStatements('  \n -- nothing \n')).toEqual([]);
  });

  it('keeps a comment with the statement that follows it', () => {
    expect(splitStatements('SELECT 1;\n-- second\nSELECT 2;')).toEqual(['SELECT 1', '-- second\nSELECT 2']);
  });

  it('refuses unterminated strings and comments, with the position', () => {
    expect(() => splitStatements("SELECT 1;\nSELECT 'oops;")).toThrow(/unterminated string literal starting at line 2, column 8/);
    expect(() => splitStatements('SELECT /* never closed')).toThrow(SqlLexError);
    expect(() => splitStatements('SELECT `a')).toThrow(/quoted identifier/);
    expect(() => splitStatements('SELECT $x$abc')).toThrow(/heredoc/);
  });
});

describe('tokenize', () => {
  it('classifies tokens', () => {
    const kinds = [...tokenize("SELECT f(1.5e-3, 'x') FROM `t`;")].map((t) => `${t.kind}:${t.text}`);
    expect(kinds).toEqual([
      'word:SELECT',
      'word:f',
      'open_paren:(',
      'number:1.5e-3',
      'punct:,',
      "string:'x'",
      'close_paren:)',
      'word:FROM',
      'quoted_identifier:`t`',
      'semicolon:;',
    ]);
  });

  it('sees placeholders as punctuation around words', () => {
    expect([...tokenize('{id:UInt64}')].map((t) => t.text)).toEqual(['{', 'id', ':', 'UInt64', '}']);
  });

  it('treats # without a following space as punctuation', () => {
    expect([...tokenize('a#b')].map((t) => t.text)).toEqual(['a', '#', 'b']);
  });
});

describe('lineAndColumn', () => {
  it('is 1-based', () => {
    expect(lineAndColumn('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
    expect(lineAndColumn('ab', 0)).toEqual({ line: 1, column: 1 });
  });
});
