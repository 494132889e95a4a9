import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { UnknownShopError } from '../knowledge/knowledge-base';

/** A shop this bot does not serve is the caller's mistake: 404 with the shop named. */
@Catch(UnknownShopError)
export class UnknownShopFilter implements ExceptionFilter<UnknownShopError> {
  catch(error: UnknownShopError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<Response>().status(404).json({ statusCode: 404, message: error.message, shopId: error.shopId });
  }
}
