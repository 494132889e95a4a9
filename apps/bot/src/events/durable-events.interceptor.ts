import { Injectable, type CallHandler, type NestInterceptor } from '@nestjs/common';
import { concatMap, defer, type Observable } from 'rxjs';
import { HandoffTakeoverService } from '../agent/handoff-takeover.service';
import { EventOutbox } from './event-outbox';

/**
 * How long a reply waits for its handoff queue change to reach bot.handoffs: the round trip to Kafka is
 * milliseconds; a broker away must not keep customers without an answer (they are then only as safe as
 * this bot).
 */
const REPLICATION_WAIT_MS = 1_000;

/**
 * Holds a reply (HTTP or WebSocket) until the events its handler published are durable in the spool:
 * a reply the client got is never lost to a crash of the bot. The handlers stay synchronous (a session's
 * messages are handled one at a time without locks); only the sending of their result waits, and the
 * outbox's group commit makes every reply of one event-loop turn share one sync. A reply that changed the
 * handoff queue also waits for the change to be on bot.handoffs, so a customer told they wait for a person
 * is one the other bots take over if this one dies (no wait when its handler did not change the queue, so a
 * broker away slows only the replies that change the queue).
 */
@Injectable()
export class DurableEventsInterceptor implements NestInterceptor {
  constructor(
    private readonly outbox: EventOutbox,
    private readonly takeover: HandoffTakeoverService,
  ) {}

  intercept(_context: unknown, next: CallHandler): Observable<unknown> {
    let before = 0;
    return defer(() => {
      before = this.takeover.changeMark;
      return next.handle();
    }).pipe(
      concatMap(async (result: unknown) => {
        // Handlers are synchronous: what moved the mark since it was read is this request's.
        const mark = this.takeover.changeMark;
        await Promise.all([this.outbox.durable(), mark > before ? this.takeover.replicated(mark, REPLICATION_WAIT_MS) : undefined]);
        return result;
      }),
    );
  }
}
