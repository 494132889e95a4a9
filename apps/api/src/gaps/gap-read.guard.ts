import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { SessionAuthGuard, bearerToken } from '../auth/session-auth.guard';
import { tokenMatches } from '../common/kiosk-token.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';

/**
 * Reading gaps: a wall's kiosk token (DESIGN.md "Roles": a wall viewer reads live metrics and gaps), or a
 * signed-in user's session, checked by `SessionAuthGuard` with the route's `@Allow(...)`.
 */
@Injectable()
export class GapReadGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (tokenMatches(token, this.config.live.kioskToken)) return true;
    return await this.sessions.canActivate(context);
  }
}
