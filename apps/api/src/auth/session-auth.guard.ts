import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@warroom/contracts';
import { Forbidden, Unauthorized } from '@warroom/nest-common';
import { ALLOWED_ROLES, PASSWORD_CHANGE_ROUTE, type AuthenticatedRequest } from './decorators';
import { SessionAuthenticator } from './session-authenticator';

/** The token of an `Authorization: Bearer <token>` header; null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header?.startsWith('Bearer ')) return null;
  const token = header.slice('Bearer '.length).trim();
  return token === '' ? null : token;
}

/**
 * Signed-in users: `Authorization: Bearer <session token>`.
 * - 401 when the token is missing, forged or expired, or its user is disabled or changed since (role,
 *   grade, password: see SessionAuthenticator);
 * - 403 when the user still holds a one-time password (on every route but `@PasswordChangeRoute()`), or
 *   the route's `@Allow(...)` does not name the user's role (a route without `@Allow` is closed).
 * Attaches `{ actor, user }` for `@CurrentActor()`. Grades are checked in services (libs/contracts permissions.ts).
 */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  private readonly logger = new Logger(SessionAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly authenticator: SessionAuthenticator,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw new Unauthorized('Sign in first: send Authorization: Bearer <session token>');
    const authentication = await this.authenticator.authenticate(token);
    if (!authentication.ok) throw new Unauthorized(authentication.message);
    const { auth, mustChangePassword } = authentication;

    if (mustChangePassword && this.reflector.get<boolean | undefined>(PASSWORD_CHANGE_ROUTE, context.getHandler()) !== true) {
      throw new Forbidden('Change your one-time password first (POST /api/auth/password)');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, [context.getHandler(), context.getClass()]);
    if (roles === undefined) {
      // A route guarded but naming no roles is a mistake of ours: closed, and said so in the log.
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} uses SessionAuthGuard without @Allow(...)`);
      throw new Forbidden('This route allows no role');
    }
    if (!roles.includes(auth.user.role)) {
      throw new Forbidden(`This needs the role ${roles.join(' or ')}; you are signed in as ${auth.user.role}`);
    }
    request.auth = auth;
    return true;
  }
}
