import {
  ForbiddenException,
  Injectable,
  Logger,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role, User } from '@warroom/contracts';
import { ALLOWED_ROLES, PASSWORD_CHANGE_ROUTE, type AuthenticatedRequest } from './decorators';
import { SessionTokens } from './session-token';

/** The token of an `Authorization: Bearer <token>` header; null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (!header?.startsWith('Bearer ')) return null;
  const token = header.slice('Bearer '.length).trim();
  return token === '' ? null : token;
}

/**
 * Signed-in users: `Authorization: Bearer <session token>`. 401 when the token is missing, forged or
 * expired; 403 when the user holds a one-time password (except on the password change) or the route's
 * `@Allow(...)` does not name the user's role. Attaches `{ actor, user }` for `@CurrentActor()`.
 */
@Injectable()
export class SessionAuthGuard implements CanActivate {
  private readonly logger = new Logger(SessionAuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: SessionTokens,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerToken(request.headers.authorization);
    if (token === null) throw new UnauthorizedException('Sign in first: send Authorization: Bearer <session token>');
    const check = this.tokens.verify(token);
    if (!check.ok) {
      throw new UnauthorizedException(
        check.reason === 'expired' ? 'The session has expired: sign in again' : 'The session token is not valid: sign in again',
      );
    }
    const { claims } = check;
    const user: User = { userId: claims.sub, login: claims.login, displayName: claims.login, role: claims.role, grade: claims.grade, disabled: false };

    const targets = [context.getHandler(), context.getClass()];
    if (claims.mcp && this.reflector.get<boolean | undefined>(PASSWORD_CHANGE_ROUTE, context.getHandler()) !== true) {
      throw new ForbiddenException('Change your one-time password first (POST /api/auth/password)');
    }
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ALLOWED_ROLES, targets);
    if (roles === undefined) {
      // A route guarded but naming no roles is a mistake of ours: closed, and said so in the log.
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} uses SessionAuthGuard without @Allow(...)`);
      throw new ForbiddenException('This route allows no role');
    }
    if (!roles.includes(user.role)) {
      throw new ForbiddenException(`This needs the role ${roles.join(' or ')}; you are signed in as ${user.role}`);
    }
    request.auth = { actor: { userId: user.userId, login: user.login }, user };
    return true;
  }
}
