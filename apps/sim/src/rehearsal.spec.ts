import { resolve } from 'node:path';
import { botHealthSchema, type BotHealth, type ChatReply, type ChatRequest, type OrderRequest, type RecordedEvent } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import type { BotApi } from './bot-client';
import { loadCatalog } from './catalog';
import { loadProfile } from './config';
import { BuiltInConversations } from './conversation';
import { compileCurve, expectedQuestions, type Timing } from './curve';
import { Rehearsal, type RehearsalClock, type RehearsalSettings } from './rehearsal';
import { mulberry32 } from './traffic';

const { profile } = loadProfile('double11');
const catalog = loadCatalog(resolve(__dirname, '../../../packs'), profile.shops);

/** Virtual time: sleeping advances it and lets pending replies resolve. */
function virtualClock(startMs: number): RehearsalClock & { advance(ms: number): void } {
  let now = startMs;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await new Promise((done) => setImmediate(done));
    },
    advance: (ms) => {
      now += ms;
    },
  };
}

/** A bot that answers everything except requests for a person, and remembers when it was asked. */
class FakeBot implements BotApi {
  readonly asked: { at: number; request: ChatRequest }[] = [];
  readonly orders: OrderRequest[] = [];
  constructor(
    private readonly clock: RehearsalClock,
    private readonly hang = false,
  ) {}

  ask(request: ChatRequest): Promise<ChatReply> {
    this.asked.push({ at: this.clock.now(), request });
    if (this.hang) return new Promise(() => undefined);
    const common = { questionEventId: `q${this.asked.length}`, sessionId: request.sessionId, stage: 'pre_sale' as const, emotion: { name: 'neutral' as const, intensity: 0 }, sku: null };
    if (/人工|真人|机器人/.test(request.text)) {
      return Promise.resolve({ ...common, outcome: 'handoff', handoffReason: 'customer_request', bestCandidate: null, reply: null, suggestions: [] });
    }
    return Promise.resolve({ ...common, outcome: 'answered', answer: { answerId: 'a', revision: 1, score: 1 }, reply: { type: 'text', text: '好的' } });
  }

  order(request: OrderRequest): Promise<RecordedEvent> {
    this.orders.push(request);
    return Promise.resolve({ eventId: `o${this.orders.length}` });
  }

  health(): Promise<BotHealth> {
    return Promise.resolve(botHealthSchema.parse({ status: 'ok', shops: [], events: { queued: 0, spooled: 0, spoolBytes: 0, delivered: 0, dropped: 0, lastError: null }, sessions: 0 }));
  }

  close(): void {}
}

const testCurve = compileCurve({
  startClock: '23:50',
  durationMinutes: 60,
  levels: [{ clock: '00:00', level: 1 }],
  peaks: [{ label: 'open', at: '00:00', day: 0, multiplier: 3.5, riseMinutes: 2, halfLifeMinutes: 8 }],
});

function settings(timing: Timing, overrides: Partial<RehearsalSettings> = {}): RehearsalSettings {
  return {
    curve: testCurve,
    timing,
    shops: profile.shops,
    baseRatePerShop: 2,
    source: 'rehearsal',
    realMs: 30_000,
    thinkSeconds: { min: 1, max: 3 },
    maxInFlight: 256,
    runId: 'test',
    ...overrides,
  };
}

describe('Rehearsal', () => {
  it('asks as many questions per interval as the compressed curve says, in multi-turn sessions, with orders', async () => {
    const clock = virtualClock(1_000_000);
    const bot = new FakeBot(clock);
    const timing: Timing = { fromMinute: 0, speed: 120, durationMinutes: 60, loop: false };
    const rehearsal = new Rehearsal(settings(timing), new BuiltInConversations(profile, catalog, mulberry32(1)), bot, mulberry32(2), clock);
    await rehearsal.run();

    const rate = { baseRatePerShop: 2, shops: profile.shops.length };
    for (let from = 0; from < 30_000; from += 2_500) {
      const asked = bot.asked.filter(({ at }) => at - 1_000_000 >= from && at - 1_000_000 < from + 2_500).length;
      expect(Math.abs(asked - expectedQuestions(testCurve, timing, rate, from, from + 2_500))).toBeLessThanOrEqual(2);
    }
    const summary = rehearsal.stats.summary();
    expect(summary.questions).toBe(bot.asked.length);
    expect(summary.questions).toBeCloseTo(expectedQuestions(testCurve, timing, rate, 0, 30_000), -1);
    expect(summary.answered + summary.unmatched + summary.handoffs).toBe(summary.questions);
    // The rush: 3.5 × 4/s = 14/s at the top.
    expect(summary.peakPerSec).toBeGreaterThanOrEqual(12);
    expect(summary.peakPerSec).toBeLessThanOrEqual(16);
    const sessions = new Set(bot.asked.map(({ request }) => request.sessionId));
    expect(sessions.size).toBe(rehearsal.stats.sessions);
    expect(bot.asked.length / sessions.size).toBeGreaterThan(1.8);
    expect(bot.asked.every(({ request }) => request.source === 'rehearsal')).toBe(true);
    expect(bot.orders.length).toBeGreaterThan(0);
    expect(bot.orders.every((order) => sessions.has(order.sessionId) && order.source === 'rehearsal')).toBe(true);
    expect(rehearsal.report('t')).toMatchObject({ errors: 0, skipped: 0, orders: bot.orders.length, curveMinutes: 60 });
  });

  it('a customer waits for the reply before writing again, at least the think time', async () => {
    const clock = virtualClock(0);
    const bot = new FakeBot(clock);
    const rehearsal = new Rehearsal(
      settings({ fromMinute: 0, speed: 60, durationMinutes: 60, loop: false }, { realMs: 20_000 }),
      new BuiltInConversations(profile, catalog, mulberry32(4)),
      bot,
      mulberry32(5),
      clock,
    );
    await rehearsal.run();
    const bySession = new Map<string, number[]>();
    for (const { at, request } of bot.asked) bySession.set(request.sessionId, [...(bySession.get(request.sessionId) ?? []), at]);
    for (const times of bySession.values()) {
      for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(1_000);
    }
  });

  it('skips (and counts) questions while too many requests are in flight, and stops when asked', async () => {
    const clock = virtualClock(0);
    const bot = new FakeBot(clock, true);
    const rehearsal = new Rehearsal(
      settings({ fromMinute: 0, speed: 60, durationMinutes: 60, loop: true }, { realMs: null, maxInFlight: 5 }),
      new BuiltInConversations(profile, catalog, mulberry32(6)),
      bot,
      mulberry32(7),
      clock,
    );
    const running = rehearsal.run();
    for (let i = 0; i < 200; i += 1) await clock.sleep(10);
    rehearsal.stop();
    await running;
    expect(bot.asked).toHaveLength(5);
    expect(rehearsal.stats.skipped).toBeGreaterThan(0);
  });
});
