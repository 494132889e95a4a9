import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { UnknownShopError } from '../knowledge/knowledge-base';

/** A shop this bot does not serve is the caller's mistake: 404 with the shop named. */
@Catch(UnknownShopError)
export class UnknownShopFilter implements ExceptionFilter<UnknownShopError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: UnknownShopError, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { statusCode: 404, message: error.message, shopId: error.shopId }, 404);
  }
}
