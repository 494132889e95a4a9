/**
 * Text normalisation shared by indexing, matching and gap clustering. Everything that compares questions
 * goes through `normalizeQuestion`, so "ＩＰｈｏｎｅ１２！" and "iphone12" are the same question.
 */

/**
 * Masked personal data (`[订单x]`, `[金额x]`, `[地址x]`, ...) becomes one private-use character per kind,
 * so a placeholder behaves like a single "word" in character n-grams instead of spreading four characters
 * ("订", "单", "x", ...) that would collide with real words such as 订单. Kinds not in this table share
 * one generic character; the table is about the masking scheme, not about any intent.
 */
const PLACEHOLDER_CHARS: Readonly<Record<string, string>> = {
  订单: '\uE001',
  订单号: '\uE001',
  订单编号: '\uE001',
  金额: '\uE002',
  地址: '\uE003',
  数字: '\uE004',
  姓名: '\uE005',
  日期: '\uE006',
  时间: '\uE007',
  站点: '\uE008',
  链接: '\uE009',
  电话: '\uE00A',
  手机: '\uE00A',
  手机号: '\uE00A',
  邮箱: '\uE00B',
};
const GENERIC_PLACEHOLDER = '\uE000';

/** First code point of the private-use range used for placeholders (see `isPlaceholderChar`). */
const PLACEHOLDER_FIRST = 0xe000;
const PLACEHOLDER_LAST = 0xe0ff;

// `[订单x]`, also with full-width brackets or a colon-prefixed label such as `[订单编号:[订单x]`. Brackets
// are matched before NFKC, so both ASCII and full-width forms are listed.
const PLACEHOLDER_RE = /[[［【]([^[\]［］【】\s]{1,12}?)[xXｘＸ][\]］】]/gu;
const LABEL_PREFIX_RE = /[[［【][^[\]［］【】\s:：]{1,12}[:：](?=[\uE000-\uE0FF])/gu;
// Punctuation, symbols (emoji included), separators and control characters are dropped.
const DROP_RE = /[\p{P}\p{S}\p{Z}\p{C}]+/gu;

export function isPlaceholderChar(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  return cp >= PLACEHOLDER_FIRST && cp <= PLACEHOLDER_LAST;
}

/**
 * Canonical form of a customer question: placeholders to single characters, NFKC (full-width letters,
 * digits and punctuation become half-width), lower case, and punctuation/whitespace/emoji removed.
 * Idempotent: normalising a normalised string returns it unchanged.
 */
export function normalizeQuestion(text: string): string {
  const withPlaceholders = text
    .replace(PLACEHOLDER_RE, (_m, kind: string) => PLACEHOLDER_CHARS[kind] ?? GENERIC_PLACEHOLDER)
    .replace(LABEL_PREFIX_RE, '');
  // Private-use characters are category Co (part of \p{C}); protect them from DROP_RE.
  return withPlaceholders
    .normalize('NFKC')
    .toLowerCase()
    .replace(DROP_RE, (run) => Array.from(run).filter(isPlaceholderChar).join(''));
}
