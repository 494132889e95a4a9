import { describe, expect, it } from 'vitest';
import { advanceOrderState, detectStage, orderStateCue } from './stage';

describe('detectStage', () => {
  it("follows the customer's words first", () => {
    expect(detectStage({ text: '收到货了，屏幕坏了怎么办', orderState: 'none', answerStage: 'pre_sale' })).toBe('after_sale');
    expect(detectStage({ text: '已下单，什么时候发货', orderState: 'none', answerStage: null })).toBe('in_sale');
    expect(detectStage({ text: '这款有货吗', orderState: 'received', answerStage: null })).toBe('pre_sale');
    // After-sale words outweigh in-sale ones in the same message.
    expect(detectStage({ text: '快递送到了但是要退货', orderState: 'none', answerStage: null })).toBe('after_sale');
  });

  it("then the session's order state", () => {
    expect(detectStage({ text: '保修几年', orderState: 'ordered', answerStage: 'pre_sale' })).toBe('in_sale');
    expect(detectStage({ text: '保修几年', orderState: 'received', answerStage: 'pre_sale' })).toBe('after_sale');
  });

  it("then the matched answer's stage, then pre_sale", () => {
    expect(detectStage({ text: '能开票吗', orderState: 'none', answerStage: 'after_sale' })).toBe('after_sale');
    expect(detectStage({ text: '你好', orderState: 'none', answerStage: null })).toBe('pre_sale');
  });
});

describe('order state', () => {
  it('reads order facts from messages and only moves forward', () => {
    expect(orderStateCue('我已经下单了')).toBe('ordered');
    expect(orderStateCue('昨天收到货了')).toBe('received');
    expect(orderStateCue('保修几年')).toBeNull();
    expect(advanceOrderState('none', 'ordered')).toBe('ordered');
    expect(advanceOrderState('received', 'ordered')).toBe('received');
    expect(advanceOrderState('ordered', null)).toBe('ordered');
  });
});
