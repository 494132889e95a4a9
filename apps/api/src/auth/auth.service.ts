import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BadRequestException, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { loginSchema, type ChangePasswordRequest, type LoginRequest, type SessionResponse } from '@warroom/contracts';
import type { UserRecord } from '../repositories/users.repository';
import { ANONYMOUS_ACTOR, AuditService } from './audit.service';
import type { ActorContext } from './decorators';
import { BCRYPT_MAX_BYTES, hashPassword, hashToWasteTimeOn, passwordTooLong, verifyPassword } from './passwords';
import { passwordFingerprint } from './session-authenticator';
import { SessionTokens } from './session-token';
import { UserDirectory, publicUser, userIdFor } from './user-directory';

/** A failed sign-in waits this long (plus up to FAILED_SIGN_IN_JITTER_MS) before it is answered. */
export const FAILED_SIGN_IN_DELAY_MS = 400;
const FAILED_SIGN_IN_JITTER_MS = 200;
/** One message for every failed sign-in: which part was wrong is not told (no user enumeration). */
export const SIGN_IN_FAILED = 'Wrong login or password';

/** Signing in and changing one's own password. */
@Injectable()
export class AuthService {
  constructor(
    private readonly directory: UserDirectory,
    private readonly tokens: SessionTokens,
    private readonly audit: AuditService,
  ) {}

  /**
   * Every failure (unknown login, disabled user, wrong password) costs one bcrypt comparison and the same
   * delay, and gets the same 401, so neither the answer nor its timing tells whether the login exists.
   */
  async login(request: LoginRequest, from: string): Promise<SessionResponse> {
    const login = request.login.trim().toLowerCase();
    const record = loginSchema.safeParse(login).success ? await this.directory.get(userIdFor(login), { fresh: true }) : null;
    const usable = record !== null && !record.disabled && record.login === login && !passwordTooLong(request.password) ? record : null;
    const matches = await verifyPassword(request.password, usable?.passwordHash ?? (await hashToWasteTimeOn()));
    if (usable === null || !matches) {
      // Recorded during the delay, so that a known login's answer takes no longer than an unknown one's.
      const recorded =
        record === null
          ? Promise.resolve()
          : this.audit.record(ANONYMOUS_ACTOR, 'auth.login_failed', record.userId, {
              login: record.login,
              reason: record.disabled ? 'disabled' : 'wrong password',
              from,
            });
      await Promise.all([recorded, sleep(FAILED_SIGN_IN_DELAY_MS + randomInt(FAILED_SIGN_IN_JITTER_MS))]);
      throw new UnauthorizedException(SIGN_IN_FAILED);
    }
    await this.audit.record({ userId: usable.userId, login: usable.login }, 'auth.login', usable.userId, { from });
    return this.session(usable);
  }

  /** Replaces the caller's password (the one-time one too) and opens a new session; older sessions end. */
  async changePassword({ actor }: ActorContext, request: ChangePasswordRequest): Promise<SessionResponse> {
    if (passwordTooLong(request.newPassword)) {
      throw new BadRequestException(`newPassword: a password is at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`);
    }
    const record = await this.directory.get(actor.userId, { fresh: true });
    if (record === null || record.disabled) throw new UnauthorizedException('This account is disabled or no longer exists');
    if (!(await verifyPassword(request.currentPassword, record.passwordHash))) {
      await sleep(FAILED_SIGN_IN_DELAY_MS + randomInt(FAILED_SIGN_IN_JITTER_MS));
      throw new ForbiddenException('The current password is wrong');
    }
    if (request.newPassword === request.currentPassword) {
      throw new BadRequestException('newPassword: choose a password other than the current one');
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
