import { Inject, Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Forbidden, Unauthorized, Unavailable } from '@warroom/nest-common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { ApiService } from '../config/api-config';
import { tokenMatches } from './token-matches';

const SERVICE_ROUTE = Symbol('warroom:service-route');

/** The services whose credential a route (method) or every route of a controller (class) admits. */
export const ServiceRoute = (...services: ApiService[]): MethodDecorator & ClassDecorator => SetMetadata(SERVICE_ROUTE, services);

/**
 * Routes of trusted services: `Authorization: Bearer <token>` of a service the route names with
 * `@ServiceRoute(...)` (WARROOM_SERVICE_CREDENTIALS, or the shared WARROOM_SERVICE_TOKEN). Another
 * service's credential is 403; none or an unknown one 401; no credentials configured 503.
 */
@Injectable()
export class ServiceTokenGuard implements CanActivate {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const credentials = this.config.serviceCredentials;
    if (credentials.length === 0) throw new Unavailable('Service routes are off: neither WARROOM_SERVICE_CREDENTIALS nor WARROOM_SERVICE_TOKEN is set');
    const header = context.switchToHttp().getRequest<Request>().headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length) : null;
    // Every credential is compared (constant time each), so timing does not tell which service matched.
    const callers = new Set(credentials.filter((credential) => tokenMatches(token, credential.token)).map((credential) => credential.service));
    if (callers.size === 0) throw new Unauthorized('A valid service token is required (Authorization: Bearer <token>)');
    const admitted = this.reflector.getAllAndOverride<ApiService[] | undefined>(SERVICE_ROUTE, [context.getHandler(), context.getClass()]) ?? [];
    if (!admitted.some((service) => callers.has(service))) {
      throw new Forbidden(`This route is for ${admitted.join(' or ') || 'no service'}, not for ${[...callers].join(' or ')}`);
    }
    return true;
  }
}
