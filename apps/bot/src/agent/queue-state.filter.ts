import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { AgentError } from '@warroom/contracts';
import type { Response } from 'express';
import { QueueStateError } from './handoff-queue';

/** Not in the queue → 404; in the queue but not in the state the step needs → 409 with that state. */
@Catch(QueueStateError)
export class QueueStateFilter implements ExceptionFilter<QueueStateError> {
  catch(error: QueueStateError, host: ArgumentsHost): void {
    const body: AgentError =
      error.state === null
        ? { statusCode: 404, message: error.message, shopId: error.shopId, sessionId: error.sessionId }
        : { statusCode: 409, message: error.message, shopId: error.shopId, sessionId: error.sessionId, state: error.state };
    host.switchToHttp().getResponse<Response>().status(body.statusCode).json(body);
  }
}
