import type { CallHandler, ExecutionContext, INestApplication, NestInterceptor } from '@nestjs/common';
import type { ChatReply } from '@warroom/contracts';
import { readCounter, readGauge } from '@warroom/observability';
import { Counter, Histogram, type Registry } from 'prom-client';
import { tap, type Observable } from 'rxjs';
import { HandoffQueue } from '../agent/handoff-queue';
import { ChatController } from '../chat/chat.controller';
import { ChatGateway } from '../chat/chat.gateway';
import { SessionStore } from '../chat/session-store';
import { EventOutbox } from '../events/event-outbox';
import { KbFollowerService } from '../knowledge/kb-follower.service';
import { KbReplica } from '../knowledge/kb-replica';
import { OutreachService } from '../outreach/outreach.service';

/** Answer latencies from a cached match to a slow sync of the spool under load. */
const ANSWER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * Times and counts the customers' questions, asked over HTTP (`POST /api/chat`) or the `/chat` WebSocket:
 * installed as a global interceptor, so it runs outside the handlers' own (the one holding the reply until
 * its events are synced) and the time is the customer's wait from the handler taking the question to the
 * reply. Only the outcome's name is read from the reply; a refused question (an error) is not an answer.
 */
export class AnswerMetricsInterceptor implements NestInterceptor {
  private readonly answers: Counter<'outcome' | 'transport'>;
  private readonly seconds: Histogram<'transport'>;

  constructor(registry: Registry) {
    this.answers = new Counter({
      name: 'warroom_bot_answers_total',
      help: "Customers' questions this bot answered, by outcome and transport (http, ws).",
      labelNames: ['outcome', 'transport'],
      registers: [registry],
    });
    this.seconds = new Histogram({
      name: 'warroom_bot_answer_seconds',
      help: 'Time from the bot taking a question to its reply being ready (its events synced to the spool).',
      labelNames: ['transport'],
      buckets: ANSWER_BUCKETS,
      registers: [registry],
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const transport = transportOfAsk(context);
    if (transport === null) return next.handle();
    const stop = this.seconds.startTimer({ transport });
    return next.handle().pipe(
      tap((result: unknown) => {
        const outcome = transport === 'http' ? outcomeOf(result) : outcomeOf(replyOfFrame(result));
        if (outcome === null) return;
        stop();
        this.answers.inc({ outcome, transport });
      }),
    );
  }
}

/** `http` or `ws` for the customers' ask handlers, null for every other handler. */
function transportOfAsk(context: ExecutionContext): 'http' | 'ws' | null {
  if (context.getHandler().name !== 'ask') return null;
  if (context.getType() === 'http' && context.getClass() === ChatController) return 'http';
  if (context.getType() === 'ws' && context.getClass() === ChatGateway) return 'ws';
  return null;
}

/** The reply in a `/chat` `reply` frame; undefined for an `error` frame. */
function replyOfFrame(frame: unknown): unknown {
  if (typeof frame !== 'object' || frame === null || !('event' in frame) || frame.event !== 'reply' || !('data' in frame)) return undefined;
  const { data } = frame;
  return typeof data === 'object' && data !== null && 'reply' in data ? data.reply : undefined;
}

function outcomeOf(reply: unknown): ChatReply['outcome'] | null {
  if (typeof reply !== 'object' || reply === null || !('outcome' in reply)) return null;
  const { outcome } = reply;
  return outcome === 'answered' || outcome === 'unmatched' || outcome === 'handoff' ? outcome : null;
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
  const kbFollower = app.get(KbFollowerService);
  readCounter(
    registry,
    { name: 'warroom_bot_patch_to_bot_seconds_total', help: 'For patches appended since the start: seconds from the log to applied here, summed.' },
    () => [{ value: kbFollower.patchToBotTotals().sumMs / 1000 }],
  );
  readCounter(
    registry,
    { name: 'warroom_bot_patches_applied_total', help: 'Patches appended since the start and applied here; seconds_total / applied_total is the mean patch-to-bot time.' },
    () => [{ value: kbFollower.patchToBotTotals().count }],
  );
  const kbReplica = app.get(KbReplica);
  readCounter(
    registry,
    { name: 'warroom_bot_kb_records_refused_total', help: 'kb.patches records refused before the ledger: unsigned after the cut-over, badly signed, or beyond their author\'s rights.' },
    () => [{ value: kbReplica.refusedRecords }],
  );
  const outreach = app.get(OutreachService);
  readCounter(
    registry,
    { name: 'warroom_bot_outreach_sessions_total', help: 'Ended high-intent sessions judged by this bot, by outcome (outreach, follow_up, or why not).', labelNames: ['outcome'] },
    () => [...outreach.outcomeCounts()].map(([outcome, value]) => ({ labels: { outcome }, value })),
  );
  readGauge(registry, { name: 'warroom_bot_sessions', help: 'Conversations this bot keeps in memory.' }, () => [{ value: sessions.size }]);
  readGauge(registry, { name: 'warroom_bot_handoff_queue', help: 'Handed-off sessions, waiting for an agent or held by one.', labelNames: ['state'] }, () => [
    { labels: { state: 'waiting' }, value: queue.waiting },
    { labels: { state: 'active' }, value: queue.active },
  ]);
}
