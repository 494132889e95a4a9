import type { Stage } from '@warroom/contracts';

/**
 * Stage of a question (DESIGN.md "Words"): pre_sale 售前, in_sale 售中, after_sale 售后.
 *
 * Decided in this order, first rule that applies:
 * 1. Cue words in the message: after-sale cues (退货, 坏了, 收到货 …) over in-sale cues (发货, 物流,
 *    已下单 …) over pre-sale cues (有货吗, 多少钱, 优惠 …). The customer's own words are the best
 *    evidence, even against the session's order (asking about another product before buying it).
 * 2. The session's order state: an order received → after_sale, an order placed → in_sale.
 * 3. The stage of the knowledge-base answer the question matched (each answer is annotated).
 * 4. pre_sale: a customer with no order who asks something unrecognised has not bought yet.
 */

/** What the session knows of the customer's order, from the order endpoint and from what they said. */
export type OrderState = 'none' | 'ordered' | 'received';
const ORDER_RANK: Record<OrderState, number> = { none: 0, ordered: 1, received: 2 };

const AFTER_SALE = /退货|退款|退换|换货|售后|维修|返修|保修期内|坏了|故障|质量问题|收到货|收到了|已签收|签收了|到货了|用了几天|拆开|少发|漏发|破损/;
const IN_SALE = /发货|物流|快递|到哪了|运单|改地址|修改地址|催单|已下单|下单了|拍下了|已付款|付款了|付过款|订单/;
const PRE_SALE = /有货吗|多少钱|优惠|便宜|推荐|区别|参数|适合|能不能买|值得买|定金|预售|现货/;

/** Order facts stated in a message: 下单了 → ordered, 收到货了 → received. */
const RECEIVED_CUE = /收到货|收到了|已签收|签收了|到货了|用了几天|拆开/;
const ORDERED_CUE = /已下单|下单了|拍下了|已付款|付款了|付过款|买了/;

export function orderStateCue(text: string): OrderState | null {
  if (RECEIVED_CUE.test(text)) return 'received';
  if (ORDERED_CUE.test(text)) return 'ordered';
  return null;
}

/** Moves an order state forward only: a later message cannot un-receive an order. */
export function advanceOrderState(current: OrderState, next: OrderState | null): OrderState {
  return next !== null && ORDER_RANK[next] > ORDER_RANK[current] ? next : current;
}

export interface StageInput {
  text: string;
  orderState: OrderState;
  /** Stage annotation of the matched answer; null when nothing matched. */
  answerStage: Stage | null;
}

export function detectStage(input: StageInput): Stage {
  const text = input.text.normalize('NFKC');
  if (AFTER_SALE.test(text)) return 'after_sale';
  if (IN_SALE.test(text)) return 'in_sale';
  if (PRE_SALE.test(text)) return 'pre_sale';
  if (input.orderState === 'received') return 'after_sale';
  if (input.orderState === 'ordered') return 'in_sale';
  return input.answerStage ?? 'pre_sale';
}
