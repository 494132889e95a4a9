import { describe, expect, it } from 'vitest';
import { detectEmotion, intensityOf } from './emotion';

describe('detectEmotion', () => {
  it('finds each of the 7 emotions from its cue words', () => {
    const cases: [string, string][] = [
      ['你们这是什么破服务，我很生气', 'angry'],
      ['我急用，麻烦尽快发货', 'anxious'],
      ['会不会是翻新机啊，有点担心', 'worried'],
      ['等了这么久，太失望了', 'disappointed'],
      ['请问这款支持快充吗', 'neutral'],
      ['手机收到了，很满意', 'satisfied'],
      ['好的，谢谢你', 'grateful'],
    ];
    for (const [text, emotion] of cases) expect(detectEmotion(text).name, text).toBe(emotion);
  });

  it('is neutral with intensity 0 when no cue is present', () => {
    expect(detectEmotion('尾款什么时候付')).toEqual({ name: 'neutral', intensity: 0 });
  });

  it('grows with intensifiers, repetition and exclamation marks', () => {
    const plain = detectEmotion('我生气').intensity;
    const intensified = detectEmotion('我非常生气').intensity;
    const exclaimed = detectEmotion('我生气!!').intensity;
    const fullWidth = detectEmotion('我生气！！').intensity;
    const repeated = detectEmotion('我生气，气死了').intensity;
    expect(plain).toBe(intensityOf(0.6));
    expect(intensified).toBeGreaterThan(plain);
    expect(exclaimed).toBeGreaterThan(plain);
    expect(fullWidth).toBe(exclaimed);
    expect(repeated).toBeGreaterThan(intensified);
    for (const value of [plain, intensified, exclaimed, repeated]) {
      expect(value).toBeGreaterThan(0);
      expect(value).toBeLessThanOrEqual(1);
    }
  });

  it('crosses the default handoff intensity (0.7) only for strong or forceful anger', () => {
    expect(detectEmotion('有点生气').intensity).toBeLessThan(0.7);
    expect(detectEmotion('我要投诉').intensity).toBeLessThan(0.7);
    expect(detectEmotion('太生气了').intensity).toBeGreaterThanOrEqual(0.7);
    expect(detectEmotion('我要投诉！！').intensity).toBeGreaterThanOrEqual(0.7);
    expect(detectEmotion('骗子，黑店！').intensity).toBeGreaterThanOrEqual(0.9);
  });

  it('cancels a negated negative cue and turns a negated positive one around', () => {
    expect(detectEmotion('不着急，慢慢来').name).not.toBe('anxious');
    expect(detectEmotion('我不生气').name).toBe('neutral');
    expect(detectEmotion('我不满意')).toMatchObject({ name: 'disappointed' });
    expect(detectEmotion('我不满意').intensity).toBeLessThan(detectEmotion('我满意').intensity);
    expect(detectEmotion('还是不放心').name).toBe('worried');
    // Negation does not reach across a clause break.
    expect(detectEmotion('不是我说，太满意了').name).toBe('satisfied');
  });

  it('reads the longest cue (不放心 is not 放心, 着急 not 急) and repeated question marks as impatience', () => {
    expect(detectEmotion('在吗？？？')).toMatchObject({ name: 'anxious' });
    expect(detectEmotion('在吗？')).toMatchObject({ name: 'neutral' });
    expect(detectEmotion('怎么还没发货??')).toMatchObject({ name: 'anxious' });
    expect(detectEmotion('怎么还没发货??').intensity).toBeGreaterThan(detectEmotion('怎么还没发货').intensity);
  });

  it('breaks ties in favour of what matters more to the shop', () => {
    // 谢谢 (0.6) and 生气 (0.6): angry wins the tie.
    expect(detectEmotion('谢谢，但我生气').name).toBe('angry');
  });
});
