import { chatEventSchema } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { TrafficGenerator } from './traffic';

const options = { shops: ['shop-a', 'shop-b'], source: 'rehearsal' as const, campaignId: 'c1', seed: 7, runId: 'r1' };

describe('TrafficGenerator', () => {
  it('produces only events that satisfy the contract, with unique ids', () => {
    const generator = new TrafficGenerator(options);
    const now = new Date('2026-11-11T00:00:00Z');
    const events = Array.from({ length: 2000 }, () => generator.nextQuestion(now)).flat();
    for (const event of events) expect(chatEventSchema.safeParse(event).success).toBe(true);
    expect(new Set(events.map((event) => event.eventId)).size).toBe(events.length);
  });

  it('produces every outcome, a realistic hit rate, and is repeatable for a seed', () => {
    const now = new Date('2026-11-11T00:00:00Z');
    const run = () => {
      const generator = new TrafficGenerator(options);
      return Array.from({ length: 3000 }, () => generator.nextQuestion(now)).flat();
    };
    const events = run();
    const questions = events.filter((event) => event.kind === 'question');
    const outcomes = new Set(questions.map((event) => event.outcome));
    expect([...outcomes].sort()).toEqual(['answered', 'handoff', 'unmatched']);
    const bot = questions.filter((event) => event.mode === 'bot');
    const hitRate = bot.filter((event) => event.outcome === 'answered').length / bot.length;
    expect(hitRate).toBeGreaterThan(0.6);
    expect(hitRate).toBeLessThan(0.95);
    expect(run()).toEqual(events);
  });
});
