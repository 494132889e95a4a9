import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { KioskTokensService } from '../auth/kiosk-tokens.service';
import { SessionAuthGuard, bearerToken } from '../auth/session-auth.guard';

/**
 * Reading gaps: a wall's kiosk token (DESIGN.md "Roles": a wall viewer reads live metrics and gaps), or a
 * signed-in user's session, checked by `SessionAuthGuard` with the route's `@Allow(...)`.
 */
@Injectable()
export class GapReadGuard implements CanActivate {
  constructor(
    private readonly kioskTokens: KioskTokensService,
    private readonly sessions: SessionAuthGuard,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context.switchToHttp().getRequest<Request>().headers.authorization);
    if (this.kioskTokens.admits(token)) return true;
    return await this.sessions.canActivate(context);
  }
}
