import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ActorContext } from './decorators';
import { SessionTokens, type SessionClaims } from './session-token';
import { UserDirectory, publicUser } from './user-directory';
import type { UserRecord } from '../repositories/users.repository';

export type Authentication =
  | { ok: true; auth: ActorContext; mustChangePassword: boolean }
  /** Every failure is a 401: the caller must sign in (again). */
  | { ok: false; message: string };

/**
 * A short fingerprint of the password hash, carried in the token: changing the password changes it, so
 * every session opened with the old password ends (including the one-time password's).
 */
export function passwordFingerprint(passwordHash: string): string {
  return createHash('sha256').update(passwordHash, 'utf8').digest('base64url').slice(0, 12);
}

function stillMatches(claims: SessionClaims, user: UserRecord | null): boolean {
  return (
    user !== null &&
    !user.disabled &&
    user.login === claims.login &&
    user.role === claims.role &&
    user.grade === claims.grade &&
    passwordFingerprint(user.passwordHash) === claims.pwd
  );
}

/**
 * Turns a session token into the signed-in user, for the HTTP guard and the WebSocket gateway alike: the
 * signature and expiry first (no I/O), then the user store (cached a few seconds), so that a user
 * disabled, given another role or grade, or whose password changed since the token was issued is refused.
 */
@Injectable()
export class SessionAuthenticator {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly directory: UserDirectory,
  ) {}

  async authenticate(token: string): Promise<Authentication> {
    const check = this.tokens.verify(token);
    if (!check.ok) {
      return { ok: false, message: check.reason === 'expired' ? 'The session has expired: sign in again' : 'The session token is not valid: sign in again' };
    }
    const { claims } = check;
    let user = await this.directory.get(claims.sub);
    // The cache may be older than the token (a password changed, a role granted, in another process):
    // before refusing, ask the store itself.
    if (!stillMatches(claims, user)) user = await this.directory.get(claims.sub, { fresh: true });
    if (user === null || !stillMatches(claims, user)) {
      return {
        ok: false,
        message:
          user === null || user.disabled
            ? 'This account is disabled or no longer exists'
            : 'The account changed since this session began (role, grade or password): sign in again',
      };
    }
    return {
      ok: true,
      auth: { actor: { userId: user.userId, login: user.login }, user: publicUser(user) },
      mustChangePassword: claims.mcp,
    };
  }
}
