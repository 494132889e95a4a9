import { describe, expect, it } from 'vitest';
import { agentChatReplyRequestSchema, agentFlagRequestSchema } from './agent-console';
import { agentDeskFlagRequestSchema, agentDeskReplyRequestSchema } from './agent-desk';
import { createUserRequestSchema } from './auth';
import { agentReplyRequestSchema, botClientFrameSchema, chatRequestSchema } from './bot';
import { dismissGapRequestSchema } from './gaps';
import { kbReplySchema } from './kb-pack';
import { botMatchRequestSchema, kbPatchOpSchema } from './kb-patch';
import { LONE_SURROGATE_MESSAGE, personText, wellFormedString } from './well-formed';

const BROKEN = '退货 \ud800';
const REPAIRED = '退货 \ufffd';
const chat = { shopId: 'shop-a', sessionId: 's-1', customerId: 'c-1', text: BROKEN };

describe('personText and wellFormedString', () => {
  it('repairs lone surrogates of either half and keeps pairs', () => {
    const text = personText();
    expect(text.parse(BROKEN)).toBe(REPAIRED);
    expect(text.parse('\udc00a')).toBe('\ufffda');
    expect(text.parse('好 \ud83d\ude00')).toBe('好 \ud83d\ude00');
    expect(wellFormedString().safeParse(BROKEN).error?.issues[0]?.message).toBe(LONE_SURROGATE_MESSAGE);
    expect(wellFormedString().safeParse('好 \ud83d\ude00').success).toBe(true);
  });

  it('repairs in both directions, so a shared schema still encodes', () => {
    expect(chatRequestSchema.encode({ ...chat, text: BROKEN })).toMatchObject({ text: REPAIRED });
  });
});

describe('where a person types into our system, text is repaired', () => {
  it('repairs a customer message and refuses a broken id with its path', () => {
    const request = chatRequestSchema.parse(chat);
    expect(request.text).toBe(REPAIRED);
    const badSession = chatRequestSchema.safeParse({ ...chat, sessionId: 's-\udfff' });
    expect(badSession.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([`sessionId: ${LONE_SURROGATE_MESSAGE}`]);
    expect(botClientFrameSchema.parse({ event: 'ask', data: { ...chat, requestId: 'r-1' } }).data.text).toBe(REPAIRED);
  });

  it('repairs agents’ replies and flags on both the bot and the api', () => {
    const session = { shopId: 'shop-a', sessionId: 's-1' };
    expect(agentReplyRequestSchema.parse({ ...chat, agentId: 'ag-1' }).text).toBe(REPAIRED);
    expect(agentChatReplyRequestSchema.parse({ ...session, agentId: 'ag-1', text: BROKEN }).text).toBe(REPAIRED);
    expect(agentFlagRequestSchema.parse({ ...session, agentId: 'ag-1', text: BROKEN }).text).toBe(REPAIRED);
    expect(agentDeskReplyRequestSchema.parse({ ...session, text: BROKEN }).text).toBe(REPAIRED);
    expect(agentDeskFlagRequestSchema.parse({ ...session, text: BROKEN }).text).toBe(REPAIRED);
  });

  it('repairs trainers’ replies, titles and examples, and the texts they look up', () => {
    const scope = { pack: 'shop', shopId: 'shop-a' } as const;
    const added = kbPatchOpSchema.parse({ op: 'add_examples', scope, answerId: 'returns', examples: [BROKEN] });
    expect(added.op === 'add_examples' ? added.examples : []).toEqual([REPAIRED]);
    const reply = kbReplySchema.parse({ type: 'products', text: BROKEN, products: [{ sku: 'sku-1', title: BROKEN, url: 'https://shop.example/1' }] });
    expect(reply.text).toBe(REPAIRED);
    expect(reply.type === 'products' ? reply.products[0]?.title : null).toBe(REPAIRED);
    expect(botMatchRequestSchema.parse({ shopId: 'shop-a', text: BROKEN }).text).toBe(REPAIRED);
    expect(dismissGapRequestSchema.parse({ reason: BROKEN }).reason).toBe(REPAIRED);
    expect(createUserRequestSchema.parse({ login: 'li.na', displayName: BROKEN, role: 'agent', password: 'a-long-enough-password' }).displayName).toBe(REPAIRED);
  });
});
