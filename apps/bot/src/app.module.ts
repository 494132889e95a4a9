import { Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { ERROR_BODY_FILTER } from '@warroom/nest-common';
import { AgentDeskService, QUEUE_SETTINGS, type QueueSettings } from './agent/agent-desk.service';
import { AgentController } from './agent/agent.controller';
import { HandoffQueue } from './agent/handoff-queue';
import { HandoffTakeoverService } from './agent/handoff-takeover.service';
import { QueueSweeper } from './agent/queue-sweeper';
import { ChatController } from './chat/chat.controller';
import { ChatGateway } from './chat/chat.gateway';
import { CHAT_SETTINGS, type ChatSettings } from './chat/chat-settings';
import { ChatService } from './chat/chat.service';
import { SessionStore } from './chat/session-store';
import { SessionSweeper } from './chat/session-sweeper';
import { BOT_CONFIG, type BotConfig } from './config/bot-config';
import { EVENT_SINK, EventOutbox } from './events/event-outbox';
import { BotHealthService } from './health/bot-health.service';
import { HealthController } from './health/health.controller';
import { KbFollowerService } from './knowledge/kb-follower.service';
import { KbReplica } from './knowledge/kb-replica';
import { KnowledgeBase } from './knowledge/knowledge-base';
import { PreviewController } from './knowledge/preview.controller';
import { CLOCK, systemClock, type Clock } from './repositories/clock';
import { FileSpool } from './repositories/file-spool';
import { HandoffLogRepository } from './repositories/handoff-log.repository';
import { KafkaEventsRepository } from './repositories/kafka-events.repository';
import { KbPatchesRepository } from './repositories/kb-patches.repository';
import { KbStateRepository } from './repositories/kb-state.repository';
import { OutreachLogRepository } from './repositories/outreach-log.repository';
import { InboxChannel } from './outreach/inbox-channel';
import { OUTREACH_CHANNEL } from './outreach/outreach-channel';
import { OUTREACH_LOG } from './repositories/outreach-log';
import { OutreachController } from './outreach/outreach.controller';
import { OUTREACH_RULES, OUTREACH_SETTINGS, OutreachService, type OutreachRules, type OutreachSettings } from './outreach/outreach.service';

/** Closes the outbox after the HTTP server stopped taking requests: a last send, the rest spooled. */
class OutboxLifecycle implements OnApplicationShutdown {
  constructor(private readonly outbox: EventOutbox) {}

  async onApplicationShutdown(): Promise<void> {
    await this.outbox.close();
  }
}

@Module({})
export class AppModule {
  /** The knowledge base is loaded (and validated) before Nest starts, like the configuration; then it follows kb.patches. */
  static forRoot(config: BotConfig, replica: KbReplica, kbState: KbStateRepository, outreachRules: OutreachRules): DynamicModule {
    const settings: ChatSettings = {
      campaignId: config.events.campaignId,
      source: config.events.source,
      channel: config.events.channel,
      angryHandoffIntensity: config.rules.angryHandoffIntensity,
    };
    return {
      module: AppModule,
      controllers: [ChatController, AgentController, HealthController, PreviewController, OutreachController],
      providers: [
        { provide: BOT_CONFIG, useValue: config },
        ERROR_BODY_FILTER,
        { provide: CLOCK, useValue: systemClock },
        { provide: KbReplica, useValue: replica },
        { provide: KnowledgeBase, useValue: replica.knowledgeBase },
        KbPatchesRepository,
        { provide: KbStateRepository, useValue: kbState },
        KbFollowerService,
        { provide: CHAT_SETTINGS, useValue: settings },
        { provide: SessionStore, useFactory: () => new SessionStore(config.sessions) },
        // An agent who holds a chat longer than a session may idle without a word has left it.
        { provide: HandoffQueue, useFactory: () => new HandoffQueue({ max: config.queue.max, activeIdleMs: config.sessions.idleMs }) },
        { provide: QUEUE_SETTINGS, useValue: { maxWaitMs: config.queue.maxWaitMs } satisfies QueueSettings },
        AgentDeskService,
        QueueSweeper,
        HandoffLogRepository,
        HandoffTakeoverService,
        KafkaEventsRepository,
        {
          provide: EventOutbox,
          inject: [KafkaEventsRepository, CLOCK],
          useFactory: (transport: KafkaEventsRepository, clock: Clock) =>
            new EventOutbox(
              transport,
              FileSpool.open({ dir: config.events.spoolDir, maxBytes: config.events.spoolMaxBytes }),
              { lingerMs: config.events.lingerMs, batchMax: config.events.batchMax, queueMax: config.events.queueMaxEvents },
              new Logger(EventOutbox.name),
              () => clock.now(),
            ),
        },
        { provide: EVENT_SINK, useExisting: EventOutbox },
        { provide: OutboxLifecycle, inject: [EventOutbox], useFactory: (outbox: EventOutbox) => new OutboxLifecycle(outbox) },
        { provide: OUTREACH_RULES, useValue: outreachRules },
        { provide: OUTREACH_SETTINGS, useValue: { ...config.outreach, maxSessions: config.sessions.max } satisfies OutreachSettings },
        OutreachLogRepository,
        { provide: OUTREACH_LOG, useExisting: OutreachLogRepository },
        // The rehearsal's inbox; the app's message box is the production channel (not built).
        { provide: OUTREACH_CHANNEL, useClass: InboxChannel },
        OutreachService,
        ChatService,
        ChatGateway,
        SessionSweeper,
        BotHealthService,
      ],
    };
  }
}
