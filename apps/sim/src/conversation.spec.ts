import { resolve } from 'node:path';
import { chatRequestSchema, type Stage } from '@warroom/contracts';
import { describe, expect, it } from 'vitest';
// The bot's own stage rules: the simulator's stage mix is only worth something if the bot agrees with it.
import { advanceOrderState, detectStage, orderStateCue, type OrderState } from '../../bot/src/chat/stage';
import { loadCatalog } from './catalog';
import { loadProfile } from './config';
import { BuiltInConversations, type Conversation, type Message, type ReplySeen } from './conversation';
import { INTENTS } from './corpus';
import { mulberry32 } from './traffic';

const PACKS = resolve(__dirname, '../../../packs');
const { profile } = loadProfile('double11');
const catalog = loadCatalog(PACKS, profile.shops);
const NOW = Date.parse('2026-11-11T00:05:00+08:00');

/** The reply a customer would get if the bot answered what it is meant to answer. */
function idealReply(message: Message): ReplySeen {
  if (message.intent === 'human') return { outcome: 'handoff' };
  if (message.known === false) return { outcome: 'unmatched' };
  return { outcome: 'answered' };
}

interface Played {
  conversation: Conversation;
  messages: Message[];
}

function play(seed: number, count: number, reply: (message: Message) => ReplySeen = idealReply): Played[] {
  const source = new BuiltInConversations(profile, catalog, mulberry32(seed));
  const played: Played[] = [];
  for (let i = 0; i < count; i += 1) {
    const conversation = source.start(profile.shops[i % profile.shops.length]!, NOW);
    const messages: Message[] = [];
    let previous: ReplySeen | null = null;
    for (let message = conversation.next(null); message; message = conversation.next(previous)) {
      messages.push(message);
      previous = reply(message);
    }
    played.push({ conversation, messages });
  }
  return played;
}

describe('built-in corpus', () => {
  it('has unique intents, known ones and gaps in every stage for every demo shop', () => {
    expect(new Set(INTENTS.map((intent) => intent.id)).size).toBe(INTENTS.length);
    for (const shopId of profile.shops) {
      for (const stage of ['pre_sale', 'in_sale', 'after_sale'] as const) {
        const fits = INTENTS.filter((intent) => intent.stage === stage && (!intent.shops || intent.shops.includes(shopId)));
        expect(fits.filter((intent) => intent.known).length).toBeGreaterThanOrEqual(5);
        expect(fits.filter((intent) => !intent.known).length).toBeGreaterThanOrEqual(3);
      }
    }
    for (const intent of INTENTS) {
      expect(intent.templates.length).toBeGreaterThan(0);
      for (const template of [...intent.templates, ...(intent.common ?? [])]) {
        expect(template.replace(/\{(product|newProduct|city|color|person|when)\}/g, '')).not.toMatch(/[{}]/);
      }
    }
  });
});

describe('BuiltInConversations', () => {
  it('repeats itself for a seed', () => {
    const texts = (seed: number) => play(seed, 200).map((played) => played.messages.map((message) => message.text));
    expect(texts(42)).toEqual(texts(42));
    expect(texts(42)).not.toEqual(texts(43));
  });

  it('plays the configured stage mix, 2–4 turns, emotions and unknown questions', () => {
    const played = play(7, 4000);
    const stages: Record<Stage, number> = { pre_sale: 0, in_sale: 0, after_sale: 0 };
    for (const { conversation } of played) stages[conversation.stage ?? 'pre_sale'] += 1;
    for (const stage of ['pre_sale', 'in_sale', 'after_sale'] as const) {
      expect(stages[stage] / played.length).toBeCloseTo(profile.stageMix[stage], 2);
    }
    for (const { messages } of played) {
      // A customer handed to a person stops talking to the bot earlier.
      if (messages[messages.length - 1]?.intent !== 'human') expect(messages.length).toBeGreaterThanOrEqual(profile.conversation.turns.min);
      expect(messages.length).toBeLessThanOrEqual(profile.conversation.turns.max);
    }
    const messages = played.flatMap((item) => item.messages);
    const content = messages.filter((message) => message.known !== null);
    const unknown = content.filter((message) => message.known === false).length / content.length;
    expect(unknown).toBeGreaterThan(profile.conversation.unknownShare * 0.6);
    expect(unknown).toBeLessThan(profile.conversation.unknownShare * 1.4);
    const emotional = messages.filter((message) => message.intent !== 'thanks' && message.emotion !== 'neutral').length / messages.length;
    const configured = Object.values(profile.emotions).reduce((sum, share) => sum + share, 0);
    expect(emotional).toBeGreaterThan(configured * 0.5);
    expect(emotional).toBeLessThan(configured * 1.2);
    const kinds = new Set(messages.map((message) => message.intent));
    for (const kind of ['greeting', 'thanks', 'human', 'link']) expect(kinds).toContain(kind);
    // Follow-ups: most conversations ask more than one real question.
    const multi = played.filter(({ messages: all }) => all.filter((message) => message.known !== null).length >= 2).length;
    expect(multi / played.length).toBeGreaterThan(0.5);
  });

  it('asks about the shops’ real SKUs, and about products they do not sell yet', () => {
    const messages = play(11, 2000).flatMap((played) => played.messages);
    const skus = new Set(messages.flatMap((message) => (message.sku ? [message.sku] : [])));
    const onSale = [...catalog.values()].flat().filter((product) => product.launchAtMs === null).map((product) => product.sku);
    expect([...skus].sort()).toEqual([...onSale].sort());
    expect(messages.some((message) => message.text.includes('item.example.com'))).toBe(true);
    // The X30 Pro launches 2026-12-12: before that it is a new product the knowledge base does not know.
    expect(messages.some((message) => message.intent === 'gap.new-product' && message.text.includes('星河 X30 Pro'))).toBe(true);
  });

  it('sends only what the bot’s contract accepts', () => {
    for (const { conversation, messages } of play(3, 1000)) {
      for (const message of messages) {
        const request = { shopId: conversation.shopId, sessionId: 's', customerId: 'c', text: message.text, ...(message.sku ? { sku: message.sku } : {}) };
        expect(chatRequestSchema.safeParse(request).success).toBe(true);
      }
    }
  });

  it('rephrases or asks for a person after a reply that missed, and stops talking after a handoff', () => {
    const missed = play(5, 1500, () => ({ outcome: 'unmatched' }));
    const afterMiss = missed.flatMap(({ messages }) => messages.slice(1));
    const rephrased = missed.filter(({ messages }) => messages.some((message, i) => i > 0 && message.intent === messages[i - 1]!.intent && message.known !== null));
    expect(rephrased.length).toBeGreaterThan(0);
    expect(afterMiss.filter((message) => message.intent === 'human').length / afterMiss.length).toBeGreaterThan(0.1);
    const handedOff = play(5, 300, () => ({ outcome: 'handoff' }));
    for (const { messages } of handedOff) expect(messages).toHaveLength(1);
  });

  it('orders only after an answered pre-sale conversation without a handoff', () => {
    const answered = play(9, 3000);
    const orders = answered.flatMap(({ conversation }) => {
      const plan = conversation.order();
      return plan ? [{ conversation, plan }] : [];
    });
    expect(orders.length).toBeGreaterThan(0);
    for (const { conversation, plan } of orders) {
      expect(conversation.stage).toBe('pre_sale');
      expect(plan.amountCents).toBeGreaterThan(0);
    }
    const preSaleWithoutHandoff = answered.filter(
      ({ conversation, messages }) => conversation.stage === 'pre_sale' && !messages.some((message) => message.intent === 'human'),
    ).length;
    expect(orders.length / preSaleWithoutHandoff).toBeCloseTo(profile.orders.share, 1);
    const handedOff = play(9, 500, () => ({ outcome: 'handoff' }));
    expect(handedOff.filter(({ conversation }) => conversation.order() !== null)).toHaveLength(0);
  });

  it('words each stage so that the bot’s stage detection agrees (≥ 90 % of questions)', () => {
    let agree = 0;
    let total = 0;
    for (const { conversation, messages } of play(13, 3000)) {
      let orderState: OrderState = 'none';
      for (const message of messages) {
        orderState = advanceOrderState(orderState, orderStateCue(message.text));
        const reply = idealReply(message);
        // What the matched answer would say: small talk and product links are pre-sale answers.
        const answerStage: Stage | null =
          reply.outcome !== 'answered' ? null : message.known === null || message.intent === 'link' ? 'pre_sale' : (INTENTS.find((intent) => intent.id === message.intent)?.stage ?? null);
        const stage = detectStage({ text: message.text, orderState, answerStage });
        total += 1;
        if (stage === conversation.stage) agree += 1;
      }
    }
    expect(agree / total).toBeGreaterThan(0.9);
  });
});
