import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ActorContext } from './decorators';
import type { CreateUserRequest, PasswordResetResponse, UnlockUserResponse, UpdateUserRequest, User } from '@warroom/contracts';
import { Conflict, InvalidInput, NotFound } from '@warroom/nest-common';
import type { UserRecord } from '../repositories/users.repository';
import { AuditService } from './audit.service';
import { AuthService } from './auth.service';
import { BCRYPT_MAX_BYTES, hashPassword, passwordTooLong } from './passwords';
import { UserDirectory, publicUser, userIdFor } from './user-directory';

type Editable = Pick<UserRecord, 'displayName' | 'role' | 'grade' | 'disabled'>;

/** The user after an admin's change: leaving the trainer role clears the grade. */
export function applyUserChange(current: Editable, change: UpdateUserRequest): Editable {
  const role = change.role ?? current.role;
  const grade = change.grade !== undefined ? change.grade : role === 'trainer' ? current.grade : null;
  if ((role === 'trainer') !== (grade !== null)) {
    throw new InvalidInput('grade: a trainer needs a grade, and only trainers have one');
  }
  return { displayName: change.displayName ?? current.displayName, role, grade, disabled: change.disabled ?? current.disabled };
}

/** What changed, field by field, for the audit log. */
function difference(before: Editable, after: Editable): Record<string, { from: unknown; to: unknown }> {
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const key of ['displayName', 'role', 'grade', 'disabled'] as const) {
    if (before[key] !== after[key]) changed[key] = { from: before[key], to: after[key] };
  }
  return changed;
}

/** The admin's user management. Every change is stored as a new version and recorded with its author. */
@Injectable()
export class UsersService {
  constructor(
    private readonly directory: UserDirectory,
    private readonly audit: AuditService,
    private readonly auth: AuthService,
  ) {}

  async list(): Promise<User[]> {
    return (await this.directory.list()).map(publicUser);
  }

  async create({ actor }: ActorContext, request: CreateUserRequest): Promise<User> {
    if (passwordTooLong(request.password)) {
      throw new InvalidInput(`password: a password is at most ${BCRYPT_MAX_BYTES} bytes in UTF-8`);
    }
    const userId = userIdFor(request.login);
    if ((await this.directory.get(userId, { fresh: true })) !== null) {
      throw new Conflict(`The login ${request.login} is taken`);
    }
    const mustChangePassword = request.mustChangePassword ?? true;
    const saved = await this.directory.save({
      userId,
      login: request.login,
      displayName: request.displayName,
      role: request.role,
      grade: request.grade ?? null,
      disabled: false,
      passwordHash: await hashPassword(request.password),
      mustChangePassword,
      updatedBy: actor.userId,
    });
    await this.audit.record(actor, 'user.create', userId, {
      login: saved.login,
      displayName: saved.displayName,
      role: saved.role,
      grade: saved.grade,
      mustChangePassword,
    });
    return publicUser(saved);
  }

  async update({ actor }: ActorContext, userId: string, change: UpdateUserRequest): Promise<User> {
    const current = await this.directory.get(userId, { fresh: true });
    if (current === null) throw new NotFound(`No user ${userId}`);
    const next = applyUserChange(current, change);
    const changed = difference(current, next);
    if (Object.keys(changed).length === 0) return publicUser(current);
    const losesAdmin = current.role === 'admin' && !current.disabled && (next.role !== 'admin' || next.disabled);
    if (losesAdmin && !(await this.anotherEnabledAdmin(userId))) {
      throw new Conflict('This would leave no enabled admin: make another user admin first');
    }
    const saved = await this.directory.save({ ...current, ...next, updatedBy: actor.userId });
    await this.audit.record(actor, 'user.update', userId, { login: saved.login, changed });
    return publicUser(saved);
  }

  /** Lifts the user's sign-in locks from every address (a colleague who mistyped, an office behind one address). */
  async unlock({ actor }: ActorContext, userId: string): Promise<UnlockUserResponse> {
    const user = await this.existing(userId);
    const locksLifted = await this.auth.unlock(user.login);
    await this.audit.record(actor, 'user.unlock', userId, { login: user.login, locksLifted });
    return { user: publicUser(user), locksLifted };
  }

  /**
   * A new one-time password for the user, shown to the admin once: until the user replaces it, the account
   * may do nothing else (as the first admin's). Their sessions end (a session carries its password's
   * fingerprint) and their locks are lifted.
   */
  async resetPassword({ actor }: ActorContext, userId: string): Promise<PasswordResetResponse> {
    const user = await this.existing(userId);
    const oneTimePassword = randomBytes(18).toString('base64url');
    const saved = await this.directory.save({
      ...user,
      passwordHash: await hashPassword(oneTimePassword),
      mustChangePassword: true,
      updatedBy: actor.userId,
    });
    const locksLifted = await this.auth.unlock(user.login);
    await this.audit.record(actor, 'user.password_reset', userId, { login: user.login, locksLifted });
    return { user: publicUser(saved), oneTimePassword };
  }

  private async existing(userId: string): Promise<UserRecord> {
    const user = await this.directory.get(userId, { fresh: true });
    if (user === null) throw new NotFound(`No user ${userId}`);
    return user;
  }

  private async anotherEnabledAdmin(userId: string): Promise<boolean> {
    return (await this.directory.list()).some((user) => user.userId !== userId && user.role === 'admin' && !user.disabled);
  }
}
