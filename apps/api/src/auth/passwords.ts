import { randomBytes } from 'node:crypto';
import { compare, hash, truncates } from 'bcryptjs';

/**
 * bcrypt (bcryptjs: pure JavaScript, no native build) at cost 10, the floor OWASP still accepts for bcrypt.
 * Measured on the shared 2-core dev machine (load average 9–17, so several times oversubscribed): one
 * compare takes 140–300 ms synchronously, 190–370 ms through the async API (which yields to the event loop
 * between rounds, so live pushes keep flowing); cost 11 doubles it (650 ms) for every sign-in.
 */
export const BCRYPT_COST = 10;

/** bcrypt reads at most 72 bytes of a password; longer ones would be cut silently, so they are refused. */
export const BCRYPT_MAX_BYTES = 72;

export function passwordTooLong(password: string): boolean {
  return truncates(password);
}

export function hashPassword(password: string): Promise<string> {
  if (passwordTooLong(password)) throw new Error(`A password is at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`);
  return hash(password, BCRYPT_COST);
}

export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return compare(password, passwordHash);
}

/**
 * A hash no password matches in practice, compared against when the login is unknown or disabled, so
 * that such a sign-in costs the same time as a wrong password and timing does not tell them apart.
 */
let dummyHash: Promise<string> | null = null;
export function hashToWasteTimeOn(): Promise<string> {
  dummyHash ??= hash(randomBytes(24).toString('base64url'), BCRYPT_COST);
  return dummyHash;
}
