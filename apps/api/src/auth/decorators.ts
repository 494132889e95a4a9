import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Actor, Role, User } from '@warroom/contracts';
import type { Request } from 'express';

/** Who is calling, as `SessionAuthGuard` attaches it to the request and `@CurrentActor()` returns it. */
export interface ActorContext {
  /** What to record beside a change. */
  actor: Actor;
  /** The user as the store has it now (enabled, current role and grade). */
  user: User;
}

export interface AuthenticatedRequest extends Request {
  auth?: ActorContext;
}

export const ALLOWED_ROLES = Symbol('warroom:allowed-roles');
export const PASSWORD_CHANGE_ROUTE = Symbol('warroom:password-change-route');

/**
 * The roles that may call a handler (on a method) or every handler of a controller (on the class; a
 * method's own `@Allow` replaces the class's). `SessionAuthGuard` refuses a route that names no roles.
 * Grades are checked in services with the functions of libs/contracts permissions.ts.
 */
export const Allow = (...roles: Role[]): MethodDecorator & ClassDecorator => SetMetadata(ALLOWED_ROLES, roles);

/** Marks the one route a user holding a one-time password may call: changing it. */
export const PasswordChangeRoute = (): MethodDecorator => SetMetadata(PASSWORD_CHANGE_ROUTE, true);

/** The caller attached by `SessionAuthGuard`; a handler that uses it without the guard fails loudly. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): ActorContext => {
  const auth = context.switchToHttp().getRequest<AuthenticatedRequest>().auth;
  if (!auth) throw new Error('@CurrentActor() needs @UseGuards(SessionAuthGuard) on the route');
  return auth;
});
