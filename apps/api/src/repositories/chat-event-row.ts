import type { ChatEvent } from '@warroom/contracts';
import { toClickHouseTime } from './clickhouse-time';

/** One row of `chat_events` (migration 0002), as JSONEachRow sends it. */
export interface ChatEventRow {
  event_id: string;
  /** 'YYYY-MM-DD hh:mm:ss.sss' in UTC: ClickHouse's basic DateTime64 input format. */
  event_time: string;
  source: string;
  campaign_id: string;
  shop_id: string;
  session_id: string;
  customer_id: string;
  kind: string;
  channel: string;
  mode: string;
  stage: string;
  sku: string;
  text: string;
  outcome: string;
  handoff_reason: string;
  answer_id: string;
  answer_revision: number;
  score: number;
  emotion: string;
  emotion_intensity: number;
  agent_id: string;
  order_id: string;
  amount_cents: number;
  ref_event_id: string;
  original_event_id: string;
  /** Outreach (migration 0013): the intent scenario, the intent score, and a customer's "no". */
  scenario: string;
  intent_score: number;
  opt_out: number;
  kafka_topic: string;
  kafka_partition: number;
  kafka_offset: string;
}

/** Every column of ChatEventRow, in one fixed order: the column list of compact (array per row) inserts. */
export const CHAT_EVENT_COLUMNS = [
  'event_id',
  'event_time',
  'source',
  'campaign_id',
  'shop_id',
  'session_id',
  'customer_id',
  'kind',
  'channel',
  'mode',
  'stage',
  'sku',
  'text',
  'outcome',
  'handoff_reason',
  'answer_id',
  'answer_revision',
  'score',
  'emotion',
  'emotion_intensity',
  'agent_id',
  'order_id',
  'amount_cents',
  'ref_event_id',
  'original_event_id',
  'scenario',
  'intent_score',
  'opt_out',
  'kafka_topic',
  'kafka_partition',
  'kafka_offset',
] as const satisfies readonly (keyof ChatEventRow)[];

/**
 * A row as the array JSONCompactEachRow sends, in CHAT_EVENT_COLUMNS order (a spec checks the order).
 * Spelt out rather than mapped over the column names: ingest calls it for every event, and keyed reads
 * by a variable name cost several times more.
 */
export function toCompactRow(row: ChatEventRow): (string | number)[] {
  return [
    row.event_id,
    row.event_time,
    row.source,
    row.campaign_id,
    row.shop_id,
    row.session_id,
    row.customer_id,
    row.kind,
    row.channel,
    row.mode,
    row.stage,
    row.sku,
    row.text,
    row.outcome,
    row.handoff_reason,
    row.answer_id,
    row.answer_revision,
    row.score,
    row.emotion,
    row.emotion_intensity,
    row.agent_id,
    row.order_id,
    row.amount_cents,
    row.ref_event_id,
    row.original_event_id,
    row.scenario,
    row.intent_score,
    row.opt_out,
    row.kafka_topic,
    row.kafka_partition,
    row.kafka_offset,
  ];
}

export interface KafkaPosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Month of an event time as ClickHouse's `toYYYYMM(event_time)`: the table partition a row lands in. */
export function tablePartitionOf(row: Pick<ChatEventRow, 'event_time'>): string {
  return row.event_time.slice(0, 7);
}

/**
 * Flattens an event into its row. `answer_id` is the matched answer for answered questions, the best
 * candidate for the others (so an answer's own hit rate is one GROUP BY), and the sent answer for answers.
 */
export function toChatEventRow(event: ChatEvent, position: KafkaPosition): ChatEventRow {
  const row: ChatEventRow = {
    event_id: event.eventId,
    event_time: toClickHouseTime(event.eventTime),
    source: event.source,
    campaign_id: event.campaignId,
    shop_id: event.shopId,
    session_id: event.sessionId,
    customer_id: event.customerId,
    kind: event.kind,
    channel: event.channel,
    mode: event.mode,
    stage: event.stage ?? '',
    sku: event.sku ?? '',
    text: '',
    outcome: '',
    handoff_reason: '',
    answer_id: '',
    answer_revision: 0,
    score: 0,
    emotion: '',
    emotion_intensity: 0,
    agent_id: '',
    order_id: '',
    amount_cents: 0,
    ref_event_id: '',
    original_event_id: event.originalEventId ?? '',
    scenario: '',
    intent_score: 0,
    opt_out: 0,
    kafka_topic: position.topic,
    kafka_partition: position.partition,
    kafka_offset: position.offset,
  };
  switch (event.kind) {
    case 'question':
      row.text = event.text;
      row.outcome = event.outcome;
      row.emotion = event.emotion.name;
      row.emotion_intensity = event.emotion.intensity;
      if (event.outcome === 'answered') {
        row.answer_id = event.match.answerId;
        row.answer_revision = event.match.revision;
        row.score = event.match.score;
      } else {
        row.answer_id = event.bestCandidate?.answerId ?? '';
        row.score = event.bestCandidate?.score ?? 0;
        if (event.outcome === 'handoff') row.handoff_reason = event.handoffReason;
      }
      break;
    case 'answer':
      row.text = event.text;
      row.answer_id = event.answer.answerId;
      row.answer_revision = event.answer.revision;
      row.score = event.answer.score;
      row.ref_event_id = event.questionEventId;
      break;
    case 'handoff':
      row.handoff_reason = event.handoffReason;
      break;
    case 'agent_accept':
    case 'agent_end':
      row.agent_id = event.agentId;
      break;
    case 'agent_reply':
      row.agent_id = event.agentId;
      row.text = event.text;
      break;
    case 'agent_flag':
      row.agent_id = event.agentId;
      row.text = event.text;
      row.ref_event_id = event.questionEventId ?? '';
      break;
    case 'order':
      row.order_id = event.orderId;
      row.amount_cents = event.amountCents;
      break;
    case 'abandon':
      break;
    case 'intent':
    case 'follow_up_open':
      row.scenario = event.scenario;
      row.intent_score = event.intentScore;
      break;
    case 'outreach':
      row.scenario = event.scenario;
      row.intent_score = event.intentScore;
      row.text = event.text;
      break;
    case 'outreach_reply':
      row.text = event.text;
      row.opt_out = event.optOut ? 1 : 0;
      row.ref_event_id = event.outreachEventId;
      break;
    case 'follow_up_done':
      row.agent_id = event.agentId;
      row.scenario = event.scenario;
      row.outcome = event.result;
      row.ref_event_id = event.followUpEventId;
      break;
  }
  return row;
}
