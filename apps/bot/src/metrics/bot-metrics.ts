import type { CallHandler, ExecutionContext, INestApplication, NestInterceptor } from '@nestjs/common';
import type { ChatReply } from '@warroom/contracts';
import { readCounter, readGauge } from '@warroom/observability';
import { Counter, Histogram, type Registry } from 'prom-client';
import { tap, type Observable } from 'rxjs';
import { HandoffQueue } from '../agent/handoff-queue';
import { ChatController } from '../chat/chat.controller';
import { SessionStore } from '../chat/session-store';
import { EventOutbox } from '../events/event-outbox';

/** Answer latencies from a cached match to a slow sync of the spool under load. */
const ANSWER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Times and counts the customers' questions asked over HTTP (`POST /api/chat`): installed as a global
 * interceptor, so it runs outside the controller's own (the one holding the reply until its events are
 * synced) and the time is the customer's wait from the controller taking the request to the reply. Only the
 * outcome's name is read from the reply.
 */
export class AnswerMetricsInterceptor implements NestInterceptor {
  private readonly answers: Counter<'outcome'>;
  private readonly seconds: Histogram;

  constructor(registry: Registry) {
    this.answers = new Counter({ name: 'warroom_bot_answers_total', help: "Customers' questions this bot answered over HTTP, by outcome.", labelNames: ['outcome'], registers: [registry] });
    this.seconds = new Histogram({
      name: 'warroom_bot_answer_seconds',
      help: 'Time from the bot taking a question over HTTP to its reply being ready (its events synced to the spool).',
      buckets: ANSWER_BUCKETS,
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http' || context.getClass() !== ChatController || context.getHandler().name !== 'ask') return next.handle();
    const stop = this.seconds.startTimer();
    return next.handle().pipe(
      tap((reply: unknown) => {
        stop();
        this.answers.inc({ outcome: outcomeOf(reply) });
      }),
    );
  }
}

function outcomeOf(reply: unknown): ChatReply['outcome'] | 'unknown' {
  if (typeof reply !== 'object' || reply === null || !('outcome' in reply)) return 'unknown';
  const { outcome } = reply;
  return outcome === 'answered' || outcome === 'unmatched' || outcome === 'handoff' ? outcome : 'unknown';
}

/** The bot's state, read at each scrape: the outbox and its spool, the sessions and the handoff queue. */
export function registerBotMetrics(registry: Registry, app: INestApplication): void {
  const outbox = app.get(EventOutbox);
  const sessions = app.get(SessionStore);
  const queue = app.get(HandoffQueue);
  readGauge(registry, { name: 'warroom_bot_spool_pending_events', help: 'Events in the spool that Kafka has not acknowledged yet.' }, () => [{ value: outbox.stats().spooled }]);
  readCounter(registry, { name: 'warroom_bot_events_delivered_total', help: 'Events Kafka acknowledged.' }, () => [{ value: outbox.stats().delivered }]);
  readCounter(registry, { name: 'warroom_bot_events_dropped_total', help: 'Events lost (spool full, or published after shutdown).' }, () => [{ value: outbox.stats().dropped }]);
  readGauge(registry, { name: 'warroom_bot_kafka_failing', help: '1 while the last send to Kafka failed (events wait in the spool).' }, () => [{ value: outbox.failing ? 1 : 0 }]);
  readGauge(registry, { name: 'warroom_bot_sessions', help: 'Conversations this bot keeps in memory.' }, () => [{ value: sessions.size }]);
  readGauge(registry, { name: 'warroom_bot_handoff_queue', help: 'Handed-off sessions, waiting for an agent or held by one.', labelNames: ['state'] }, () => [
    { labels: { state: 'waiting' }, value: queue.waiting },
    { labels: { state: 'active' }, value: queue.active },
  ]);
}
