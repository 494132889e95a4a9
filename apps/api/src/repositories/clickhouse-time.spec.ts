import { describe, expect, it } from 'vitest';
import { toClickHouseTime } from './clickhouse-time';

describe('toClickHouseTime', () => {
  it('writes UTC with milliseconds, whatever form the ISO time came in', () => {
    expect(toClickHouseTime('2026-11-11T00:00:01.234Z')).toBe('2026-11-11 00:00:01.234');
    expect(toClickHouseTime('2026-11-11T08:00:01.234+08:00')).toBe('2026-11-11 00:00:01.234');
    expect(toClickHouseTime('2026-11-10T23:59:59Z')).toBe('2026-11-10 23:59:59.000');
    expect(toClickHouseTime('2026-11-10T23:59:59.5Z')).toBe('2026-11-10 23:59:59.500');
    expect(toClickHouseTime('2026-11-10T23:59:59.123456Z')).toBe('2026-11-10 23:59:59.123');
  });

  it('gives the same as the Date round trip for canonical times', () => {
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2027, 0, 1); ms += 7_919_777) {
      const iso = new Date(ms).toISOString();
      expect(toClickHouseTime(iso)).toBe(iso.replace('T', ' ').replace('Z', ''));
    }
  });
});
