/** 'YYYY-MM-DD hh:mm:ss.sss' in UTC: the DateTime64(3, 'UTC') text format, for rows and query parameters. */
export function toClickHouseTime(iso: string): string {
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}
