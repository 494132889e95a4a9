import { BOT_MAX_BODY_BYTES, PREVIEW_CAP, type BotPreviewRequest } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
import { PreviewTooLargeError, splitPreview } from './preview-requests';

const base: BotPreviewRequest = {
  shopId: 'demo-electronics',
  baseRevision: 0,
  patch: {
    op: 'new_answer',
    scope: { pack: 'shop', shopId: 'demo-electronics' },
    answer: { id: 'payment.e-cny', topic: 'payment', stage: 'in_sale', examples: ['数字人民币红包能用吗'], reply: { type: 'text', text: '支持数字人民币红包付款。' } },
  },
  questions: [],
};

/** A busy shop's 5,000 distinct questions of 20-40 characters, some with quotes and escapes. */
const busyShop = Array.from({ length: PREVIEW_CAP }, (_, i) => `第${i}个问题：这款“旗舰”手机\\的以旧换新补贴到底怎么算${'呢'.repeat(i % 20)}`);

describe('splitPreview', () => {
  it('splits a busy shop\'s 5,000 questions into requests the bot accepts, every question once and in order', () => {
    const request = { ...base, questions: busyShop };
    expect(Buffer.byteLength(JSON.stringify(request))).toBeGreaterThan(BOT_MAX_BODY_BYTES);
    const parts = splitPreview(request);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThanOrEqual(BOT_MAX_BODY_BYTES);
      expect({ ...part, questions: [] }).toEqual(base);
    }
    expect(parts.flatMap((part) => part.questions)).toEqual(busyShop);
  });

  it('fills each request up to the limit exactly', () => {
    const request = { ...base, questions: ['一二三', '四五六', '七八九'] };
    const oneQuestion = Buffer.byteLength(JSON.stringify({ ...base, questions: ['一二三'] }));
    // Room for exactly two questions: the second costs its 11 bytes and a comma.
    const parts = splitPreview(request, oneQuestion + 12);
    expect(parts.map((part) => part.questions)).toEqual([['一二三', '四五六'], ['七八九']]);
    expect(Buffer.byteLength(JSON.stringify(parts[0]))).toBe(oneQuestion + 12);
  });

  it('sends a preview without questions as one request, and refuses a patch that cannot fit with one question', () => {
    expect(splitPreview(base)).toEqual([base]);
    const request = { ...base, questions: ['一二三'] };
    const envelope = Buffer.byteLength(JSON.stringify(base));
    expect(() => splitPreview(request, envelope + 5)).toThrow(PreviewTooLargeError);
  });
});
