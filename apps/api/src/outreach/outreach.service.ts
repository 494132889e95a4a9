import { Injectable } from '@nestjs/common';
import {
  FOLLOW_UPS_LOOKBACK_HOURS,
  outreachReportSchema,
  type ChatEvent,
  type EventSource,
  type FollowUpDoneRequest,
  type FollowUpDoneResponse,
  type FollowUpsList,
  type FollowUpsQuery,
  type LiveOutreach,
  type OutreachReport,
  type OutreachReportQuery,
} from '@warroom/contracts';
import { Conflict, NotFound } from '@warroom/nest-common';
import { randomUUID } from 'node:crypto';
import type { ActorContext } from '../auth/decorators';
import { Clock } from '../common/clock';
import { maskPii } from '../common/pii-mask';
import { KafkaRepository } from '../repositories/kafka.repository';
import { OutreachRepository } from '../repositories/outreach.repository';
import { buildOutreachReport, outreachReportCsv } from './outreach-report';

const HOUR_MS = 3_600_000;

/** What outreach earns (the wall's tile, the report) and the agents' follow-up list. */
@Injectable()
export class OutreachService {
  constructor(
    private readonly repository: OutreachRepository,
    private readonly kafka: KafkaRepository,
    private readonly clock: Clock,
  ) {}

  /** The wall's tile over a snapshot's window, with DESIGN.md's default attribution window. */
  async live(range: { shop: string; source: EventSource; from: Date; to: Date }, asOf: Date): Promise<LiveOutreach> {
    const [breakdown, followUpsOpen] = await Promise.all([this.repository.breakdown(range), this.repository.followUpsOpen(range)]);
    return { asOf: asOf.toISOString(), ...breakdown.total, followUpsOpen };
  }

  async report(query: OutreachReportQuery): Promise<OutreachReport> {
    const range = {
      shop: query.shop,
      source: query.source,
      from: new Date(query.from),
      to: new Date(query.to),
      attributionWindowMs: query.attributionHours * HOUR_MS,
    };
    const [breakdown, followUpsOpen] = await Promise.all([this.repository.breakdown(range), this.repository.followUpsOpen(range)]);
    // Parsed on the way out, so a rule that drifts from the contract fails here, not in a browser.
    return outreachReportSchema.parse(buildOutreachReport(query, breakdown, followUpsOpen, new Date(this.clock.now())));
  }

  async reportCsv(query: OutreachReportQuery): Promise<string> {
    return outreachReportCsv(await this.report(query));
  }

  /** Open follow-ups of the last FOLLOW_UPS_LOOKBACK_HOURS, the customer's last question masked. */
  async followUps(query: FollowUpsQuery): Promise<FollowUpsList> {
    const rows = await this.repository.openFollowUps(query, this.lookbackStart());
    return {
      followUps: rows.map((row) => ({
        id: row.eventId,
        openedAt: row.openedAt.toISOString(),
        shopId: row.shopId,
        sessionId: row.sessionId,
        customerId: row.customerId,
        scenario: row.scenario,
        // Stored as Float32: keep its rounding inside [0, 1].
        intentScore: Math.min(1, Math.max(0, row.intentScore)),
        lastQuestion: row.lastQuestion === null ? null : maskPii(row.lastQuestion),
      })),
    };
  }

  /**
   * The signed-in agent followed the customer up: a `follow_up_done` (the touch attribution counts from) goes
   * to `chat.events`, in the follow-up's session. A follow-up already done is a 409. Two agents marking the
   * same one at the same moment can both pass the check (the store has no atomic check-and-set): both touches
   * are recorded, and attribution still counts the session and each order once.
   */
  async markDone(id: string, request: FollowUpDoneRequest, by: ActorContext): Promise<FollowUpDoneResponse> {
    const found = await this.repository.followUp(request.source, id, this.lookbackStart());
    if (!found) throw new NotFound(`no open follow-up ${id} of the last ${FOLLOW_UPS_LOOKBACK_HOURS} hours (source ${request.source})`);
    if (found.done) throw new Conflict(`follow-up ${id} is done already`);
    const { followUp } = found;
    const event: ChatEvent = {
      v: 1,
      kind: 'follow_up_done',
      eventId: randomUUID(),
      eventTime: new Date(this.clock.now()).toISOString(),
      source: request.source,
      campaignId: followUp.campaignId,
      shopId: followUp.shopId,
      sessionId: followUp.sessionId,
      customerId: followUp.customerId,
      channel: channelOf(followUp.channel),
      mode: followUp.mode === 'assist' ? 'assist' : 'bot',
      agentId: by.actor.userId,
      scenario: followUp.scenario,
      result: request.result,
      followUpEventId: followUp.eventId,
    };
    await this.kafka.sendChatEvents([event]);
    return { eventId: event.eventId, followUpId: followUp.eventId };
  }

  private lookbackStart(): Date {
    return new Date(this.clock.now() - FOLLOW_UPS_LOOKBACK_HOURS * HOUR_MS);
  }
}

/** The stored channel of a follow-up's open event, which the contract accepted when it was produced. */
function channelOf(stored: string): ChatEvent['channel'] {
  return stored === 'web' || stored === 'mini_program' || stored === 'im' ? stored : 'app';
}
