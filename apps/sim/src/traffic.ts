import {
  EMOTIONS,
  type ChatEvent,
  type EmotionName,
  type EventSource,
  type Stage,
} from '@warroom/contracts';

/** Deterministic PRNG so a rehearsal can be repeated question for question. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Questions written for the simulator (original text), each with the answer that covers it, if any. */
const QUESTIONS: { text: string; answerId: string | null; stage: Stage; weight: number }[] = [
  { text: '什么时候发货', answerId: 'delivery-time', stage: 'in_sale', weight: 9 },
  { text: '定金可以退吗', answerId: 'deposit-refund', stage: 'pre_sale', weight: 7 },
  { text: '这款支持快充吗', answerId: 'fast-charge', stage: 'pre_sale', weight: 6 },
  { text: '能开发票吗', answerId: 'invoice', stage: 'after_sale', weight: 5 },
  { text: '保价多少天', answerId: 'price-protection', stage: 'pre_sale', weight: 6 },
  { text: '满减券怎么用', answerId: 'coupon-usage', stage: 'pre_sale', weight: 8 },
  { text: '退货运费谁出', answerId: 'return-shipping', stage: 'after_sale', weight: 4 },
  { text: '保修几年', answerId: 'warranty', stage: 'pre_sale', weight: 4 },
  { text: '可以送货上门安装吗', answerId: 'installation', stage: 'in_sale', weight: 3 },
  { text: '赠品什么时候到', answerId: 'gift-delivery', stage: 'after_sale', weight: 3 },
  { text: '尾款什么时候付', answerId: 'final-payment', stage: 'pre_sale', weight: 5 },
  { text: '以旧换新怎么折算', answerId: null, stage: 'pre_sale', weight: 3 },
  { text: '国补资格怎么领取', answerId: null, stage: 'pre_sale', weight: 3 },
  { text: '快递显示签收但我没收到', answerId: null, stage: 'after_sale', weight: 2 },
  { text: '能不能改地址', answerId: null, stage: 'in_sale', weight: 2 },
];
const TOTAL_WEIGHT = QUESTIONS.reduce((sum, question) => sum + question.weight, 0);

/** Mix of emotions during a rush: mostly calm, a visible share of anxious and angry customers. */
const EMOTION_WEIGHTS: Record<EmotionName, number> = {
  angry: 0.04,
  anxious: 0.1,
  worried: 0.06,
  disappointed: 0.04,
  neutral: 0.66,
  satisfied: 0.06,
  grateful: 0.04,
};

export interface TrafficOptions {
  shops: string[];
  source: Exclude<EventSource, 'replay'>;
  campaignId: string;
  seed: number;
  /** Distinguishes event ids of separate runs with the same seed. */
  runId: string;
}

/**
 * Generates whole conversations as ChatEvents: questions with their outcomes, answers, handoffs, orders.
 * Not the simulator any more (that talks to the bot: main.ts, rehearsal.ts): kept for the benchmarks
 * and fault tests that need valid events written straight to Kafka, faster than a bot could answer.
 */
export class TrafficGenerator {
  private readonly rng: () => number;
  private sequence = 0;

  constructor(private readonly options: TrafficOptions) {
    this.rng = mulberry32(options.seed);
  }

  /** The events of one customer question asked at `now`: the question, then what the bot did about it. */
  nextQuestion(now: Date): ChatEvent[] {
    const shopId = this.pick(this.options.shops);
    const sessionNumber = Math.floor(this.rng() * 1_000_000);
    const sessionId = `${shopId}-s${sessionNumber}`;
    const common = {
      v: 1 as const,
      eventTime: now.toISOString(),
      source: this.options.source,
      campaignId: this.options.campaignId,
      shopId,
      sessionId,
      customerId: `c${sessionNumber}`,
      channel: this.rng() < 0.7 ? ('app' as const) : ('web' as const),
      mode: this.rng() < 0.95 ? ('bot' as const) : ('assist' as const),
    };
    const question = this.pickQuestion();
    const emotionName = this.pickEmotion();
    const emotion = { name: emotionName, intensity: Math.round(this.rng() * 100) / 100 };
    const questionId = this.nextId();
    const score = Math.round((0.55 + this.rng() * 0.45) * 1000) / 1000;
    const events: ChatEvent[] = [];

    if (common.mode === 'assist') {
      events.push({
        ...common,
        eventId: questionId,
        kind: 'question',
        stage: question.stage,
        text: question.text,
        emotion,
        outcome: 'handoff',
        handoffReason: 'assist_mode',
        bestCandidate: question.answerId ? { answerId: question.answerId, score } : null,
      });
      return events;
    }
    const angry = emotionName === 'angry' && emotion.intensity > 0.8;
    if (angry || this.rng() < 0.02) {
      const reason = angry ? 'negative_emotion' : this.pick(['customer_request', 'no_match'] as const);
      events.push({
        ...common,
        eventId: questionId,
        kind: 'question',
        stage: question.stage,
        text: question.text,
        emotion,
        outcome: 'handoff',
        handoffReason: reason,
        bestCandidate: question.answerId ? { answerId: question.answerId, score: score / 2 } : null,
      });
      events.push({ ...common, eventId: this.nextId(), kind: 'handoff', handoffReason: reason });
      return events;
    }
    if (question.answerId && this.rng() < 0.93) {
      const match = { answerId: question.answerId, revision: 1, score };
      events.push({ ...common, eventId: questionId, kind: 'question', stage: question.stage, text: question.text, emotion, outcome: 'answered', match });
      events.push({ ...common, eventId: this.nextId(), kind: 'answer', text: `关于“${question.text}”：请查看活动规则。`, answer: match, questionEventId: questionId });
      if (this.rng() < 0.08) {
        events.push({ ...common, eventId: this.nextId(), kind: 'order', orderId: `o${this.sequence}`, amountCents: 9_900 + Math.floor(this.rng() * 500_000) });
      }
      return events;
    }
    events.push({
      ...common,
      eventId: questionId,
      kind: 'question',
      stage: question.stage,
      text: question.text,
      emotion,
      outcome: 'unmatched',
      bestCandidate: question.answerId ? { answerId: question.answerId, score: score / 2 } : null,
    });
    return events;
  }

  private nextId(): string {
    this.sequence += 1;
    return `sim-${this.options.runId}-${this.sequence}`;
  }

  private pickQuestion() {
    let roll = this.rng() * TOTAL_WEIGHT;
    for (const question of QUESTIONS) {
      roll -= question.weight;
      if (roll < 0) return question;
    }
    return QUESTIONS[QUESTIONS.length - 1]!;
  }

  private pickEmotion(): EmotionName {
    let roll = this.rng();
    for (const name of EMOTIONS) {
      roll -= EMOTION_WEIGHTS[name];
      if (roll < 0) return name;
    }
    return 'neutral';
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rng() * items.length)]!;
  }
}
