import { z } from 'zod';

const login = z.string().min(1).max(64);
/** A client address as the api saw it (IPv4, IPv6, or a proxy's forwarded one). */
const address = z.string().max(100);

/**
 * One entry of `auth.sign-ins` (one partition: the sequencer): every api process applies the log in order
 * with the sign-in throttle's rule (apps/api/src/auth/sign-in-throttle.ts), so the failures counted for a
 * login and an address are the same on every process, and attempts spread over processes get no more
 * tries than against one. The log's timestamp of an entry is its time for every reader.
 */
export const signInLogEntrySchema = z.discriminatedUnion('kind', [
  /** An attempt about to be checked, reserved as a failure (a sign-in; or a password change: per login only). */
  z.strictObject({ v: z.literal(1), kind: z.literal('attempt'), entryId: z.string().min(1).max(64), scope: z.enum(['sign_in', 'password_change']), login, address }),
  /** The attempt reserved at `attemptAt` succeeded: the login's failures from the address are cleared, the address's reservation taken back. */
  z.strictObject({ v: z.literal(1), kind: z.literal('success'), entryId: z.string().min(1).max(64), scope: z.enum(['sign_in', 'password_change']), login, address, attemptAt: z.number().int().nonnegative() }),
  /** An admin lifted the login's locks from every address (unlock, password reset). */
  z.strictObject({ v: z.literal(1), kind: z.literal('unlock'), entryId: z.string().min(1).max(64), login }),
]);
export type SignInLogEntry = z.infer<typeof signInLogEntrySchema>;
