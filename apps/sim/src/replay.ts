import {
  skuSchema,
  type ChatRequest,
  type PastQuestion,
  type ReplayQuestionsPage,
  type ReplayQuestionsQuery,
  type ReplaySummary,
} from '@warroom/contracts';
import type { BotApi } from './bot-client';
import type { RehearsalClock } from './rehearsal';

/**
 * Replay: the questions of a past campaign or time range, read page by page through the api
 * (`GET /api/replay/questions`), asked again now through the bot at `speed`× their original pace, as
 * `source: replay` with `originalEventId`; a customer's questions keep their order (one at a time per
 * session). The summary compares the hit rate then (the stored outcomes) with now (today's bot), over
 * the bot-mode questions.
 */

/** The api's replay endpoint, as the replay reads it (a fake in unit tests). */
export interface ReplaySourceApi {
  questions(query: ReplayQuestionsQuery): Promise<ReplayQuestionsPage>;
}

export interface ReplaySettings {
  query: Omit<ReplayQuestionsQuery, 'after' | 'limit'>;
  /** Original seconds per real second. */
  speed: number;
  pageSize: number;
  /** Prefix of the replay's session and customer ids. */
  runId: string;
  maxInFlight: number;
}

const TICK_MS = 20;

export class CampaignReplay {
  private readonly summary: ReplaySummary = {
    questions: 0,
    botQuestions: 0,
    answeredThen: 0,
    answeredNow: 0,
    hitRateThen: null,
    hitRateNow: null,
    nowAnswered: 0,
    nowMissed: 0,
    errors: 0,
  };
  private buffer: PastQuestion[] = [];
  private cursor: string | null | undefined = undefined;
  private fetching: Promise<void> | null = null;
  private inFlight = 0;
  private stopped = false;
  /** The last request of each session: the next one waits for it, so a customer's questions keep their order. */
  private readonly sessionTail = new Map<string, Promise<void>>();
  lastError: string | null = null;

  constructor(
    private readonly settings: ReplaySettings,
    private readonly source: ReplaySourceApi,
    private readonly bot: BotApi,
    private readonly clock: RehearsalClock,
  ) {}

  /** Questions asked so far, and how the bot answered them: for a progress line. */
  progress(): ReplaySummary & { inFlight: number } {
    return { ...this.finish(), inFlight: this.inFlight };
  }

  stop(): void {
    this.stopped = true;
  }

  async run(): Promise<ReplaySummary> {
    await this.fetchPage();
    const first = this.buffer[0];
    if (!first) return this.finish();
    const originStartMs = Date.parse(first.eventTime);
    const startMs = this.clock.now();
    const dueAt = (question: PastQuestion): number => startMs + (Date.parse(question.eventTime) - originStartMs) / this.settings.speed;
    while (!this.stopped) {
      if (this.buffer.length < this.settings.pageSize / 2 && this.cursor !== null && !this.fetching) {
        this.fetching = this.fetchPage().finally(() => {
          this.fetching = null;
        });
      }
      const now = this.clock.now();
      while (this.buffer.length > 0 && dueAt(this.buffer[0]!) <= now && this.inFlight < this.settings.maxInFlight) this.ask(this.buffer.shift()!);
      if (this.buffer.length === 0 && this.cursor === null && !this.fetching) break;
      if (this.buffer.length === 0 && this.fetching) await this.fetching;
      else await this.clock.sleep(TICK_MS);
    }
    while (this.inFlight > 0) await this.clock.sleep(TICK_MS);
    return this.finish();
  }

  private async fetchPage(): Promise<void> {
    try {
      const page = await this.source.questions({ ...this.settings.query, limit: this.settings.pageSize, ...(this.cursor ? { after: this.cursor } : {}) });
      this.buffer.push(...page.questions);
      this.cursor = page.nextCursor;
    } catch (error) {
      // The api is the only way to the past questions: without it the replay cannot go on.
      this.summary.errors += 1;
      this.lastError = (error as Error).message;
      this.cursor = null;
      this.stopped = true;
    }
  }

  private ask(question: PastQuestion): void {
    const key = `${question.shopId}\u0000${question.sessionId}`;
    const sessionId = `${this.settings.runId}-${question.sessionId}`.slice(0, 128);
    const request: ChatRequest = {
      shopId: question.shopId,
      sessionId,
      customerId: `${this.settings.runId}-${question.customerId}`.slice(0, 128),
      text: question.text,
      mode: question.mode,
      channel: question.channel,
      source: 'replay',
      originalEventId: question.eventId,
      ...(question.sku !== null && skuSchema.safeParse(question.sku).success ? { sku: question.sku } : {}),
    };
    this.inFlight += 1;
    const previous = this.sessionTail.get(key) ?? Promise.resolve();
    const done = previous
      .then(() => this.bot.ask(request))
      .then((reply) => {
        this.summary.questions += 1;
        if (question.mode !== 'bot') return;
        const then = question.outcome === 'answered';
        const now = reply.outcome === 'answered';
        this.summary.botQuestions += 1;
        if (then) this.summary.answeredThen += 1;
        if (now) this.summary.answeredNow += 1;
        if (!then && now) this.summary.nowAnswered += 1;
        if (then && !now) this.summary.nowMissed += 1;
      })
      .catch((error: unknown) => {
        this.summary.errors += 1;
        this.lastError = (error as Error).message;
      })
      .finally(() => {
        this.inFlight -= 1;
        if (this.sessionTail.get(key) === done) this.sessionTail.delete(key);
      });
    this.sessionTail.set(key, done);
  }

  private finish(): ReplaySummary {
    const s = this.summary;
    const rate = (part: number): number | null => (s.botQuestions === 0 ? null : part / s.botQuestions);
    return { ...s, hitRateThen: rate(s.answeredThen), hitRateNow: rate(s.answeredNow) };
  }
}
