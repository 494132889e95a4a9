/**
 * Does the customer ask for a human? (handoff reason `customer_request`)
 *
 * Yes for 转人工, 人工客服, 找人工, 要真人, 换个人工, 不要机器人 … and for a message that is only 人工; no when the
 * request is negated (不用转人工, 不需要人工客服) or when it is a question about people rather than a
 * request (你是真人吗 is small talk).
 */

const REQUEST = /(转|找|要|接|叫|换|呼叫|联系|转接|我要|给我)(个|一下|一个)?(人工|真人)|人工(客服|服务|坐席)|真人客服|人工$|^人工(?!智能)|不要机器人|不想(跟|和)机器人/;
const NEGATED = /(不用|不要|不需要|无需|别|不必)(转|找|接|叫|换)?(个|一下)?(人工|真人)/;
const PUNCTUATION = /[\p{P}\p{S}\s]+/gu;

export function wantsHuman(text: string): boolean {
  const compact = text.normalize('NFKC').replace(PUNCTUATION, '');
  if (compact === '') return false;
  if (NEGATED.test(compact)) return false;
  return REQUEST.test(compact);
}
