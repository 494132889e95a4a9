import { createHash } from 'node:crypto';
import { deadLetterSchema } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { DEAD_LETTER_MAX_REASONS_BYTES } from '@warroom/contracts';
import { boundReasons, buildDeadLetter } from './dead-letter';

const position = { topic: 'chat.events', partition: 2, offset: '41' };

describe('buildDeadLetter', () => {
  it('keeps the original bytes, their size and hash, and every reason', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x7b]);
    const letter = buildDeadLetter(bytes, Buffer.from('session-1'), position, ['a: bad', 'b: worse'], new Date(0));
    expect(deadLetterSchema.parse(letter)).toEqual(letter);
    expect(Buffer.from(letter.original.base64, 'base64')).toEqual(bytes);
    expect(letter.original).toMatchObject({ sizeBytes: 4, truncated: false });
    expect(letter.original.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Buffer.from(letter.key ?? '', 'base64').toString()).toBe('session-1');
    expect(letter.reasons).toEqual(['a: bad', 'b: worse']);
  });

  it('truncates past 64 KB but keeps the full size and the hash of the whole', () => {
    const bytes = Buffer.alloc(200_000, 0x61);
    const letter = buildDeadLetter(bytes, null, position, ['(root): too big'], new Date(0));
    expect(letter.original.truncated).toBe(true);
    expect(letter.original.sizeBytes).toBe(200_000);
    expect(Buffer.from(letter.original.base64, 'base64')).toHaveLength(64 * 1024);
    expect(letter.original.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('handles a message without a value', () => {
    const letter = buildDeadLetter(null, null, position, ['(root): message has no value'], new Date(0));
    expect(letter.original).toMatchObject({ base64: '', sizeBytes: 0, truncated: false });
  });

  it('keeps the reasons within 2 KiB of UTF-8, saying how many were left out', () => {
    const many = Array.from({ length: 50 }, (_, i) => `field${i}: 退货 ${'理由'.repeat(40)}`);
    const letter = buildDeadLetter(null, null, position, many, new Date(0));
    expect(deadLetterSchema.parse(letter)).toEqual(letter);
    expect(Buffer.byteLength(letter.reasons.join(''))).toBeLessThanOrEqual(DEAD_LETTER_MAX_REASONS_BYTES);
    expect(letter.reasons[0]).toBe(many[0]);
    expect(letter.reasons.at(-1)).toMatch(/^… and \d+ more$/);
    const huge = boundReasons(['x'.repeat(10_000)]);
    expect(Buffer.byteLength(huge[0]!)).toBeLessThanOrEqual(DEAD_LETTER_MAX_REASONS_BYTES);
    expect(boundReasons(['a', 'b'])).toEqual(['a', 'b']);
  });
});
