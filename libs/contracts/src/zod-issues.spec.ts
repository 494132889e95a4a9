import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { describeIssues, issueList, issuesText } from './zod-issues';

const schema = z.object({ match: z.object({ score: z.number().max(1) }), shopId: z.string() });

function failureOf(value: unknown): z.ZodError {
  const parsed = schema.safeParse(value);
  if (parsed.success) throw new Error('expected a failure');
  return parsed.error;
}

describe('zod issues in words', () => {
  it('names each failing field by its dotted path', () => {
    const error = failureOf({ match: { score: 2 }, shopId: 7 });
    expect(issueList(error).map((issue) => issue.path)).toEqual(['match.score', 'shopId']);
    expect(describeIssues(error)[0]).toMatch(/^match\.score: /);
  });

  it('names the value itself (root)', () => {
    expect(describeIssues(failureOf('not an object'))[0]).toMatch(/^\(root\): /);
  });

  it('cuts a long list and says how many were left out', () => {
    const error = failureOf({});
    expect(issuesText(error, 1)).toMatch(/^match: .*; and 1 more$/);
    expect(issuesText(error).split('; ')).toHaveLength(2);
  });
});
