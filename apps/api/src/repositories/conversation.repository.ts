import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { conversationMessageSchema, type ConversationMessage } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

const row = z.object({
  event_id: z.string(),
  at: z.string(),
  kind: z.string(),
  text: z.string(),
  outcome: z.string(),
  answer_id: z.string(),
  agent_id: z.string(),
});

/** How far back a conversation is read: a handed-off chat is hours old at most. */
const CONVERSATION_HORIZON_MS = 24 * 3_600_000;
export const CONVERSATION_LIMIT = 200;

/** One session's stored events, for the agent console's "conversation so far". */
@Injectable()
export class ConversationRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** The session's questions and agent steps, oldest first (the newest CONVERSATION_LIMIT). */
  async messages(shopId: string, sessionId: string, nowMs: number): Promise<ConversationMessage[]> {
    const result = await this.clickhouse.query({
      query: `SELECT event_id, toString(event_time) AS at, kind, text, outcome, answer_id, agent_id
              FROM chat_events
              WHERE shop_id = {shop:String} AND event_time >= {since:DateTime64(3, 'UTC')}
                AND session_id = {session:String} AND kind != 'order'
              ORDER BY event_time DESC, event_id DESC
              LIMIT {limit:UInt32}`,
      query_params: { shop: shopId, session: sessionId, since: toClickHouseTime(new Date(nowMs - CONVERSATION_HORIZON_MS).toISOString()), limit: CONVERSATION_LIMIT },
      format: 'JSONEachRow',
    });
    const rows = (await result.json<unknown>()).map((value) => row.parse(value));
    return rows.reverse().map((r) =>
      conversationMessageSchema.parse({
        eventId: r.event_id,
        at: `${r.at.replace(' ', 'T')}Z`,
        kind: r.kind,
        text: r.text,
        outcome: r.outcome,
        answerId: r.answer_id,
        agentId: r.agent_id,
      }),
    );
  }
}
