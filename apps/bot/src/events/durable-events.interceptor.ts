import { Injectable, type CallHandler, type NestInterceptor } from '@nestjs/common';
import { concatMap, type Observable } from 'rxjs';
import { EventOutbox } from './event-outbox';

/**
 * Holds a reply (HTTP or WebSocket) until the events its handler published are durable in the spool:
 * a reply the client got is never lost to a crash of the bot. The handlers stay synchronous (a session's
 * messages are handled one at a time without locks); only the sending of their result waits, and the
 * outbox's group commit makes every reply of one event-loop turn share one sync.
 */
@Injectable()
export class DurableEventsInterceptor implements NestInterceptor {
  constructor(private readonly outbox: EventOutbox) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      concatMap(async (result: unknown) => {
        await this.outbox.durable();
        return result;
      }),
    );
  }
}
