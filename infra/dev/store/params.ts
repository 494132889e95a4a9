/**
 * Query parameters arrive as ClickHouse's HTTP interface receives them: `param_x=<text>`, where the
 * text is what the server parses with the placeholder's type in "escaped" (TSV) form. chdb's
 * queryBindAsync takes JS values and escapes top-level strings itself (backslash, NUL, \b \f \n
 * \r \t), so passing the HTTP text through unchanged would escape it twice. This module maps the
 * HTTP text to the string whose chdb escaping the engine reads back as the same value:
 *
 * - `\N` is NULL: pass null, which chdb sends as `\N`.
 * - Scalars (String, numbers, dates, UUID, ...): decode the escape sequences exactly as the server
 *   does; chdb re-escapes and the engine decodes to the same value.
 * - Composites (Array, Tuple, Map, Nested): the text is a literal such as `['it\'s','a\\b']`, read
 *   without an outer unescape. Each quoted string inside is decoded and re-quoted with only `''`
 *   for quotes, so after chdb escapes the backslashes and control characters the engine reads the
 *   same strings.
 */

const COMPOSITE = /^(Array|Tuple|Map|Nested)\s*\(/i;
const WRAPPER = /^(Nullable|LowCardinality)\s*\((.*)\)$/is;

/** Strips Nullable(...) and LowCardinality(...) wrappers. */
export function baseType(type: string): string {
  let t = type.trim();
  for (;;) {
    const m = WRAPPER.exec(t);
    if (!m) return t;
    t = (m[2] as string).trim();
  }
}

export function isCompositeType(type: string | undefined): boolean {
  return type !== undefined && COMPOSITE.test(baseType(type));
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  e: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '0': '\0',
};

/** Characters after a backslash that the server keeps without the backslash (ReadHelpers.cpp). */
const DROPS_BACKSLASH = new Set(['\\', "'", '"', '`', '/', '=']);

/**
 * Decodes one escape sequence starting at `text[i] === '\\'` the way ClickHouse's
 * parseComplexEscapeSequence does. Returns the decoded text and the offset after the sequence.
 */
function decodeEscape(text: string, i: number): { value: string; next: number } {
  const c = text[i + 1];
  if (c === undefined) return { value: '\\', next: i + 1 };
  if (c === 'x') {
    const hex = text.slice(i + 2, i + 4);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) return { value: String.fromCharCode(parseInt(hex, 16)), next: i + 4 };
    return { value: '\\x', next: i + 2 };
  }
  if (c === 'N') return { value: '', next: i + 2 };
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { value: simple, next: i + 2 };
  // Unknown escapes keep their backslash (e.g. LIKE's `\%`), except for quotes and a few others.
  if (DROPS_BACKSLASH.has(c) || c.charCodeAt(0) < 0x20) return { value: c, next: i + 2 };
  return { value: `\\${c}`, next: i + 2 };
}

/** The value of an escaped (TSV) field. */
export function decodeEscaped(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const k = text.indexOf('\\', i);
    if (k < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, k);
    const { value, next } = decodeEscape(text, k);
    out += value;
    i = next;
  }
  return out;
}

/**
 * Rewrites every single-quoted string of a composite literal to the form `'...'` with quotes
 * doubled and every other character raw. Text outside quotes is kept as it is.
 */
export function requoteComposite(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const quote = text.indexOf("'", i);
    if (quote < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, quote);
    let value = '';
    let j = quote + 1;
    let closed = false;
    while (j < text.length) {
      const c = text[j] as string;
      if (c === '\\') {
        const { value: decoded, next } = decodeEscape(text, j);
        value += decoded;
        j = next;
      } else if (c === "'") {
        if (text[j + 1] === "'") {
          value += "'";
          j += 2;
        } else {
          closed = true;
          j++;
          break;
        }
      } else {
        value += c;
        j++;
      }
    }
    if (!closed) {
      // Malformed literal: hand it over as it was and let the engine report it.
      out += text.slice(quote);
      break;
    }
    out += `'${value.replaceAll("'", "''")}'`;
    i = j;
  }
  return out;
}

/** The value to give chdb's queryBindAsync for one `param_<name>` of the HTTP request. */
export function toChdbParam(httpText: string, declaredType: string | undefined): string | null {
  if (httpText === '\\N') return null;
  return isCompositeType(declaredType) ? requoteComposite(httpText) : decodeEscaped(httpText);
}
