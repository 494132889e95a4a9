import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { SERVICE_CHAT_FIELDS, type ChatRequest } from '@warroom/contracts';
import { Forbidden, Unauthorized } from '@warroom/nest-common';
import { BOT_CONFIG, type BotConfig } from '../config/bot-config';

/** Whether `authorization` (`Bearer <token>`) carries one of the services' tokens, compared in constant time. */
export function presentsServiceCredential(authorization: string | undefined, tokens: readonly string[]): boolean {
  const presented = authorization?.startsWith('Bearer ') ? Buffer.from(authorization.slice('Bearer '.length)) : null;
  if (presented === null) return false;
  return tokens.some((token) => {
    const expected = Buffer.from(token);
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
}

/** The fields of `request` that only a service may set, which it sets. */
export function serviceFieldsIn(request: ChatRequest): string[] {
  return SERVICE_CHAT_FIELDS.filter((field) => request[field] !== undefined);
}

/**
 * The bot's internal routes (the agent desk, previews, orders): a service credential (BOT_SERVICE_TOKENS)
 * or nothing. Customers reach only the customer surface (ask, abandon, `/chat`). With no token configured
 * the routes are open, as a developer's bot on its own is; `npm start` and production configure one.
 */
@Injectable()
export class ServiceCredentialGuard implements CanActivate {
  constructor(@Inject(BOT_CONFIG) private readonly config: BotConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.config.serviceTokens.length === 0) return true;
    const request = context.switchToHttp().getRequest<{ headers: { authorization?: string } }>();
    if (!presentsServiceCredential(request.headers.authorization, this.config.serviceTokens)) {
      throw new Unauthorized('This is an internal route of the bot: a service credential is required (Authorization: Bearer <token>)');
    }
    return true;
  }
}

/** A customer (no service credential) naming a service's field: refused, since the bot would obey it. */
export function refuseServiceFieldsOfCustomers(request: ChatRequest, authorization: string | undefined, tokens: readonly string[]): void {
  if (tokens.length === 0) return;
  const fields = serviceFieldsIn(request);
  if (fields.length > 0 && !presentsServiceCredential(authorization, tokens)) {
    throw new Forbidden(`${fields.join(', ')}: set by the deployment or a service credential, not by a customer`);
  }
}
