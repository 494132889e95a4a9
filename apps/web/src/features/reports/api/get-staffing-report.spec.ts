import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ApiError, ContractError } from '../../../lib/api-client';
import { reportProblemOf } from './get-staffing-report';

describe('reportProblemOf', () => {
  it("shows a 400's failing fields, or its message as one when it names none", () => {
    expect(reportProblemOf(new ApiError(400, 'Invalid request', [{ path: 'to', message: 'Required' }], null))).toEqual({
      kind: 'bad-request',
      issues: [{ path: 'to', message: 'Required' }],
    });
    expect(reportProblemOf(new ApiError(400, 'the range is longer than 31 days', [], null))).toEqual({
      kind: 'bad-request',
      issues: [{ path: '', message: 'the range is longer than 31 days' }],
    });
  });

  it('tells a reply outside the contract from any other failure', () => {
    const parsed = z.object({ asOf: z.string() }).safeParse({});
    if (parsed.success) throw new Error('expected a failure');
    expect(reportProblemOf(new ContractError('/api/reports/staffing', [], parsed.error)).kind).toBe('bad-response');
    expect(reportProblemOf(new ApiError(503, 'the store is away', [], null))).toEqual({ kind: 'failed', detail: 'the store is away' });
    expect(reportProblemOf(new TypeError('Failed to fetch'))).toEqual({ kind: 'failed', detail: 'Failed to fetch' });
  });
});
