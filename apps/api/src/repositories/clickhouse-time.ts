import { z } from 'zod';

/** 'YYYY-MM-DDThh:mm:ss.sssZ': what `Date.prototype.toISOString` and every warroom producer write. */
const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** 'YYYY-MM-DD hh:mm:ss.sss' in UTC: the DateTime64(3, 'UTC') text format, for rows and query parameters. */
export function toClickHouseTime(iso: string): string {
  // Ingest calls this for every event: the canonical form needs no Date round trip (a tenth of its CPU).
  if (CANONICAL_UTC.test(iso)) return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
  return new Date(iso).toISOString().replace('T', ' ').replace('Z', '');
}

/** DateTime64(3, 'UTC') as ClickHouse writes it in JSON ('YYYY-MM-DD hh:mm:ss.sss'), read as a Date. */
export const clickHouseTimeSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/)
  .transform((text) => new Date(`${text.replace(' ', 'T')}Z`));
