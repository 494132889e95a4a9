import { describe, expect, it } from 'vitest';
import { urlSizedGroups } from './chat-event.repository';

describe('urlSizedGroups', () => {
  it('keeps every id, in order, in groups whose URL-encoded size stays within 8 KiB', () => {
    const ids = Array.from({ length: 2_000 }, (_, i) => `${'退'.repeat(40)}-${i}`);
    const groups = urlSizedGroups(ids);
    expect(groups.length).toBeGreaterThan(1);
    expect(groups.flat()).toEqual(ids);
    for (const group of groups) expect(group.reduce((sum, id) => sum + encodeURIComponent(id).length + 9, 0)).toBeLessThanOrEqual(8 * 1024);
    expect(urlSizedGroups(['a', 'b'])).toEqual([['a', 'b']]);
    expect(urlSizedGroups([])).toEqual([]);
  });
});
