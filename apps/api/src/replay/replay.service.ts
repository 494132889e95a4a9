import { Injectable } from '@nestjs/common';
import {
  channelSchema,
  handoffReasonSchema,
  modeSchema,
  pastQuestionSchema,
  stageSchema,
  type PastQuestion,
  type ReplayQuestionsPage,
  type ReplayQuestionsQuery,
} from '@warroom/contracts';
import { maskPii } from '../common/pii-mask';
import { ReplayRepository, type PastQuestionRow } from '../repositories/replay.repository';

const CURSOR_SEPARATOR = '~';

/** Past questions for replays (libs/contracts/src/replay.ts), one page at a time. */
@Injectable()
export class ReplayService {
  constructor(private readonly repository: ReplayRepository) {}

  async questions(query: ReplayQuestionsQuery): Promise<ReplayQuestionsPage> {
    const rows = await this.repository.page({
      source: query.source,
      shop: query.shop,
      campaignId: query.campaignId ?? '',
      from: new Date(query.from),
      to: new Date(query.to),
      after: query.after === undefined ? null : decodeCursor(query.after),
      limit: query.limit,
    });
    const last = rows[rows.length - 1];
    return {
      // Parsed on the way out: a stored row that breaks the contract fails here, not in the reader.
      questions: rows.map((row) => pastQuestionSchema.parse(pastQuestion(row))),
      nextCursor: rows.length < query.limit || !last ? null : `${last.t}${CURSOR_SEPARATOR}${last.event_id}`,
    };
  }
}

function decodeCursor(cursor: string): { timeMs: number; eventId: string } {
  const at = cursor.indexOf(CURSOR_SEPARATOR);
  return { timeMs: Number(cursor.slice(0, at)), eventId: cursor.slice(at + 1) };
}

function pastQuestion(row: PastQuestionRow): PastQuestion {
  const outcome = row.outcome === 'answered' || row.outcome === 'handoff' ? row.outcome : 'unmatched';
  return {
    eventId: row.event_id,
    eventTime: new Date(row.t).toISOString(),
    campaignId: row.campaign_id,
    shopId: row.shop_id,
    sessionId: row.session_id,
    customerId: row.customer_id,
    channel: channelSchema.parse(row.channel),
    mode: modeSchema.parse(row.mode),
    stage: row.stage === '' ? null : stageSchema.parse(row.stage),
    sku: row.sku === '' ? null : row.sku,
    text: maskPii(row.text),
    outcome,
    handoffReason: row.handoff_reason === '' ? null : handoffReasonSchema.parse(row.handoff_reason),
    answerId: row.answer_id === '' ? null : row.answer_id,
  };
}
