import { timingSafeEqual } from 'node:crypto';

/** Constant-time comparison, so response timing reveals nothing about the token. */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
