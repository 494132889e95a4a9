import type { KbTargetVersion } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { describeConflict, whatChanged } from './conflict';

const reply = (text: string) => ({ type: 'text' as const, text });
const version = (revision: number, patch: Partial<KbTargetVersion> = {}): KbTargetVersion => ({
  target: 'shop:s/a',
  revision,
  content: { stage: 'pre_sale', reply: reply('一年'), examples: ['保修几年'] },
  author: null,
  appliedAt: null,
  patchId: null,
  op: 'pack',
  ...patch,
});

describe('describeConflict', () => {
  it('names who published the newer version, how long ago, and what it changed', () => {
    const newer = version(4, {
      author: { userId: 'u2', login: 'lisi' },
      appliedAt: '2026-11-11T00:00:00.000Z',
      content: { stage: 'pre_sale', reply: reply('两年'), examples: ['保修几年', '质保多久', '包修吗'] },
      op: 'edit_answer',
    });
    const message = describeConflict([version(3), newer], 3, Date.parse('2026-11-11T00:03:00.000Z'));
    expect(message).toBe('you edited revision 3, but revision 4 was published by lisi 3 min ago: new reply text, 2 example questions added. Your text is kept: review the new version and publish again.');
  });

  it('says when a new answer id is taken, and when an answer was retired', () => {
    expect(describeConflict([version(1)], 0, 0)).toBe('this answer already exists (revision 1 from the pack file)');
    expect(whatChanged(version(1), version(2, { content: null }))).toEqual(['the answer was retired']);
  });
});
