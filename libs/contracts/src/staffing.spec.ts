import { describe, expect, it } from 'vitest';
import { parseRosterCsv, staffingQuerySchema, staffingReportRequestSchema } from './staffing';

const range = { from: '2026-11-11T00:00:00+08:00', to: '2026-11-11T03:00:00+08:00' };

function issuesOf(result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => `${issue.path.map(String).join('.')}: ${issue.message}`);
}

describe('staffing query', () => {
  it('applies the defaults: 1 h intervals, 80 % in 20 s, concurrency 3, shrinkage 0.3, all shops, live', () => {
    expect(staffingQuerySchema.parse(range)).toEqual({
      ...range,
      shop: 'all',
      source: 'live',
      interval: '1h',
      serviceLevel: 0.8,
      withinSec: 20,
      concurrency: 3,
      shrinkage: 0.3,
    });
  });

  it('reads numbers from query-string text, and refuses blank or non-numeric text', () => {
    const parsed = staffingQuerySchema.parse({ ...range, serviceLevel: '0.9', concurrency: '2', patienceSec: '45' });
    expect([parsed.serviceLevel, parsed.concurrency, parsed.patienceSec]).toEqual([0.9, 2, 45]);
    expect(issuesOf(staffingQuerySchema.safeParse({ ...range, shrinkage: '' }))).toEqual(['shrinkage: expected a number']);
    expect(issuesOf(staffingQuerySchema.safeParse({ ...range, concurrency: '2.5' }))).toHaveLength(1);
    // A percentage where a fraction belongs.
    expect(issuesOf(staffingQuerySchema.safeParse({ ...range, serviceLevel: '80' }))[0]).toMatch(/^serviceLevel:/);
  });

  it('names every failing path: misaligned, reversed and half-given ranges, unknown parameters', () => {
    const result = staffingQuerySchema.safeParse({
      from: '2026-11-11T00:10:00Z',
      to: '2026-11-10T00:00:00Z',
      interval: '15m',
      compareFrom: '2025-11-11T00:00:00Z',
      bogus: 1,
    });
    const paths = issuesOf(result).map((issue) => issue.split(':')[0]);
    expect(paths).toEqual(expect.arrayContaining(['from', 'to', 'compareTo', '']));
    expect(issuesOf(staffingQuerySchema.safeParse({ ...range, from: 'yesterday' }))).toEqual(['from: Invalid ISO datetime']);
  });

  it('caps the range at 744 intervals: 31 days of hours, 7¾ days of quarter-hours', () => {
    expect(staffingQuerySchema.safeParse({ from: '2026-10-01T00:00:00Z', to: '2026-11-01T00:00:00Z' }).success).toBe(true);
    expect(issuesOf(staffingQuerySchema.safeParse({ from: '2026-10-01T00:00:00Z', to: '2026-11-01T01:00:00Z' }))).toEqual([
      'to: the range may hold at most 744 intervals',
    ]);
    expect(issuesOf(staffingQuerySchema.safeParse({ from: '2026-10-01T00:00:00Z', to: '2026-10-09T00:00:00Z', interval: '15m' }))).toEqual([
      'to: the range may hold at most 744 intervals',
    ]);
  });
});

describe('roster', () => {
  it('parses CSV with an optional header, blank lines and CRLF, keeping line numbers', () => {
    const text = '\uFEFFinterval_start,agents\r\n2026-11-11T00:00:00+08:00,12\r\n\r\n 2026-11-11T01:00:00+08:00 , 15 \r\n';
    expect(parseRosterCsv(text)).toEqual({
      entries: [
        { line: 2, intervalStart: '2026-11-11T00:00:00+08:00', agents: 12 },
        { line: 4, intervalStart: '2026-11-11T01:00:00+08:00', agents: 15 },
      ],
      problems: [],
    });
  });

  it('reports every bad line by number', () => {
    const text = ['interval_start,agents', '2026-11-11T00:00:00+08:00', 'tomorrow,3', '2026-11-11T01:00:00+08:00,-1', '2026-11-11T02:00:00+08:00,2.5'].join('\n');
    expect(parseRosterCsv(text).problems.map((problem) => problem.line)).toEqual([2, 3, 4, 5]);
    expect(parseRosterCsv(text).problems[1]?.message).toMatch(/^line 3: interval_start "tomorrow"/);
  });

  it('a POST body: line-numbered 400 paths for bad lines, lines outside the range and repeated intervals', () => {
    const rosterCsv = [
      '2026-11-11T00:00:00+08:00,5',
      '2026-11-11T00:30:00+08:00,5',
      '2026-11-11T05:00:00+08:00,5',
      '2026-11-11T00:00:00+08:00,6',
      'x',
    ].join('\n');
    expect(issuesOf(staffingReportRequestSchema.safeParse({ ...range, rosterCsv }))).toEqual([
      'rosterCsv.5: line 5: expected 2 fields "interval_start,agents", got 1',
      'rosterCsv.2: line 2: interval_start 2026-11-11T00:30:00+08:00 is not the start of a 1h interval in [from, to)',
      'rosterCsv.3: line 3: interval_start 2026-11-11T05:00:00+08:00 is not the start of a 1h interval in [from, to)',
      'rosterCsv.4: line 4: interval 2026-11-11T00:00:00+08:00 repeats line 1',
    ]);
  });

  it('takes entries or CSV, not both', () => {
    const roster = [{ intervalStart: '2026-11-11T01:00:00+08:00', agents: 7 }];
    expect(issuesOf(staffingReportRequestSchema.safeParse({ ...range, roster, rosterCsv: '' }))).toEqual([
      'rosterCsv: send roster or rosterCsv, not both',
    ]);
    expect(issuesOf(staffingReportRequestSchema.safeParse({ ...range, roster: [{ intervalStart: range.from, agents: -2 }] }))[0]).toMatch(
      /^roster\.0\.agents:/,
    );
  });
});
