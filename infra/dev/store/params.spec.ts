import { describe, expect, it } from 'vitest';
import { baseType, decodeEscaped, isCompositeType, requoteComposite, toChdbParam } from './params';

/** chdb's escaping of a top-level string parameter (chdb/dist/serialize.js tsvEscape). */
function chdbEscape(value: string): string {
  return value.replace(/[\\\0\b\f\n\r\t]/g, (c) =>
    c === '\\' ? '\\\\' : `\\${{ '\0': '0', '\b': 'b', '\f': 'f', '\n': 'n', '\r': 'r', '\t': 't' }[c] ?? ''}`,
  );
}

describe('decodeEscaped', () => {
  it('decodes what @clickhouse/client escapes', () => {
    expect(decodeEscaped("it\\'s a \\\\ and \\t tab \\n nl \\r cr")).toBe("it's a \\ and \t tab \n nl \r cr");
  });

  it('follows the server for other sequences', () => {
    expect(decodeEscaped('\\x41\\0\\a\\e\\v\\b\\f')).toBe('A\0\x07\x1b\v\b\f');
    expect(decodeEscaped('100\\%')).toBe('100\\%');
    expect(decodeEscaped('\\"\\`\\/\\=')).toBe('"`/=');
    expect(decodeEscaped('a\\Nb')).toBe('ab');
    expect(decodeEscaped('trailing\\')).toBe('trailing\\');
    expect(decodeEscaped('plain')).toBe('plain');
  });
});

describe('requoteComposite', () => {
  it('re-quotes strings with doubled quotes and raw characters', () => {
    expect(requoteComposite("['it\\'s','a\\\\b','new\\nline']")).toBe("['it''s','a\\b','new\nline']");
    expect(requoteComposite("{'k\\'':['x']}")).toBe("{'k''':['x']}");
    expect(requoteComposite("('a''b',NULL,1.5)")).toBe("('a''b',NULL,1.5)");
  });

  it('leaves a malformed literal for the engine to reject', () => {
    expect(requoteComposite("['open")).toBe("['open");
  });

  it('after chdb escaping, reads back as the client meant (engine rules: \\\\ -> \\, \\n -> LF, \'\' -> \')', () => {
    const sent = chdbEscape(requoteComposite("['a\\\\b\\'c\\n']"));
    expect(sent).toBe("['a\\\\b''c\\n']");
  });
});

describe('types', () => {
  it('strips wrappers and spots composites', () => {
    expect(baseType('LowCardinality(Nullable(String))')).toBe('String');
    expect(isCompositeType('LowCardinality(Nullable(String))')).toBe(false);
    expect(isCompositeType('Array(String)')).toBe(true);
    expect(isCompositeType('Map(String, UInt8)')).toBe(true);
    expect(isCompositeType('Tuple(a String)')).toBe(true);
    expect(isCompositeType('LowCardinality(String)')).toBe(false);
    expect(isCompositeType('DateTime64(3)')).toBe(false);
    expect(isCompositeType(undefined)).toBe(false);
  });
});

describe('toChdbParam', () => {
  it('maps \\N to null and decodes scalars', () => {
    expect(toChdbParam('\\N', 'Nullable(String)')).toBeNull();
    expect(toChdbParam("O\\'Brien", 'String')).toBe("O'Brien");
    expect(toChdbParam('1700000000.123', 'DateTime64(3)')).toBe('1700000000.123');
    expect(toChdbParam("['a\\'b']", 'Array(String)')).toBe("['a''b']");
    // Undeclared (unused) parameters are decoded like scalars.
    expect(toChdbParam('x\\ty', undefined)).toBe('x\ty');
  });

  it('round-trips every scalar string through chdb escaping', () => {
    const samples = ["it's", 'back\\slash', 'tab\tnl\ncr\r', 'nul\0bs\bff\f', '中文 🙂', ''];
    for (const value of samples) {
      // What the client sends (tab, nl, cr, quote and backslash escaped), as the server would read it.
      const http = value.replace(/[\\\t\n\r']/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`));
      const chdbValue = toChdbParam(http, 'String');
      expect(chdbValue).toBe(value);
      expect(decodeEscaped(chdbEscape(chdbValue ?? ''))).toBe(value);
    }
  });
});
