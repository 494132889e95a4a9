import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Unauthorized, Unavailable } from '@warroom/nest-common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { tokenMatches } from './token-matches';

/** Writes by trusted services: `Authorization: Bearer <WARROOM_SERVICE_TOKEN>`. Refused when it is unset. */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const expected = this.config.serviceToken;
    if (expected === null) throw new Unavailable('Service writes are off: WARROOM_SERVICE_TOKEN is not set');
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    if (!tokenMatches(token, expected)) {
      throw new Unauthorized('A valid service token is required (Authorization: Bearer <token>)');
    }
    return true;
  }
}
