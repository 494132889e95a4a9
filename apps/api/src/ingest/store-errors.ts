/**
 * Why the store refused an INSERT, in the two kinds ingest acts on differently:
 * - `data`: the store refuses these rows (they cannot be parsed or converted). Retrying the same rows fails
 *   forever, so the round is split until the refused rows are found and dead-lettered.
 * - `availability`: the store cannot take any rows now (down, slow, overloaded). The same round is retried,
 *   identically, after a back-off. Everything not known to be a data error is this kind: treating an outage
 *   as bad data would dead-letter good events, while the opposite only waits.
 */
export type StoreFailure =
  | { kind: 'data'; code: string; name: string; message: string }
  | { kind: 'availability'; message: string };

/**
 * ClickHouse error codes that mean "these rows cannot be stored", by number (the client's `error.code`;
 * names as `errorCodeToName` gives them on ClickHouse 26.7).
 */
const DATA_ERROR_CODES: ReadonlyMap<string, string> = new Map([
  ['6', 'CANNOT_PARSE_TEXT'],
  ['25', 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
  ['26', 'CANNOT_PARSE_QUOTED_STRING'],
  ['27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
  ['38', 'CANNOT_PARSE_DATE'],
  ['41', 'CANNOT_PARSE_DATETIME'],
  ['53', 'TYPE_MISMATCH'],
  ['69', 'ARGUMENT_OUT_OF_BOUND'],
  ['70', 'CANNOT_CONVERT_TYPE'],
  ['72', 'CANNOT_PARSE_NUMBER'],
  ['117', 'INCORRECT_DATA'],
  ['128', 'TOO_LARGE_ARRAY_SIZE'],
  ['130', 'CANNOT_READ_ARRAY_FROM_TEXT'],
  ['131', 'TOO_LARGE_STRING_SIZE'],
  ['321', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
  ['349', 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
  ['376', 'CANNOT_PARSE_UUID'],
  // A materialized view's throwIf refusing a row's values.
  ['395', 'FUNCTION_THROW_IF_VALUE_IS_NON_ZERO'],
  ['467', 'CANNOT_PARSE_BOOL'],
]);

/** The store's message travels in dead letters and health: at most this many UTF-8 bytes of it. */
export const STORE_MESSAGE_MAX_BYTES = 1024;

/** Classifies an error thrown by an INSERT (a ClickHouseError carries `code` and `type`; anything else is not data). */
export function classifyStoreError(error: unknown): StoreFailure {
  const message = maskStoreMessage(error instanceof Error ? error.message : String(error));
  const code = errorField(error, 'code');
  const name = code === undefined ? undefined : DATA_ERROR_CODES.get(code);
  if (code === undefined || name === undefined) return { kind: 'availability', message };
  return { kind: 'data', code, name: errorField(error, 'type') ?? name, message };
}

/**
 * The store quotes the refused rows in its messages (`before: '…'`, `parsed text: "…"`): everything quoted
 * is masked, since customers' text must not spread to the dead-letter topic and the logs, and the whole is
 * cut to STORE_MESSAGE_MAX_BYTES.
 */
export function maskStoreMessage(message: string): string {
  const masked = message
    // A quoted excerpt of the input runs to the end of its line and may itself hold quotes.
    .replace(/(parsed text: ).*$/gm, '$1<masked>')
    .replace(/(before: )'.*?'(?=: |\s*$)/gm, '$1<masked>')
    .replace(/'[^'\n]*'|"[^"\n]*"|`[^`\n]*`/g, '<masked>');
  return truncateUtf8(masked, STORE_MESSAGE_MAX_BYTES);
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary, marked with '…' when cut. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  const ellipsis = '…';
  let end = maxBytes - Buffer.byteLength(ellipsis);
  // Back off continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8') + ellipsis;
}

function errorField(error: unknown, field: 'code' | 'type'): string | undefined {
  if (typeof error !== 'object' || error === null || !(field in error)) return undefined;
  const value: unknown = (error as Record<typeof field, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
