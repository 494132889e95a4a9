/**
 * Load generators. KafkaLoad writes valid events straight to chat.events at a steady rate (and any extra
 * messages a scenario mixes in); BotLoad plays customers asking the bot over HTTP. Both keep the ledger the
 * checks compare the store with: which event ids must be stored, which messages must be dead-lettered.
 */
import { createHash } from 'node:crypto';
import { chatReplySchema, type ChatEvent, type ChatRequest } from '@warroom/contracts';
import { TrafficGenerator } from '../../apps/sim/src/traffic';
import { classify } from './hostile';

/** What was produced, as the contract judged it when it was produced. */
export class ProducedLedger {
  /** Ids of valid events: each must be stored exactly once. */
  readonly validIds = new Set<string>();
  /** sha256 of each invalid message → how many times it was sent: each must be in chat.events.dlq. */
  readonly invalid = new Map<string, number>();
  /** Messages the harness sent to chat.events (a duplicate counts twice). */
  messages = 0;
  /** Questions the bot answered: their events were produced by the bot. */
  answeredQuestions = 0;

  record(value: Buffer, nowMs: number): void {
    this.messages += 1;
    const verdict = classify(value, nowMs);
    if (verdict.valid) this.validIds.add(verdict.eventId);
    else {
      const sha256 = createHash('sha256').update(value).digest('hex');
      this.invalid.set(sha256, (this.invalid.get(sha256) ?? 0) + 1);
    }
  }

  recordAnswer(questionEventId: string): void {
    this.answeredQuestions += 1;
    this.validIds.add(questionEventId);
  }

  get eventsProduced(): number {
    return this.messages + this.answeredQuestions;
  }
}

const TICK_MS = 100;
/**
 * Messages above this go out in a produce request of their own: the broker limits a partition's record
 * batch to message.max.bytes (about 1 MB), so a 1 MB message must not share one with the traffic around it.
 */
const ALONE_ABOVE_BYTES = 64 * 1024;

export class KafkaLoad {
  private timer: NodeJS.Timeout | null = null;
  private sending: Promise<void> = Promise.resolve();
  private readonly traffic: TrafficGenerator;
  private readonly extra: { key: string; value: Buffer }[] = [];
  readonly sendErrors: string[] = [];

  constructor(
    private readonly produce: (messages: { key: string; value: Buffer }[]) => Promise<void>,
    readonly ledger: ProducedLedger,
    options: { seed: number; runId: string },
  ) {
    this.traffic = new TrafficGenerator({ shops: ['chaos-a', 'chaos-b', 'chaos-c'], source: 'live', campaignId: 'chaos', seed: options.seed, runId: options.runId });
  }

  /** A fresh valid question event (the base of hostile messages). */
  validQuestion(): ChatEvent {
    const [question] = this.traffic.nextQuestion(new Date());
    if (!question) throw new Error('the traffic generator produced no question');
    return question;
  }

  /** About `eventsPerSecond` valid events a second, in ticks of 100 ms, plus whatever mix() queued. */
  start(eventsPerSecond: number): void {
    if (this.timer) throw new Error('the load is already running');
    let owed = 0;
    this.timer = setInterval(() => {
      owed += (eventsPerSecond * TICK_MS) / 1000;
      const batch: { key: string; value: Buffer }[] = this.extra.splice(0);
      while (owed >= 1) {
        for (const event of this.traffic.nextQuestion(new Date())) {
          batch.push({ key: event.sessionId, value: Buffer.from(JSON.stringify(event)) });
          owed -= 1;
        }
      }
      // One send at a time, in order: a slow broker makes the load wait, it does not pile up requests.
      this.sending = this.sending.then(() => this.send(batch));
    }, TICK_MS);
  }

  /** Queues messages to go out with the next tick, amid the normal traffic. */
  mix(messages: { key: string; value: Buffer }[]): void {
    this.extra.push(...messages);
  }

  /** Stops producing and waits for the last send. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sending;
  }

  private async send(batch: { key: string; value: Buffer }[]): Promise<void> {
    const large = batch.filter((message) => message.value.length > ALONE_ABOVE_BYTES);
    for (const message of large) await this.sendChunk([message]);
    await this.sendChunk(batch.filter((message) => message.value.length <= ALONE_ABOVE_BYTES));
  }

  private async sendChunk(batch: { key: string; value: Buffer }[]): Promise<void> {
    if (batch.length === 0) return;
    try {
      await this.produce(batch);
      const now = Date.now();
      for (const message of batch) this.ledger.record(message.value, now);
    } catch (error) {
      // Not in the ledger: whether an acknowledged-never send landed is unknown, so it is reported instead.
      this.sendErrors.push(`${batch.length} messages: ${(error as Error).message}`);
    }
  }
}

/** Questions customers ask (some the packs answer, some they do not): the bot's ordinary work. */
const QUESTIONS = ['这款手机支持快充吗', '什么时候发货', '可以开发票吗', '退货怎么退', '有没有优惠券', '电池容量多大', '我要转人工', '这个颜色还有货吗', 'qwerty asdf'];

export interface BotAnswer {
  status: number;
  questionEventId: string | null;
}

export class BotLoad {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private sequence = 0;
  /** Requests that got no answer: status or error, with the time. */
  readonly failures: { atMs: number; what: string }[] = [];
  answered = 0;

  constructor(
    private readonly botUrl: () => string,
    readonly ledger: ProducedLedger,
    private readonly runId: string,
  ) {}

  /** About `questionsPerSecond` customer questions a second, each from one of 200 sessions. */
  start(questionsPerSecond: number): void {
    if (this.timer) throw new Error('the bot load is already running');
    let owed = 0;
    this.timer = setInterval(() => {
      owed += (questionsPerSecond * TICK_MS) / 1000;
      for (; owed >= 1; owed -= 1) this.track(this.askOne());
    }, TICK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([...this.inFlight]);
  }

  /** Sends one raw body to POST /api/chat; an answered question goes into the ledger. */
  async ask(body: string | Buffer): Promise<BotAnswer> {
    const response = await fetch(`${this.botUrl()}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const json: unknown = await response.json();
    if (!response.ok) return { status: response.status, questionEventId: null };
    const reply = chatReplySchema.parse(json);
    this.answered += 1;
    this.ledger.recordAnswer(reply.questionEventId);
    return { status: response.status, questionEventId: reply.questionEventId };
  }

  track(request: Promise<void>): void {
    this.inFlight.add(request);
    void request.finally(() => this.inFlight.delete(request));
  }

  private async askOne(): Promise<void> {
    this.sequence += 1;
    const session = this.sequence % 200;
    const request: ChatRequest = {
      shopId: this.sequence % 2 === 0 ? 'demo-electronics' : 'demo-home',
      sessionId: `chaos-${this.runId}-${session}`,
      customerId: `chaos-customer-${session}`,
      text: QUESTIONS[this.sequence % QUESTIONS.length] ?? '在吗',
    };
    try {
      const answer = await this.ask(JSON.stringify(request));
      if (answer.questionEventId === null) this.failures.push({ atMs: Date.now(), what: `status ${answer.status}` });
    } catch (error) {
      this.failures.push({ atMs: Date.now(), what: (error as Error).message });
    }
  }
}
