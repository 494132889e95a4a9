import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Unauthorized } from '@warroom/nest-common';
import type { Request } from 'express';
import { KioskTokensService } from '../auth/kiosk-tokens.service';

/** Read access to live metrics: `Authorization: Bearer <kiosk token>` (the bootstrap one or an admin's, not revoked). */
@Injectable()
export class KioskTokenGuard implements CanActivate {
  constructor(private readonly kioskTokens: KioskTokensService) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    if (!this.kioskTokens.admits(token)) {
      throw new Unauthorized('A valid kiosk token is required (Authorization: Bearer <token>)');
    }
    return true;
  }
}
