import type { EmotionName, Stage } from '@warroom/contracts';
import { isOnSale, type Catalog, type Product } from './catalog';
import {
  CONTEXT_PREFIXES,
  EMOTION_WORDING,
  GENERIC_NEW_PRODUCTS,
  GREETINGS,
  HUMAN_REQUESTS,
  INTENTS,
  NEW_PRODUCTS,
  STAGE_GREETINGS,
  THANKS,
  VOCABULARY,
  type Intent,
} from './corpus';
import type { SimProfile } from './profile';

/**
 * Simulated customers: one `Conversation` per chat session, 2–4 messages (by the profile), each decided
 * after the bot's previous reply — a customer whose question was not understood rephrases it or asks
 * for a person, a handed-off customer stops talking to the bot, a satisfied pre-sale customer may
 * order. Pure apart from its random source, so a seed repeats a rehearsal message for message.
 */

export type Rng = () => number;

/** What the customer sends next, and what the simulator meant by it (for tests and reports). */
export interface Message {
  text: string;
  /** The product page the customer writes from. */
  sku?: string;
  /** Intent id, or greeting / thanks / human / link / replay. */
  intent: string;
  /** Meant to be answered by the knowledge base (null: small talk, requests, replayed text). */
  known: boolean | null;
  emotion: EmotionName;
}

/** What the customer saw of the bot's reply. */
export interface ReplySeen {
  outcome: 'answered' | 'unmatched' | 'handoff';
}

export interface OrderPlan {
  sku?: string;
  amountCents: number;
}

export interface Conversation {
  readonly shopId: string;
  /** The stage the customer is in; null when unknown (replayed messages). */
  readonly stage: Stage | null;
  /** The next message after `previous` (null for the first), or null when the customer is done. */
  next(previous: ReplySeen | null): Message | null;
  /** After the conversation: the order it ends in, if any. */
  order(): OrderPlan | null;
}

export interface ConversationSource {
  start(shopId: string, nowMs: number): Conversation;
}

export type ConversationSettings = Pick<SimProfile, 'stageMix' | 'emotions' | 'conversation' | 'orders'>;

/** Share of in-sale / after-sale customers who first say they have ordered / received the goods. */
const CONTEXT_PREFIX_SHARE = 0.2;
/** Share of in-sale / after-sale customers writing from the page of the product they bought. */
const ORDERED_PRODUCT_SHARE = 0.3;
/** After a reply that did not understand them: rephrase, ask for a person, or move on. */
const REPHRASE_SHARE = 0.45;
const HUMAN_AFTER_UNMATCHED_SHARE = 0.2;

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new Error('pick from an empty list');
  return items[Math.min(items.length - 1, Math.floor(rng() * items.length))]!;
}

export function pickWeighted<T>(rng: Rng, items: readonly T[], weight: (item: T) => number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let roll = rng() * total;
  for (const item of items) {
    roll -= weight(item);
    if (roll < 0) return item;
  }
  return pick(rng, items);
}

export function intBetween(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

const NO_PRODUCT = { product: '这款', newProduct: () => '新款' };
const STAGE_ORDER: readonly Stage[] = ['pre_sale', 'in_sale', 'after_sale'];
const EMOTION_ORDER = ['angry', 'anxious', 'worried', 'disappointed', 'satisfied', 'grateful'] as const;

/** The built-in corpus (corpus.ts) played by customers of the profile's mix. */
export class BuiltInConversations implements ConversationSource {
  private readonly pools = new Map<string, { known: Intent[]; gaps: Intent[] }>();
  private readonly stageCounts: Record<Stage, number> = { pre_sale: 0, in_sale: 0, after_sale: 0 };

  constructor(
    readonly settings: ConversationSettings,
    readonly catalog: Catalog,
    readonly rng: Rng,
  ) {}

  start(shopId: string, nowMs: number): Conversation {
    return new CustomerConversation(this, shopId, nowMs);
  }

  /** Intents a customer of this shop may ask in this stage. */
  intents(shopId: string, stage: Stage): { known: Intent[]; gaps: Intent[] } {
    const key = `${shopId}\u0000${stage}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const fits = INTENTS.filter((intent) => intent.stage === stage && (intent.shops === undefined || intent.shops.includes(shopId)));
      pool = { known: fits.filter((intent) => intent.known), gaps: fits.filter((intent) => !intent.known) };
      this.pools.set(key, pool);
    }
    return pool;
  }

  /**
   * The stage of the next customer: the one furthest behind its share of the mix so far (ties broken at
   * random), so even a short rehearsal plays the configured mix rather than a random draw around it.
   */
  pickStage(): Stage {
    const total = this.stageCounts.pre_sale + this.stageCounts.in_sale + this.stageCounts.after_sale + 1;
    let best: Stage = 'pre_sale';
    let bestDeficit = -Infinity;
    for (const stage of STAGE_ORDER) {
      const deficit = this.settings.stageMix[stage] * total - this.stageCounts[stage] + this.rng() * 1e-6;
      if (this.settings.stageMix[stage] > 0 && deficit > bestDeficit) {
        best = stage;
        bestDeficit = deficit;
      }
    }
    this.stageCounts[best] += 1;
    return best;
  }

  pickEmotion(): EmotionName {
    let roll = this.rng();
    for (const name of EMOTION_ORDER) {
      roll -= this.settings.emotions[name];
      if (roll < 0) return name;
    }
    return 'neutral';
  }

  /** Wraps a question in the wording of an emotion: a prefix, a suffix, or both. */
  decorate(text: string, emotion: EmotionName): string {
    if (emotion === 'neutral') return text;
    const wording = EMOTION_WORDING[emotion];
    const roll = this.rng();
    const prefix = roll < 0.5 || roll >= 0.85 ? pick(this.rng, wording.prefixes) : '';
    const suffix = roll >= 0.5 ? pick(this.rng, wording.suffixes) : '';
    return `${prefix}${text}${suffix}`;
  }

  fill(template: string, slots: { product: string; newProduct: () => string }): string {
    return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
      switch (name) {
        case 'product':
          return slots.product;
        case 'newProduct':
          return slots.newProduct();
        case 'city':
        case 'color':
        case 'person':
        case 'when':
          return pick(this.rng, VOCABULARY[name]);
        default:
          return whole;
      }
    });
  }
}

type ProductVia = 'page' | 'link' | 'name';

class CustomerConversation implements Conversation {
  readonly stage: Stage;
  private readonly turns: number;
  private readonly product: Product | null;
  private readonly via: ProductVia | null;
  private readonly greeting: boolean;
  private readonly thanks: boolean;
  private readonly humanAt: number;
  private readonly contextPrefix: boolean;
  private readonly onSale: Product[];
  private readonly upcoming: Product[];
  private sent = 0;
  private contentSent = 0;
  private lastIntent: Intent | null = null;
  private readonly used = new Set<string>();
  private answeredAny = false;
  private handedOff = false;
  private done = false;
  /** The customer has said they ordered / received the goods (a stage greeting or context prefix). */
  private saidOrderState = false;

  constructor(
    private readonly source: BuiltInConversations,
    readonly shopId: string,
    nowMs: number,
  ) {
    const rng = source.rng;
    const talk = source.settings.conversation;
    this.stage = source.pickStage();
    this.turns = intBetween(rng, talk.turns.min, talk.turns.max);
    const products = source.catalog.get(shopId) ?? [];
    const onSale = products.filter((product) => isOnSale(product, nowMs));
    this.onSale = onSale;
    this.upcoming = products.filter((product) => !isOnSale(product, nowMs));
    const withProduct = onSale.length > 0 && rng() < (this.stage === 'pre_sale' ? talk.productShare : ORDERED_PRODUCT_SHARE);
    this.product = withProduct ? pick(rng, onSale) : null;
    const viaRoll = rng();
    this.via = this.product === null ? null : this.stage !== 'pre_sale' || viaRoll < 0.5 ? 'page' : viaRoll < 0.75 ? 'link' : 'name';
    this.greeting = this.turns >= 2 && rng() < talk.greetingShare;
    this.thanks = this.turns >= 2 && rng() < talk.thanksShare;
    const firstContent = this.greeting ? 1 : 0;
    this.humanAt = rng() < talk.humanRequestShare ? intBetween(rng, firstContent, this.turns - 1) : -1;
    this.contextPrefix = this.stage !== 'pre_sale' && rng() < CONTEXT_PREFIX_SHARE;
  }

  next(previous: ReplySeen | null): Message | null {
    if (this.done) return null;
    if (previous?.outcome === 'answered') this.answeredAny = true;
    if (previous?.outcome === 'handoff') this.handedOff = true;
    if (this.handedOff || this.sent >= this.turns) {
      this.done = true;
      return null;
    }
    const index = this.sent;
    this.sent += 1;
    const rng = this.source.rng;
    if (index === 0 && this.greeting) {
      const text = this.stage === 'pre_sale' ? pick(rng, GREETINGS) : this.source.fill(pick(rng, STAGE_GREETINGS[this.stage]), NO_PRODUCT);
      this.saidOrderState = this.stage !== 'pre_sale';
      return this.message(text, 'greeting', null, 'neutral');
    }
    if (index === this.humanAt) {
      const emotion = this.emotion();
      return this.message(this.source.decorate(pick(rng, HUMAN_REQUESTS[this.stage]), emotion), 'human', null, emotion);
    }
    // A bare thank-you has no stage of its own: the bot can only place it if the customer said earlier
    // that they ordered or received the goods; otherwise an in-sale or after-sale customer asks on.
    const canThank = this.stage === 'pre_sale' || this.saidOrderState;
    if (index === this.turns - 1 && this.thanks && canThank && this.contentSent > 0 && previous?.outcome === 'answered') {
      return this.message(pick(rng, THANKS), 'thanks', null, 'grateful');
    }
    if (previous?.outcome === 'unmatched' && this.lastIntent) {
      const roll = rng();
      if (roll < REPHRASE_SHARE) return this.ask(this.lastIntent);
      if (roll < REPHRASE_SHARE + HUMAN_AFTER_UNMATCHED_SHARE) return this.message(pick(rng, HUMAN_REQUESTS[this.stage]), 'human', null);
    }
    if (this.contentSent === 0 && this.via === 'link' && this.product) {
      this.contentSent += 1;
      return this.message(this.product.url, 'link', true, 'neutral');
    }
    return this.ask(this.pickIntent());
  }

  order(): OrderPlan | null {
    const rng = this.source.rng;
    const orders = this.source.settings.orders;
    if (this.stage !== 'pre_sale' || !this.answeredAny || this.handedOff || rng() >= orders.share) return null;
    const product = this.product ?? (this.onSale.length > 0 ? pick(rng, this.onSale) : null);
    const amountCents = product?.priceCents ?? intBetween(rng, orders.amountCents.min, orders.amountCents.max);
    return product ? { sku: product.sku, amountCents } : { amountCents };
  }

  private pickIntent(): Intent {
    const rng = this.source.rng;
    const pool = this.source.intents(this.shopId, this.stage);
    const gap = pool.gaps.length > 0 && (pool.known.length === 0 || rng() < this.source.settings.conversation.unknownShare);
    const candidates = gap ? pool.gaps : pool.known;
    let intent = pickWeighted(rng, candidates, (item) => item.weight);
    for (let tries = 0; tries < 4 && this.used.has(intent.id); tries += 1) intent = pickWeighted(rng, candidates, (item) => item.weight);
    return intent;
  }

  private ask(intent: Intent): Message {
    const source = this.source;
    const rng = source.rng;
    this.lastIntent = intent;
    this.used.add(intent.id);
    const firstContent = this.contentSent === 0;
    this.contentSent += 1;
    const product =
      this.product === null ? '这款' : firstContent && this.via === 'name' ? this.product.name : rng() < 0.3 ? this.product.name : '这款';
    const phrasings = intent.common && rng() < source.settings.conversation.commonShare ? intent.common : intent.templates;
    let text = source.fill(pick(rng, phrasings), {
      product,
      newProduct: () => pick(rng, [...this.upcoming.map((item) => item.title), ...(NEW_PRODUCTS[this.shopId] ?? GENERIC_NEW_PRODUCTS)]),
    });
    const emotion = this.emotion();
    text = source.decorate(text, emotion);
    if (firstContent && this.contextPrefix && (this.stage === 'in_sale' || this.stage === 'after_sale')) {
      text = source.fill(pick(rng, CONTEXT_PREFIXES[this.stage]), NO_PRODUCT) + text;
      this.saidOrderState = true;
    }
    return this.message(text, intent.id, intent.known, emotion);
  }

  private emotion(): EmotionName {
    return this.source.pickEmotion();
  }

  private message(text: string, intent: string, known: boolean | null, emotion: EmotionName = 'neutral'): Message {
    return { text, intent, known, emotion, ...(this.via === 'page' && this.product ? { sku: this.product.sku } : {}) };
  }
}
