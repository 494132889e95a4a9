import { staffingReportRequestSchema, type StaffingReportRequest } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { rosterOf } from './roster';

const range = { from: '2026-11-11T00:00:00+08:00', to: '2026-11-11T03:00:00+08:00' };

describe('rosterOf', () => {
  it('reads the roster from entries or from CSV', () => {
    const roster = [{ intervalStart: '2026-11-11T01:00:00+08:00', agents: 7 }];
    const withEntries: StaffingReportRequest = staffingReportRequestSchema.parse({ ...range, roster });
    expect(rosterOf(withEntries)).toEqual(roster);
    const withCsv = staffingReportRequestSchema.parse({ ...range, rosterCsv: '2026-11-11T01:00:00+08:00,7' });
    expect(rosterOf(withCsv)).toEqual(roster);
    expect(rosterOf(staffingReportRequestSchema.parse(range))).toEqual([]);
  });
});
