import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { AgentError } from '@warroom/contracts';
import { QueueStateError } from './handoff-queue';

/** Not in the queue → 404; in the queue but not in the state the step needs → 409 with that state. */
@Catch(QueueStateError)
export class QueueStateFilter implements ExceptionFilter<QueueStateError> {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(error: QueueStateError, host: ArgumentsHost): void {
    const body: AgentError =
      error.state === null
        ? { statusCode: 404, message: error.message, shopId: error.shopId, sessionId: error.sessionId }
        : { statusCode: 409, message: error.message, shopId: error.shopId, sessionId: error.sessionId, state: error.state };
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, body.statusCode);
  }
}
