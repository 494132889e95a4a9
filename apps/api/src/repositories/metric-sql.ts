/**
 * The SQL of DESIGN.md's metrics ("Metrics"), each written once. The wall and the REST API
 * (`MetricsRepository`), the staffing reports (`StaffingRepository`) and the gaps' inputs
 * (`GapsRepository`) build their queries from these pieces, so a metric cannot mean one thing on the wall
 * and another in a report. The wall keeps its one scan of the rollup per snapshot rather than one query
 * per metric: the pieces, not the queries, are shared. Constants only: every value a query compares with
 * travels as a typed query parameter, never inside this text.
 *
 * Two grains:
 * - per question, over the outcome facet of `question_rollup_1s` (migration 0003): each row counts
 *   `questions` questions of one (mode, stage, outcome, handoff reason). A measure is an expression per
 *   row that a query sums (`sum(m)`, or `sumIf(m, <its window>)`). The rollup's view decides which
 *   question is bot-mode and answered (`bot_questions`, `bot_answered`); hit rate reads those, as each
 *   answer's own hit rate does over the answer facet.
 * - per conversation (a shop's session id), over `chat_events` grouped by (shop_id, session_id).
 */

/** The tables the metrics read: the metric queries name them only through this list. */
export const METRIC_TABLES = {
  /** One row per event (migration 0002). */
  events: 'chat_events',
  /** Questions per second, by facet (migration 0003). */
  questionRollup: 'question_rollup_1s',
} as const;

/** The rollup rows that count each question once, by its mode, stage, outcome and handoff reason. */
export const OUTCOME_FACET = "facet = 'outcome'";

/**
 * An unmatched query: outcome `unmatched`, or handed off because nothing matched twice (`no_match`). A
 * condition on a question's columns, which a `chat_events` question row and an outcome facet row share.
 */
export const UNMATCHED_QUERY = "(outcome = 'unmatched' OR (outcome = 'handoff' AND handoff_reason = 'no_match'))";

/**
 * Answers of the small-talk pack (greetings, thanks): counted in every volume, never listed in the top-10
 * (DESIGN.md) and never a gap. A condition on `answer_id`, which the answer facet and a question row share.
 */
export const SMALL_TALK_ANSWER = "startsWith(answer_id, 'smalltalk.')";

/** Per question, over outcome facet rows: what each question metric counts. */
export const QUESTION_MEASURES = {
  /** Questions in bot mode: the denominator of hit rate and handoff rate. */
  botModeQuestions: 'bot_questions',
  /** Bot-mode questions answered. Hit rate = botAnswered / botModeQuestions (none asked: no rate). */
  botAnswered: 'bot_answered',
  /** Bot-mode questions handed to a human, any reason: the wall's handoffs (by reason, the rows' reasons). */
  questionsHandedOff: "if(mode = 'bot' AND outcome = 'handoff', questions, 0)",
  unmatchedQueries: `if(${UNMATCHED_QUERY}, questions, 0)`,
} as const;

/** An event that hands its conversation to a human: a `handoff` event, or a question handed off (any mode or reason). */
const HANDS_OFF_CONVERSATION = "(kind = 'handoff' OR (kind = 'question' AND outcome = 'handoff'))";

/**
 * Per conversation, over its `chat_events` rows (GROUP BY shop_id, session_id): conversations handed off
 * are the staffing reports' handoffs and the wall's agent-side sessions of conversion.
 */
export const CONVERSATION_MEASURES = {
  handedOff: `countIf(${HANDS_OFF_CONVERSATION}) > 0`,
  /** When it was first handed off (meaningful where handedOff). */
  handedOffAt: `minIf(event_time, ${HANDS_OFF_CONVERSATION})`,
} as const;
