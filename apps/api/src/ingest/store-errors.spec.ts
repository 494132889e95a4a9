import { ClickHouseError } from '@warroom/clickhouse';
import { describe, expect, it } from 'vitest';
import { classifyStoreError, maskStoreMessage, STORE_MESSAGE_MAX_BYTES, truncateUtf8 } from './store-errors';

// Messages as the dev store (ClickHouse 26.7) answered them to refused rows.
const ESCAPE =
  'Cannot parse escape sequence: missing second part of surrogate pair. In JSON input formats you can disable setting ' +
  'input_format_json_throw_on_bad_escape_sequence to save bad escape sequences as is: (while reading the value of key text). ';
const ASSERTION =
  `Cannot parse input: expected ']' before: ', "extra secret"]': (at row 1)\n: \nRow 1:\n` +
  `Column 0,   name: event_id,        type: String,               parsed text: "<DOUBLE QUOTE>secret id<DOUBLE QUOTE>"\n` +
  `ERROR: There is no closing parenthesis (']') at the end of the row. "," found instead.\n`;

describe('classifyStoreError', () => {
  it('calls the store refusing rows a data error, with its code and name', () => {
    expect(classifyStoreError(new ClickHouseError({ message: ESCAPE, code: '25', type: 'CANNOT_PARSE_ESCAPE_SEQUENCE' }))).toEqual({
      kind: 'data',
      code: '25',
      name: 'CANNOT_PARSE_ESCAPE_SEQUENCE',
      message: ESCAPE,
    });
    for (const [code, type] of [
      ['6', 'CANNOT_PARSE_TEXT'],
      ['53', 'TYPE_MISMATCH'],
      ['117', 'INCORRECT_DATA'],
      ['72', 'CANNOT_PARSE_NUMBER'],
      ['131', 'TOO_LARGE_STRING_SIZE'],
    ] as const) {
      expect(classifyStoreError(new ClickHouseError({ message: 'x', code, type }))).toMatchObject({ kind: 'data', code, name: type });
    }
  });

  it('calls everything else an availability error: overload, limits, timeouts, sockets, HTTP, unknown codes', () => {
    for (const error of [
      new ClickHouseError({ message: 'Too many parts (3001)', code: '252', type: 'TOO_MANY_PARTS' }),
      new ClickHouseError({ message: 'Memory limit exceeded', code: '241', type: 'MEMORY_LIMIT_EXCEEDED' }),
      new ClickHouseError({ message: 'Timeout exceeded', code: '159', type: 'TIMEOUT_EXCEEDED' }),
      new ClickHouseError({ message: 'something new', code: '99999', type: 'SOMETHING_NEW' }),
      new Error('Timeout error.'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      new Error('Unexpected status code 503: Service Unavailable'),
      'a thrown string',
      undefined,
    ]) {
      expect(classifyStoreError(error).kind).toBe('availability');
    }
  });
});

describe('maskStoreMessage', () => {
  it('masks the row content the store quotes, and keeps what says where and why', () => {
    const masked = maskStoreMessage(ASSERTION);
    expect(masked).not.toContain('secret');
    expect(masked).toContain("Cannot parse input: expected <masked> before: <masked>: (at row 1)");
    expect(masked).toContain('name: event_id');
    expect(masked).toContain('parsed text: <masked>');
  });

  it('masks a quoted excerpt that holds quotes itself', () => {
    const masked = maskStoreMessage(`Cannot parse input: expected '"' before: 'secret-partition","1"]': (while reading the value of key kafka_partition). `);
    expect(masked).toBe('Cannot parse input: expected <masked> before: <masked>: (while reading the value of key kafka_partition). ');
  });

  it('bounds the message to 1 KiB of UTF-8 without splitting a character', () => {
    const masked = maskStoreMessage(`Cannot parse: ${'退货'.repeat(2_000)}`);
    expect(Buffer.byteLength(masked)).toBeLessThanOrEqual(STORE_MESSAGE_MAX_BYTES);
    expect(masked.endsWith('…')).toBe(true);
    expect(masked).not.toContain('\uFFFD');
    expect(truncateUtf8('short', 10)).toBe('short');
  });
});
