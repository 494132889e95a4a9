/** SQL text the store writes itself: setting assignments and the USE of a database. */

/** Names accepted as per-request settings (ClickHouse setting names are lower snake case). */
export const SETTING_NAME = /^[a-z_][a-z0-9_]*$/;

/** A ClickHouse string literal: backslash escapes for the backslash, the quote and control bytes. */
export function quoteString(value: string): string {
  return `'${value.replace(/[\\'\0\n\r\t]/g, (c) => {
    switch (c) {
      case '\0':
        return '\\0';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      default:
        return `\\${c}`;
    }
  })}'`;
}

/** A backquoted identifier. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (c) => `\\${c}`)}\``;
}
