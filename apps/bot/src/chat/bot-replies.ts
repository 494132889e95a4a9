import type { HandoffReason, KbReply } from '@warroom/contracts';

/** What the bot says when it does not answer from the knowledge base. */

export const REPHRASE_REPLY: KbReply = {
  type: 'text',
  text: '抱歉，我没太理解您的意思，能换个说法再描述一下吗？也可以发送商品链接，我帮您查具体信息。',
};

const HANDOFF_TEXT: Record<Exclude<HandoffReason, 'assist_mode'>, string> = {
  customer_request: '好的，正在为您转接人工客服，请稍候～',
  no_match: '抱歉，这个问题我暂时回答不好，已为您转接人工客服，请稍候。',
  negative_emotion: '非常抱歉给您带来不好的体验，已为您优先转接人工客服，请稍候。',
};

/** What the customer is told at a handoff; null in assist mode, where the agent answers. */
export function handoffReply(reason: HandoffReason): KbReply | null {
  return reason === 'assist_mode' ? null : { type: 'text', text: HANDOFF_TEXT[reason] };
}

/** A reply as the plain text recorded in the `answer` event: its text, then its links. */
export function replyAsText(reply: KbReply): string {
  let text = reply.text;
  if (reply.type === 'video') text += `\n${reply.videoUrl}`;
  if (reply.type === 'products') text += reply.products.map((product) => `\n${product.title} ${product.url}`).join('');
  return text.length > 4000 ? text.slice(0, 4000) : text;
}
