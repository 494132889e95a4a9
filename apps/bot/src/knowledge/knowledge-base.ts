import {
  formatJsonPath,
  formatPackProblem,
  type IndustryPack,
  type KbPack,
  type KbReply,
  type PackProblem,
  type ProductPack,
  type ShopPack,
  type SmalltalkPack,
  type Stage,
} from '@warroom/contracts';
import type { KbChange } from '@warroom/knowledge';
import { normalizeQuestion } from '@warroom/matcher';
import { NotFound } from '@warroom/nest-common';
import { findProductMention, type ProductMention } from './product-mention';
import type { MatchOutcome, MatcherFactory, QuestionMatcher } from './question-matcher';

/**
 * The layered "1+N" knowledge base of the shops one bot serves.
 *
 * For each shop: the industry pack's answers and attributes, the small-talk packs, then the shop's own
 * pack on top (an override replaces an industry answer's reply and/or adds examples, and keeps its id so
 * statistics count under the answer it overrides; the shop's own answers are added beside), then its
 * product packs, each live from its `launchAt` on. Each shop gets its own matcher over the result.
 *
 * Resolution of a matched answer id (`resolve`): an attribute (weight, fast charging…) answers with the
 * live product in context's value, else with the shop's or industry's fallback; anything else answers
 * with the shop's reply if it overrides, else the industry's.
 *
 * Live changes (`applyChange`) come from the `kb.patches` follower once the shared ledger
 * (libs/knowledge) has applied its rule: this class only mirrors what the ledger decided, in place, so
 * a patched answer is matched and sent from the next question on. A retired answer leaves the matcher
 * (and is never sent); examples a change drops are forgotten by the matcher, not only by the exact index.
 */

/** The answer id of a product's selling points, sent when a customer sends its link. */
export const SELLING_POINTS_ANSWER_ID = 'product.selling-points';
const RESERVED_IDS = new Set([SELLING_POINTS_ANSWER_ID]);

export interface LoadedPack {
  file: string;
  pack: KbPack;
  lineOf: (path: readonly PropertyKey[]) => number | null;
}

export type AnswerSource = 'industry' | 'shop' | 'product' | 'smalltalk';

export interface ResolvedAnswer {
  answerId: string;
  revision: number;
  reply: KbReply;
  stage: Stage;
  /** The product whose value answered, or that is in context. */
  sku: string | null;
  source: AnswerSource;
}

interface AnswerEntry {
  id: string;
  kind: 'answer' | 'attribute' | 'smalltalk';
  stage: Stage;
  /** For attributes: the fallback, when no live product in context has a value. */
  reply: KbReply;
  revision: number;
  origin: Exclude<AnswerSource, 'product'>;
  examples: Set<string>;
  retired: boolean;
}

export interface ProductEntry {
  sku: string;
  title: string;
  url: string;
  aliases: string[];
  launchAtMs: number | null;
  revision: number;
  sellingPoints: KbReply;
  attributes: Map<string, KbReply>;
  /** Revision of each attribute value that was patched since the pack (others carry `revision`). */
  attributeRevisions: Map<string, number>;
}

interface ShopKnowledge {
  shopId: string;
  answers: Map<string, AnswerEntry>;
  products: Map<string, ProductEntry>;
  matcher: QuestionMatcher;
  /** Normalised example question → its answer (AMBIGUOUS when two answers share it). */
  exact: Map<string, string>;
}

const AMBIGUOUS = '\u0000ambiguous';

export class KnowledgeBaseError extends Error {
  constructor(readonly problems: PackProblem[]) {
    super(`Invalid knowledge base (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${formatPackProblem(p)}`).join('\n')}`);
    this.name = 'KnowledgeBaseError';
  }
}

export class KnowledgeBase {
  private constructor(private readonly shops: ReadonlyMap<string, ShopKnowledge>) {}

  /** Assembles the shops' knowledge from parsed pack files, or throws naming every cross-file problem. */
  static build(packs: readonly LoadedPack[], shopIds: readonly string[], createMatcher: MatcherFactory): KnowledgeBase {
    const problems: PackProblem[] = [];
    const problem = (loaded: LoadedPack | null, path: readonly PropertyKey[], reason: string): void => {
      problems.push({
        file: loaded?.file ?? '(configuration)',
        line: loaded ? loaded.lineOf(path) : null,
        path: formatJsonPath(path),
        reason,
      });
    };

    const industries = new Map<string, LoadedPack & { pack: IndustryPack }>();
    const shopPacks = new Map<string, LoadedPack & { pack: ShopPack }>();
    const products = new Map<string, (LoadedPack & { pack: ProductPack })[]>();
    const smalltalk: (LoadedPack & { pack: SmalltalkPack })[] = [];
    for (const loaded of packs) {
      const { pack } = loaded;
      switch (pack.kind) {
        case 'industry': {
          const seen = industries.get(pack.id);
          if (seen) problem(loaded, ['id'], `industry pack "${pack.id}" is also defined in ${seen.file}`);
          else industries.set(pack.id, { ...loaded, pack });
          break;
        }
        case 'shop': {
          const seen = shopPacks.get(pack.shopId);
          if (seen) problem(loaded, ['shopId'], `shop "${pack.shopId}" already has a pack: ${seen.file}`);
          else shopPacks.set(pack.shopId, { ...loaded, pack });
          break;
        }
        case 'product': {
          const list = products.get(pack.shopId) ?? [];
          const seen = list.find((other) => other.pack.sku === pack.sku);
          if (seen) problem(loaded, ['sku'], `SKU ${pack.sku} of shop ${pack.shopId} already has a pack: ${seen.file}`);
          else list.push({ ...loaded, pack });
          products.set(pack.shopId, list);
          break;
        }
        case 'smalltalk':
          smalltalk.push({ ...loaded, pack });
          break;
      }
    }

    const built = new Map<string, ShopKnowledge>();
    for (const shopId of shopIds) {
      const shopPack = shopPacks.get(shopId);
      if (!shopPack) {
        problem(null, ['BOT_SHOP_IDS'], `shop "${shopId}" has no shop pack (kind "shop", shopId "${shopId}")`);
        continue;
      }
      const industry = industries.get(shopPack.pack.industry);
      if (!industry) {
        problem(shopPack, ['industry'], `no industry pack with id "${shopPack.pack.industry}"`);
        continue;
      }
      const shop = assembleShop(shopPack, industry, smalltalk, products.get(shopId) ?? [], problem, createMatcher);
      built.set(shopId, shop);
    }
    if (problems.length > 0) throw new KnowledgeBaseError(problems);
    for (const shop of built.values()) {
      for (const entry of shop.answers.values()) {
        shop.matcher.addAnswer(entry.id, [...entry.examples]);
        indexExamples(shop, entry.id, entry.examples);
      }
      // Train now, at load, rather than on the first customer's question.
      shop.matcher.prepare();
    }
    return new KnowledgeBase(built);
  }

  shopIds(): string[] {
    return [...this.shops.keys()];
  }

  has(shopId: string): boolean {
    return this.shops.has(shopId);
  }

  stats(shopId: string): { answers: number; products: number } {
    const shop = this.shop(shopId);
    return { answers: shop.answers.size, products: shop.products.size };
  }

  /**
   * The best answers for a question. A question that is, once normalised, one of an answer's own
   * examples is that answer with certainty (score 1): what a trainer added as an example is answered,
   * whatever the matcher's tuning. Anything else is the matcher's call.
   */
  match(shopId: string, text: string, topK: number): MatchOutcome {
    const shop = this.shop(shopId);
    const exact = shop.exact.get(normalizeQuestion(text));
    if (exact === undefined || exact === AMBIGUOUS) return withoutRetired(shop, shop.matcher.match(text, topK));
    const others = topK > 1 ? withoutRetired(shop, shop.matcher.match(text, topK)).candidates.filter((candidate) => candidate.answerId !== exact) : [];
    return { candidates: [{ answerId: exact, score: 1 }, ...others].slice(0, Math.max(1, topK)), confidence: 1, matched: true };
  }

  /** The stage annotation of an answer, or null for an unknown id. */
  stageOf(shopId: string, answerId: string): Stage | null {
    if (answerId === SELLING_POINTS_ANSWER_ID) return 'pre_sale';
    return this.shop(shopId).answers.get(answerId)?.stage ?? null;
  }

  /** What a matched answer id says to this shop's customer, with `sku` the product in context. */
  resolve(shopId: string, answerId: string, sku: string | null, nowMs: number): ResolvedAnswer | null {
    const shop = this.shop(shopId);
    if (answerId === SELLING_POINTS_ANSWER_ID) return sku === null ? null : this.sellingPoints(shopId, sku, nowMs);
    const entry = shop.answers.get(answerId);
    if (!entry || entry.retired) return null;
    if (entry.kind === 'attribute' && sku !== null) {
      const product = liveProduct(shop, sku, nowMs);
      const value = product?.attributes.get(answerId);
      if (product && value) {
        const revision = product.attributeRevisions.get(answerId) ?? product.revision;
        return { answerId, revision, reply: value, stage: entry.stage, sku, source: 'product' };
      }
    }
    return { answerId, revision: entry.revision, reply: entry.reply, stage: entry.stage, sku, source: entry.origin };
  }

  /** A live product's selling points (what a customer who sends its link gets). */
  sellingPoints(shopId: string, sku: string, nowMs: number): ResolvedAnswer | null {
    const product = liveProduct(this.shop(shopId), sku, nowMs);
    if (!product) return null;
    return {
      answerId: SELLING_POINTS_ANSWER_ID,
      revision: product.revision,
      reply: product.sellingPoints,
      stage: 'pre_sale',
      sku,
      source: 'product',
    };
  }

  /** A live product the message names, by link (URL with its SKU) or by alias, and the rest of the text. */
  findProduct(shopId: string, text: string, nowMs: number): ProductMention | null {
    const shop = this.shop(shopId);
    return findProductMention(text, [...shop.products.values()].filter((product) => isLive(product, nowMs)));
  }

  /**
   * Mirrors one change the ledger applied from `kb.patches`, for the shops of it this bot serves. New
   * examples are learnt incrementally; examples a rollback removed stop being exact matches (the matcher
   * keeps what it learnt of them).
   */
  applyChange(change: KbChange): void {
    if (change.kind === 'product_attribute') {
      const product = this.shops.get(change.shopId)?.products.get(change.sku);
      if (!product) return;
      product.attributes.set(change.attributeId, change.reply);
      product.attributeRevisions.set(change.attributeId, change.revision);
      return;
    }
    for (const shopId of change.shopIds) {
      const shop = this.shops.get(shopId);
      if (!shop) continue;
      const entry = shop.answers.get(change.answerId);
      const content = change.content;
      if (!entry) {
        if (!content) continue;
        const examples = exampleSet(content.examples);
        shop.matcher.addAnswer(change.answerId, [...examples]);
        indexExamples(shop, change.answerId, examples);
        shop.answers.set(change.answerId, {
          id: change.answerId, kind: 'answer', stage: content.stage ?? 'pre_sale', reply: content.reply, revision: change.revision, origin: change.origin, examples, retired: false,
        });
        continue;
      }
      entry.revision = change.revision;
      entry.origin = change.origin;
      const wasRetired = entry.retired;
      entry.retired = content === null;
      if (!content) {
        if (!wasRetired) shop.matcher.removeAnswer(entry.id);
        continue;
      }
      entry.reply = content.reply;
      if (content.stage) entry.stage = content.stage;
      const wanted = exampleSet(content.examples);
      const fresh = [...wanted].filter((example) => !entry.examples.has(example));
      const removed = [...entry.examples].filter((example) => !wanted.has(example));
      if (wasRetired) shop.matcher.addAnswer(entry.id, [...wanted]);
      else if (fresh.length > 0 || removed.length > 0) shop.matcher.replaceExamples(entry.id, [...wanted]);
      entry.examples = wanted;
      indexExamples(shop, entry.id, fresh);
      unindexExamples(shop, entry.id, removed);
    }
  }

  private shop(shopId: string): ShopKnowledge {
    const shop = this.shops.get(shopId);
    if (!shop) throw new UnknownShopError(shopId);
    return shop;
  }
}

/** A shop this bot does not serve is the caller's mistake: 404 with the shop named. */
export class UnknownShopError extends NotFound {
  constructor(readonly shopId: string) {
    super(`this bot does not serve shop ${shopId}`, { shopId });
  }
}

type Problem = (loaded: LoadedPack | null, path: readonly PropertyKey[], reason: string) => void;

function assembleShop(
  shopPack: LoadedPack & { pack: ShopPack },
  industry: LoadedPack & { pack: IndustryPack },
  smalltalk: readonly (LoadedPack & { pack: SmalltalkPack })[],
  productPacks: readonly (LoadedPack & { pack: ProductPack })[],
  problem: Problem,
  createMatcher: MatcherFactory,
): ShopKnowledge {
  const answers = new Map<string, AnswerEntry>();
  const where = new Map<string, string>();
  const add = (loaded: LoadedPack, path: readonly PropertyKey[], entry: AnswerEntry): void => {
    if (RESERVED_IDS.has(entry.id)) return problem(loaded, path, `answer id "${entry.id}" is reserved`);
    const seen = where.get(entry.id);
    if (seen) return problem(loaded, path, `answer id "${entry.id}" is already used by ${seen}`);
    where.set(entry.id, loaded.file);
    answers.set(entry.id, entry);
  };
  const revision = industry.pack.revision;
  industry.pack.answers.forEach((answer, index) =>
    add(industry, ['answers', index, 'id'], {
      id: answer.id, kind: 'answer', stage: answer.stage, reply: answer.reply, revision, origin: 'industry', retired: false, examples: exampleSet(answer.examples),
    }),
  );
  industry.pack.attributes.forEach((attribute, index) =>
    add(industry, ['attributes', index, 'id'], {
      id: attribute.id, kind: 'attribute', stage: attribute.stage, reply: attribute.fallback, revision, origin: 'industry', retired: false, examples: exampleSet(attribute.examples),
    }),
  );
  for (const loaded of smalltalk) {
    loaded.pack.answers.forEach((answer, index) =>
      add(loaded, ['answers', index, 'id'], {
        id: answer.id, kind: 'smalltalk', stage: 'pre_sale', reply: answer.reply, revision: loaded.pack.revision, origin: 'smalltalk', retired: false, examples: exampleSet(answer.examples),
      }),
    );
  }

  const overridden = new Set<string>();
  shopPack.pack.overrides.forEach((override, index) => {
    const path = ['overrides', index, 'answerId'];
    if (overridden.has(override.answerId)) {
      problem(shopPack, path, `"${override.answerId}" is overridden twice`);
      return;
    }
    const base = answers.get(override.answerId);
    if (!base || base.origin !== 'industry') {
      problem(shopPack, path, `overrides "${override.answerId}", which is no answer or attribute of industry pack "${industry.pack.id}"`);
      return;
    }
    overridden.add(override.answerId);
    answers.set(override.answerId, {
      ...base,
      stage: override.stage ?? base.stage,
      reply: override.reply ?? base.reply,
      revision: override.reply ? shopPack.pack.revision : base.revision,
      origin: 'shop',
      examples: new Set([...base.examples, ...exampleSet(override.examples ?? [])]),
    });
  });
  shopPack.pack.answers.forEach((answer, index) =>
    add(shopPack, ['answers', index, 'id'], {
      id: answer.id, kind: 'answer', stage: answer.stage, reply: answer.reply, revision: shopPack.pack.revision, origin: 'shop', retired: false, examples: exampleSet(answer.examples),
    }),
  );

  const attributeIds = new Set(industry.pack.attributes.map((attribute) => attribute.id));
  const products = new Map<string, ProductEntry>();
  for (const loaded of productPacks) {
    const { pack } = loaded;
    for (const key of Object.keys(pack.attributes)) {
      if (!attributeIds.has(key)) {
        problem(loaded, ['attributes', key], `"${key}" is not an attribute of industry pack "${industry.pack.id}" (${[...attributeIds].join(', ')})`);
      }
    }
    products.set(pack.sku, {
      sku: pack.sku,
      title: pack.title,
      url: pack.url,
      aliases: pack.aliases,
      launchAtMs: pack.launchAt === undefined ? null : Date.parse(pack.launchAt),
      revision: pack.revision,
      sellingPoints: pack.sellingPoints,
      attributes: new Map(Object.entries(pack.attributes)),
      attributeRevisions: new Map(),
    });
  }
  return { shopId: shopPack.pack.shopId, answers, products, matcher: createMatcher(), exact: new Map() };
}

/** A retired answer is never sent: when it is the best candidate, the question is unmatched. */
function withoutRetired(shop: ShopKnowledge, outcome: MatchOutcome): MatchOutcome {
  const retired = (answerId: string) => shop.answers.get(answerId)?.retired === true;
  if (!outcome.candidates.some((candidate) => retired(candidate.answerId))) return outcome;
  const topRetired = outcome.candidates[0] !== undefined && retired(outcome.candidates[0].answerId);
  return {
    candidates: outcome.candidates.filter((candidate) => !retired(candidate.answerId)),
    confidence: topRetired ? 0 : outcome.confidence,
    matched: outcome.matched && !topRetired,
  };
}

function unindexExamples(shop: ShopKnowledge, answerId: string, examples: Iterable<string>): void {
  for (const example of examples) {
    const key = normalizeQuestion(example);
    if (shop.exact.get(key) === answerId) shop.exact.delete(key);
  }
}

function indexExamples(shop: ShopKnowledge, answerId: string, examples: Iterable<string>): void {
  for (const example of examples) {
    const key = normalizeQuestion(example);
    if (key === '') continue;
    const seen = shop.exact.get(key);
    shop.exact.set(key, seen === undefined || seen === answerId ? answerId : AMBIGUOUS);
  }
}

function exampleSet(examples: readonly string[]): Set<string> {
  return new Set(examples.map((example) => example.trim()));
}

function isLive(product: ProductEntry, nowMs: number): boolean {
  return product.launchAtMs === null || nowMs >= product.launchAtMs;
}

function liveProduct(shop: ShopKnowledge, sku: string, nowMs: number): ProductEntry | null {
  const product = shop.products.get(sku);
  return product && isLive(product, nowMs) ? product : null;
}
