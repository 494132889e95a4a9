import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { hash, verify } from '@node-rs/bcrypt';
import { concurrencyLimit } from '../common/concurrency-limit';

/**
 * bcrypt through @node-rs/bcrypt (Rust, prebuilt N-API binaries on npm) at cost 10, the floor OWASP still
 * accepts for bcrypt. Hashing runs on libuv's thread pool, not on the event loop: with bcryptjs (pure
 * JavaScript) every sign-in held the main thread, in slices, while the walls' viewers waited for their
 * frames (bench:login measures it). The hash format is standard ($2b$), so hashes written by bcryptjs keep
 * verifying.
 */
export const BCRYPT_COST = 10;

/** bcrypt reads at most 72 bytes of a password; longer ones would be cut silently, so they are refused. */
export const BCRYPT_MAX_BYTES = 72;

export function passwordTooLong(password: string): boolean {
  return Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_BYTES;
}

/**
 * Hashes at once at most: one core fewer than the machine has (at least one). libuv's pool has 4 threads,
 * and 20 sign-ins at once would otherwise take every core from the event loop that sends the walls their
 * frames; past this they wait their turn, which only the signing-in users notice.
 */
const withHashSlot = concurrencyLimit(Math.max(1, availableParallelism() - 1));

export function hashPassword(password: string): Promise<string> {
  if (passwordTooLong(password)) throw new Error(`A password is at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`);
  return withHashSlot(() => hash(password, { cost: BCRYPT_COST, rejectLongPasswords: true }));
}

export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return withHashSlot(() => verify(password, passwordHash));
}

/**
 * A hash no password matches in practice, compared against when the login is unknown or disabled, so
 * that such a sign-in costs the same time as a wrong password and timing does not tell them apart.
 */
let dummyHash: Promise<string> | null = null;
export function hashToWasteTimeOn(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummyHash;
}
