import type { Emotion } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { wantsHuman } from './handoff-cues';
import { decideOutcome, nextUnmatchedStreak, type DecisionInput } from './outcome';

const calm: Emotion = { name: 'neutral', intensity: 0 };
const base: DecisionInput = { mode: 'bot', wantsHuman: false, emotion: calm, matched: true, unmatchedStreak: 0, angryHandoffIntensity: 0.7 };

describe('decideOutcome', () => {
  it('answers a match above the threshold', () => {
    expect(decideOutcome(base)).toEqual({ outcome: 'answered' });
  });

  it('asks to rephrase the first time nothing matches, and hands off (no_match) the second time in a row', () => {
    expect(decideOutcome({ ...base, matched: false })).toEqual({ outcome: 'unmatched' });
    expect(decideOutcome({ ...base, matched: false, unmatchedStreak: 1 })).toEqual({ outcome: 'handoff', reason: 'no_match' });
  });

  it('counts the streak only over consecutive unmatched questions', () => {
    let streak = 0;
    const outcomes: string[] = [];
    for (const matched of [false, true, false, false, false]) {
      const decision = decideOutcome({ ...base, matched, unmatchedStreak: streak });
      outcomes.push(decision.outcome === 'handoff' ? `handoff:${decision.reason}` : decision.outcome);
      streak = nextUnmatchedStreak(decision, streak);
    }
    expect(outcomes).toEqual(['unmatched', 'answered', 'unmatched', 'handoff:no_match', 'unmatched']);
  });

  it('hands off at the customer’s request, even when an answer matched', () => {
    expect(decideOutcome({ ...base, wantsHuman: true })).toEqual({ outcome: 'handoff', reason: 'customer_request' });
  });

  it('hands off an angry customer at or above the configured intensity only', () => {
    expect(decideOutcome({ ...base, emotion: { name: 'angry', intensity: 0.7 } })).toEqual({ outcome: 'handoff', reason: 'negative_emotion' });
    expect(decideOutcome({ ...base, emotion: { name: 'angry', intensity: 0.69 } })).toEqual({ outcome: 'answered' });
    expect(decideOutcome({ ...base, emotion: { name: 'anxious', intensity: 1 } })).toEqual({ outcome: 'answered' });
  });

  it('puts assist mode first, then the request, then anger', () => {
    const everything = { ...base, mode: 'assist' as const, wantsHuman: true, emotion: { name: 'angry' as const, intensity: 1 } };
    expect(decideOutcome(everything)).toEqual({ outcome: 'handoff', reason: 'assist_mode' });
    expect(decideOutcome({ ...everything, mode: 'bot' })).toEqual({ outcome: 'handoff', reason: 'customer_request' });
    expect(decideOutcome({ ...everything, mode: 'bot', wantsHuman: false, matched: false, unmatchedStreak: 5 })).toEqual({
      outcome: 'handoff',
      reason: 'negative_emotion',
    });
  });
});

describe('wantsHuman', () => {
  it('recognises requests for a person', () => {
    for (const text of ['转人工', '人工客服', '我要人工', '找个真人', '人工！', '请帮我转接人工服务', '不要机器人']) {
      expect(wantsHuman(text), text).toBe(true);
    }
  });

  it('ignores negated requests and questions about people', () => {
    for (const text of ['不用转人工了', '不需要人工客服', '你是真人吗', '人工智能是什么', '客服几点上班']) {
      expect(wantsHuman(text), text).toBe(false);
    }
  });
});
