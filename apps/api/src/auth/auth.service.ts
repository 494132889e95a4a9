import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { loginSchema, type ChangePasswordRequest, type LoginRequest, type SessionResponse } from '@warroom/contracts';
import { Forbidden, InvalidInput, TooManyRequests, Unauthorized } from '@warroom/nest-common';
import type { UserRecord } from '../repositories/users.repository';
import { ANONYMOUS_ACTOR, AuditService } from './audit.service';
import type { ActorContext } from './decorators';
import { BCRYPT_MAX_BYTES, hashPassword, hashToWasteTimeOn, passwordTooLong, verifyPassword } from './passwords';
import { passwordFingerprint } from './session-authenticator';
import { SessionTokens } from './session-token';
import { SIGN_IN_LIMITS, failedSignInDelayMs } from './sign-in-throttle';
import { SignInThrottleService } from './sign-in-throttle.service';
import { UserDirectory, publicUser, userIdFor } from './user-directory';

/** A failed sign-in waits at least this long (growing with its login's failures, plus jitter) before it is answered. */
export const FAILED_SIGN_IN_DELAY_MS = 400;
const FAILED_SIGN_IN_JITTER_MS = 200;
/** One message for every failed sign-in: which part was wrong is not told (no user enumeration). */
export const SIGN_IN_FAILED = 'Wrong login or password';

/** 429 for a login or address that failed too often: no password is checked until it has waited. */
function tooManySignIns(waitMs: number): TooManyRequests {
  const retryAfterSeconds = Math.ceil(waitMs / 1000);
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new TooManyRequests(
    `Too many failed sign-ins: try again in ${minutes} minute${minutes === 1 ? '' : 's'}, or ask an admin to reset the password`,
    retryAfterSeconds,
  );
}

/** Signing in and changing one's own password. */
@Injectable()
export class AuthService {
  constructor(
    private readonly throttle: SignInThrottleService,
    private readonly directory: UserDirectory,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditService,
  ) {}

  /**
   * Every failure (unknown login, disabled user, wrong password) costs one bcrypt comparison and the same
   * delay, and gets the same 401, so neither the answer nor its timing tells whether the login exists.
   * Too many failures for a login from an address, or from an address at all, answer 429 at once, known
   * login or not. The attempt is counted before its password is checked (and taken back if it succeeds),
   * decided on the `auth.sign-ins` log that every api process applies in the same order: parallel guesses,
   * on one process or spread over several, cannot all slip through.
   */
  async login(request: LoginRequest, from: string): Promise<SessionResponse> {
    const login = request.login.trim().toLowerCase();
    const attempt = await this.throttle.reserve('sign_in', login, from);
    if (!attempt.allowed) throw tooManySignIns(attempt.waitMs);
    const { locksLogin } = attempt;
    const record = loginSchema.safeParse(login).success ? await this.directory.get(userIdFor(login), { fresh: true }) : null;
    const usable = record !== null && !record.disabled && record.login === login && !passwordTooLong(request.password) ? record : null;
    const matches = await verifyPassword(request.password, usable?.passwordHash ?? (await hashToWasteTimeOn()));
    if (usable === null || !matches) {
      // Recorded during the delay, so that a known login's answer takes no longer than an unknown one's.
      const recorded = record === null ? Promise.resolve() : this.recordFailure(record, from, locksLogin);
      await Promise.all([recorded, sleep(this.failureDelayMs(login, from))]);
      throw new Unauthorized(SIGN_IN_FAILED);
    }
    await this.throttle.succeeded('sign_in', login, from, attempt.at);
    await this.audit.record({ userId: usable.userId, login: usable.login }, 'auth.login', usable.userId, { from });
    return this.session(usable);
  }

  /** Replaces the caller's password (the one-time one too) and opens a new session; older sessions end. */
  async changePassword({ actor }: ActorContext, request: ChangePasswordRequest, from: string): Promise<SessionResponse> {
    if (passwordTooLong(request.newPassword)) {
      throw new InvalidInput(`newPassword: a password is at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`);
    }
    const record = await this.directory.get(actor.userId, { fresh: true });
    if (record === null || record.disabled) throw new Unauthorized('This account is disabled or no longer exists');
    // A wrong current password is a guess at the same secret as a failed sign-in (with a session found
    // on an unlocked screen, say): it counts against the same per-login limit, and a locked login may not
    // try here either.
    const attempt = await this.throttle.reserve('password_change', record.login, from);
    if (!attempt.allowed) throw tooManySignIns(attempt.waitMs);
    if (!(await verifyPassword(request.currentPassword, record.passwordHash))) {
      const recorded = attempt.locksLogin ? this.recordLock(record, `${from} (password change)`) : Promise.resolve();
      await Promise.all([recorded, sleep(this.failureDelayMs(record.login, from))]);
      throw new Forbidden('The current password is wrong');
    }
    await this.throttle.succeeded('password_change', record.login, from, attempt.at);
    if (request.newPassword === request.currentPassword) {
      throw new InvalidInput('newPassword: choose a password other than the current one');
    }
    const saved = await this.directory.save({
      ...record,
      passwordHash: await hashPassword(request.newPassword),
      mustChangePassword: false,
      updatedBy: actor.userId,
    });
    await this.audit.record(actor, 'auth.password_change', record.userId, { wasOneTime: record.mustChangePassword });
    return this.session(saved);
  }

  /** Lifts a user's sign-in locks from every address on every api process (an admin's unlock or password reset); how many were lifted. */
  unlock(login: string): Promise<number> {
    return this.throttle.unlock(login);
  }

  private failureDelayMs(login: string, from: string): number {
    return failedSignInDelayMs(this.throttle.failures(login, from), FAILED_SIGN_IN_DELAY_MS) + randomInt(FAILED_SIGN_IN_JITTER_MS);
  }

  private async recordFailure(record: UserRecord, from: string, locksLogin: boolean): Promise<void> {
    const reason = record.disabled ? 'disabled' : 'wrong password';
    await this.audit.record(ANONYMOUS_ACTOR, 'auth.login_failed', record.userId, { login: record.login, reason, from });
    if (locksLogin) await this.recordLock(record, from);
  }

  /** `from`: the address of a sign-in, marked `(password change)` when the lock came from wrong current passwords. */
  private async recordLock(record: UserRecord, from: string): Promise<void> {
    const { maxFailures, windowMs } = SIGN_IN_LIMITS.perLoginAndAddress;
    await this.audit.record(ANONYMOUS_ACTOR, 'auth.login_locked', record.userId, {
      login: record.login,
      from,
      failures: maxFailures,
      windowMinutes: windowMs / 60_000,
    });
  }

  private session(record: UserRecord): SessionResponse {
    const issued = this.tokens.issue(record, {
      mustChangePassword: record.mustChangePassword,
      passwordFingerprint: passwordFingerprint(record.passwordHash),
    });
    return {
      token: issued.token,
      expiresAt: issued.expiresAt.toISOString(),
      user: publicUser(record),
      mustChangePassword: record.mustChangePassword,
    };
  }
}
