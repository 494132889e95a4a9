/**
 * The live snapshot's figures from the repository's counts: pure functions, so the rules (windows,
 * rates, shares, trends, masking) are unit-tested without a store.
 */
import {
  EMOTIONS,
  HANDOFF_REASONS,
  SNAPSHOT_STAGES,
  STAGES,
  WINDOW_MINUTES,
  handoffReasonSchema,
  type ConversionFigures,
  type EmotionName,
  type HandoffReason,
  type LiveSnapshot,
  type MetricsWindow,
  type TopQuestion,
  type UnmatchedQuery,
} from '@warroom/contracts';
import type {
  AnswerCount,
  ConversionCounts,
  EmotionCount,
  OutcomeCount,
  UnmatchedRow,
} from '../repositories/metrics.repository';
import { maskPii } from '../common/pii-mask';

export interface WindowBounds {
  /** Inclusive, a whole second. */
  from: Date;
  /** Exclusive, a whole second: the end of asOf's second. */
  to: Date;
}

const SECOND_MS = 1_000;

/**
 * The window of a snapshot at `asOf`, in whole seconds (the rollups' buckets): it ends with asOf's second,
 * so every event up to asOf is in it, and starts the window's length earlier, or at the campaign's start
 * (rounded down to the second; a campaign that has not started yet gives an empty window).
 */
export function windowBounds(window: MetricsWindow, asOf: Date, campaignStartedAt: Date | null): WindowBounds {
  const to = Math.floor(asOf.getTime() / SECOND_MS) * SECOND_MS + SECOND_MS;
  if (window === 'campaign') {
    if (campaignStartedAt === null) throw new Error('the campaign window needs the campaign start');
    const from = Math.floor(campaignStartedAt.getTime() / SECOND_MS) * SECOND_MS;
    return { from: new Date(Math.min(from, to)), to: new Date(to) };
  }
  return { from: new Date(to - WINDOW_MINUTES[window] * 60_000), to: new Date(to) };
}

/** A record with every key of `keys`, each value made by `value`. */
function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((key) => [key, value(key)])) as Record<K, V>;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

type QuestionFigures = Pick<
  LiveSnapshot,
  | 'questions'
  | 'botModeQuestions'
  | 'answered'
  | 'hitRate'
  | 'questionsPerMinute'
  | 'modes'
  | 'stages'
  | 'unmatchedQueries'
  | 'unmatchedShare'
  | 'handoffs'
>;

const isStage = (stage: string): stage is (typeof STAGES)[number] => (STAGES as readonly string[]).includes(stage);

/** Everything counted per question outcome, from the counts by (mode, stage, outcome, handoff reason). */
export function questionFigures(rows: readonly OutcomeCount[], bounds: WindowBounds): QuestionFigures {
  const stages = recordOf(SNAPSHOT_STAGES, () => 0);
  const byReason = recordOf<HandoffReason, number>(HANDOFF_REASONS, () => 0);
  const modes = { bot: 0, assist: 0 };
  let questions = 0;
  let botModeQuestions = 0;
  let answered = 0;
  let unmatchedQueries = 0;
  let handoffs = 0;
  for (const row of rows) {
    questions += row.questions;
    if (row.mode === 'bot' || row.mode === 'assist') modes[row.mode] += row.questions;
    stages[isStage(row.stage) ? row.stage : 'unspecified'] += row.questions;
    // Which questions each metric counts is the store's one definition (repositories/metric-sql.ts).
    unmatchedQueries += row.unmatchedQueries;
    botModeQuestions += row.botModeQuestions;
    answered += row.botAnswered;
    handoffs += row.questionsHandedOff;
    const reason = handoffReasonSchema.safeParse(row.handoffReason);
    if (reason.success) byReason[reason.data] += row.questionsHandedOff;
  }
  const minutes = (bounds.to.getTime() - bounds.from.getTime()) / 60_000;
  return {
    questions,
    botModeQuestions,
    answered,
    hitRate: ratio(answered, botModeQuestions),
    questionsPerMinute: minutes > 0 ? questions / minutes : 0,
    modes,
    stages,
    unmatchedQueries,
    unmatchedShare: ratio(unmatchedQueries, questions),
    handoffs: {
      count: handoffs,
      rate: ratio(handoffs, botModeQuestions),
      byReason: recordOf(HANDOFF_REASONS, (reason) => ({
        count: byReason[reason],
        rate: ratio(byReason[reason], botModeQuestions),
      })),
    },
  };
}

/** Share of the window's questions and mean intensity, for every emotion (0 and null when absent). */
export function emotionFigures(rows: readonly EmotionCount[], questions: number): LiveSnapshot['emotions'] {
  const byEmotion = new Map(rows.map((row) => [row.emotion, row]));
  return recordOf(EMOTIONS, (emotion: EmotionName) => {
    const row = byEmotion.get(emotion);
    const count = row?.questions ?? 0;
    // Intensities are stored as Float32: keep a sum's rounding from passing 1.
    const meanIntensity = row && count > 0 ? Math.min(1, row.intensitySum / count) : null;
    return { count, share: ratio(count, questions), meanIntensity };
  });
}

/** What a screen shows of a top answer instead of its id: the customers' wording (raw) and the answer's title. */
export interface TopQuestionLabel {
  wording: string | null;
  title: string | null;
}

/** The longest wording a wall line shows; the customer's text goes on in the store, not on the wall. */
export const WORDING_MAX_CHARS = 120;

/** A customer's wording as it leaves the api: masked, then cut to a wall line (by code point, never a lone surrogate). */
export function wordingFigure(text: string): string {
  const chars = [...maskPii(text)];
  return chars.length <= WORDING_MAX_CHARS ? chars.join('') : `${chars.slice(0, WORDING_MAX_CHARS - 1).join('')}…`;
}

export function topQuestionFigures(
  rows: readonly AnswerCount[],
  questions: number,
  labels: ReadonlyMap<string, TopQuestionLabel> = new Map(),
): TopQuestion[] {
  return rows.map((row) => {
    const label = labels.get(row.answerId);
    return {
      answerId: row.answerId,
      wording: label?.wording == null ? null : wordingFigure(label.wording),
      title: label?.title ?? null,
      count: row.answered,
      share: ratio(row.answered, questions),
      previousCount: row.previousAnswered,
      trend: row.previousAnswered === 0 ? null : (row.answered - row.previousAnswered) / row.previousAnswered,
      hitRate: ratio(row.botAnswered, row.botQuestions),
    };
  });
}

/** The newest unmatched queries as they leave the api: PII masked. */
export function unmatchedFigures(rows: readonly UnmatchedRow[]): UnmatchedQuery[] {
  return rows.map((row) => ({
    eventId: row.eventId,
    eventTime: new Date(row.eventTimeMs).toISOString(),
    shopId: row.shopId,
    text: maskPii(row.text),
    outcome: row.outcome === 'handoff' ? 'handoff' : 'unmatched',
    handoffReason: row.outcome === 'handoff' ? (handoffReasonSchema.safeParse(row.handoffReason).data ?? null) : null,
    bestCandidateId: row.bestCandidateId === '' ? null : row.bestCandidateId,
  }));
}

export function conversionFigures(counts: ConversionCounts, asOf: Date): ConversionFigures {
  return {
    asOf: asOf.toISOString(),
    bot: { sessions: counts.botSessions, converted: counts.botConverted, rate: ratio(counts.botConverted, counts.botSessions) },
    agent: {
      sessions: counts.agentSessions,
      converted: counts.agentConverted,
      rate: ratio(counts.agentConverted, counts.agentSessions),
    },
  };
}

/**
 * What a snapshot says apart from when: two snapshots with the same key show the same figures, so the
 * second is sent as a heartbeat (the watermark and the window moving alone are not news).
 */
export function figuresKey(snapshot: LiveSnapshot): string {
  const { asOf: _asOf, windowStart: _start, windowEnd: _end, conversion, agentsNow, outreach, ...figures } = snapshot;
  const { asOf: _conversionAsOf, ...conversionFigures } = conversion;
  const { asOf: _agentsAsOf, windowStart: _agentsStart, windowEnd: _agentsEnd, ...agentsFigures } = agentsNow;
  const { asOf: _outreachAsOf, ...outreachFigures } = outreach;
  return JSON.stringify({ figures, conversion: conversionFigures, agentsNow: agentsFigures, outreach: outreachFigures });
}
