/**
 * Whether a customer's answer to an outreach says "no more of these". Only explicit refusals: a question
 * or a "maybe later" is a reply, not an opt-out, since an opt-out is for good.
 */
const REFUSALS = [
  '不需要',
  '不用了',
  '不要再发',
  '别再发',
  '别发了',
  '不要发了',
  '退订',
  '取消订阅',
  '别打扰',
  '不要打扰',
  '拒收',
  '不感兴趣',
  'unsubscribe',
  'stop',
];

export function saysNo(text: string): boolean {
  const said = text.toLowerCase().replace(/\s+/g, '');
  // 回复TD退订: the shops' SMS convention, as the whole message.
  return said === 'td' || said === 'n' || said === 'no' || REFUSALS.some((refusal) => said.includes(refusal));
}
