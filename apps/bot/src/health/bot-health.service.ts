import { Inject, Injectable } from '@nestjs/common';
import type { BotHealth } from '@warroom/contracts';
import { SessionStore } from '../chat/session-store';
import { EventOutbox } from '../events/event-outbox';
import { KnowledgeBase } from '../knowledge/knowledge-base';

@Injectable()
export class BotHealthService {
  constructor(
    private readonly kb: KnowledgeBase,
    @Inject(EventOutbox) private readonly outbox: EventOutbox,
    private readonly sessions: SessionStore,
  ) {}

  /**
   * Degraded while Kafka refuses the events (they wait in the spool), and once any event was lost. Not
   * merely while the spool holds events: every event is spooled until Kafka acknowledges it.
   */
  report(): BotHealth {
    const events = this.outbox.stats();
    return {
      status: this.outbox.failing || events.dropped > 0 ? 'degraded' : 'ok',
      shops: this.kb.shopIds().map((shopId) => ({ shopId, ...this.kb.stats(shopId) })),
      events,
      sessions: this.sessions.size,
    };
  }
}
