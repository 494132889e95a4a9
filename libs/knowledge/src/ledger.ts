import type {
  Actor,
  KbPack,
  KbPatchDecision,
  KbPatchOp,
  KbPatchProposal,
  KbReply,
  KbScope,
  KbTargetVersion,
  Stage,
} from '@warroom/contracts';

/**
 * The knowledge base's ledger: every patchable target's current version and history, and the one
 * deterministic rule every reader of `kb.patches` applies in log order (DESIGN.md "Data flow"):
 * a proposal is applied when its base revision is its target's current revision and it makes sense
 * (the answer exists, is not retired, the scope is known…), and rejected otherwise, with the reason.
 * The api and every bot run the same ledger over the same log, so they agree without talking.
 *
 * Targets: `industry:<industryId>/<answerId>` (industry answers and attributes), `shop:<shopId>/<answerId>`
 * (a shop's own answers and its overrides of industry ones), `product:<shopId>/<sku>/<attributeId>`.
 * A shop sees an industry answer it does not override through the industry target; a shop-scope patch
 * of such an answer creates the shop's target, starting from the industry's history.
 */

export interface TargetContent {
  stage: Stage | null;
  reply: KbReply;
  examples: string[];
}

/** What an applied patch changes in a running knowledge base (the bot's matcher follows it). */
export type KbChange =
  | {
      kind: 'answer';
      /** Shops whose view of the answer changed. */
      shopIds: string[];
      answerId: string;
      /** Which pack the answer now lives in for those shops. */
      origin: 'shop' | 'industry';
      revision: number;
      /** null: retired. */
      content: TargetContent | null;
    }
  | { kind: 'product_attribute'; shopId: string; sku: string; attributeId: string; revision: number; reply: KbReply };

export type LedgerResult = { decision: KbPatchDecision; change: KbChange | null };

interface Target {
  key: string;
  history: KbTargetVersion[];
}

export function shopTarget(shopId: string, answerId: string): string {
  return `shop:${shopId}/${answerId}`;
}
export function industryTarget(industryId: string, answerId: string): string {
  return `industry:${industryId}/${answerId}`;
}
export function productTarget(shopId: string, sku: string, attributeId: string): string {
  return `product:${shopId}/${sku}/${attributeId}`;
}

class Rejection extends Error {}

export class KbLedger {
  private readonly targets = new Map<string, Target>();
  /** shopId → its industry pack's id. */
  private readonly industryOf = new Map<string, string>();
  /** industryId → attribute ids (a product may only carry those). */
  private readonly attributesOf = new Map<string, Set<string>>();
  /** shopId → SKUs with a product pack. */
  private readonly productsOf = new Map<string, Set<string>>();
  /** Small-talk ids: shared by every shop, never patched, never reused. */
  private readonly smalltalkIds = new Set<string>();

  /** The ledger as the pack files define it; patches are then applied with `apply`, in log order. */
  constructor(packs: readonly KbPack[]) {
    const industries = new Map<string, Extract<KbPack, { kind: 'industry' }>>();
    for (const pack of packs) {
      if (pack.kind !== 'industry') continue;
      industries.set(pack.id, pack);
      this.attributesOf.set(pack.id, new Set(pack.attributes.map((attribute) => attribute.id)));
      for (const answer of pack.answers) this.seed(industryTarget(pack.id, answer.id), pack.revision, { stage: answer.stage, reply: answer.reply, examples: answer.examples });
      for (const attribute of pack.attributes) {
        this.seed(industryTarget(pack.id, attribute.id), pack.revision, { stage: attribute.stage, reply: attribute.fallback, examples: attribute.examples });
      }
    }
    for (const pack of packs) {
      switch (pack.kind) {
        case 'smalltalk':
          for (const answer of pack.answers) this.smalltalkIds.add(answer.id);
          break;
        case 'product': {
          const skus = this.productsOf.get(pack.shopId) ?? new Set<string>();
          skus.add(pack.sku);
          this.productsOf.set(pack.shopId, skus);
          for (const [attributeId, reply] of Object.entries(pack.attributes)) {
            this.seed(productTarget(pack.shopId, pack.sku, attributeId), pack.revision, { stage: null, reply, examples: [] });
          }
          break;
        }
        case 'shop': {
          this.industryOf.set(pack.shopId, pack.industry);
          for (const answer of pack.answers) {
            this.seed(shopTarget(pack.shopId, answer.id), pack.revision, { stage: answer.stage, reply: answer.reply, examples: answer.examples });
          }
          for (const override of pack.overrides) {
            const base = this.current(industryTarget(pack.industry, override.answerId));
            if (!base?.content) continue;
            // Mirrors the bot's layering: an override that keeps the industry reply keeps its revision.
            const revision = override.reply ? pack.revision : base.revision;
            this.seed(shopTarget(pack.shopId, override.answerId), revision, {
              stage: override.stage ?? base.content.stage,
              reply: override.reply ?? base.content.reply,
              examples: unique([...base.content.examples, ...(override.examples ?? [])]),
            });
          }
          break;
        }
        case 'industry':
          break;
      }
    }
  }

  /** The current version of a target, or null when it does not exist. */
  current(key: string): KbTargetVersion | null {
    return this.targets.get(key)?.history.at(-1) ?? null;
  }

  /** Every version of a target, oldest first. */
  history(key: string): KbTargetVersion[] {
    return [...(this.targets.get(key)?.history ?? [])];
  }

  /** The target a shop's view of an answer comes from: its own, else its industry's. */
  effectiveTarget(shopId: string, answerId: string): string | null {
    const own = shopTarget(shopId, answerId);
    if (this.targets.has(own)) return own;
    const industryId = this.industryOf.get(shopId);
    if (industryId === undefined) return null;
    const shared = industryTarget(industryId, answerId);
    return this.targets.has(shared) ? shared : null;
  }

  /** The target a patch changes (before it is applied), or null when its scope is unknown. */
  targetOf(op: KbPatchOp): string | null {
    if (op.op === 'set_product_attribute') return productTarget(op.shopId, op.sku, op.attributeId);
    const answerId = op.op === 'new_answer' ? op.answer.id : op.answerId;
    if (op.scope.pack === 'industry') return industryTarget(op.scope.industryId, answerId);
    return shopTarget(op.scope.shopId, answerId);
  }

  /** Who published the current revision of the target a patch changes (null: the pack file, or no target). */
  currentAuthorOf(op: KbPatchOp): string | null {
    const target = this.targetOf(op);
    return target === null ? null : (this.current(target)?.author?.userId ?? null);
  }

  /** The current revision a patch would be checked against (0 when its target does not exist yet). */
  baseRevisionFor(op: KbPatchOp): number {
    if (op.op === 'set_product_attribute') return this.current(productTarget(op.shopId, op.sku, op.attributeId))?.revision ?? 0;
    const answerId = op.op === 'new_answer' ? op.answer.id : op.answerId;
    const key = op.scope.pack === 'industry' ? industryTarget(op.scope.industryId, answerId) : this.effectiveTarget(op.scope.shopId, answerId);
    return key === null ? 0 : (this.current(key)?.revision ?? 0);
  }

  /** Every answer (and attribute) a shop sees, its own and its industry's, with the target each comes from. */
  answersOf(shopId: string): { answerId: string; target: string; version: KbTargetVersion }[] {
    const industryId = this.industryOf.get(shopId);
    if (industryId === undefined) return [];
    const seen = new Map<string, { answerId: string; target: string; version: KbTargetVersion }>();
    for (const prefix of [`shop:${shopId}/`, `industry:${industryId}/`]) {
      for (const [key, target] of this.targets) {
        if (!key.startsWith(prefix)) continue;
        const answerId = key.slice(prefix.length);
        const version = target.history.at(-1);
        if (version && !seen.has(answerId)) seen.set(answerId, { answerId, target: key, version });
      }
    }
    return [...seen.values()].sort((a, b) => a.answerId.localeCompare(b.answerId));
  }

  /** The industry pack a shop refines, or null for an unknown shop. */
  industryOfShop(shopId: string): string | null {
    return this.industryOf.get(shopId) ?? null;
  }

  shops(): string[] {
    return [...this.industryOf.keys()];
  }

  /**
   * What `apply` would decide for a proposal, without applying it (a preview of a patch): the change it
   * would make, or the reason it would be rejected.
   */
  dryRun(proposal: KbPatchProposal, appliedAt: string): { ok: true; change: KbChange } | { ok: false; reason: string } {
    try {
      return { ok: true, change: this.decide(proposal, appliedAt).change };
    } catch (error) {
      if (error instanceof Rejection) return { ok: false, reason: error.message };
      throw error;
    }
  }

  /** Applies one proposal from the log (the rule), returning the decision and, if applied, the change. */
  apply(proposal: KbPatchProposal, offset: number, appliedAt: string): LedgerResult {
    const op = proposal.patch;
    const key = this.targetOf(op) ?? 'unknown';
    try {
      const { version, change } = this.decide(proposal, appliedAt);
      const target = this.targets.get(version.target) ?? { key: version.target, history: this.inheritedHistory(op) };
      target.history.push(version);
      this.targets.set(version.target, target);
      return { decision: { status: 'applied', patchId: proposal.patchId, offset, version }, change };
    } catch (error) {
      if (!(error instanceof Rejection)) throw error;
      const currentKey = op.op === 'set_product_attribute' || op.scope.pack === 'industry' ? key : this.effectiveTarget(op.scope.shopId, op.op === 'new_answer' ? op.answer.id : op.answerId);
      return {
        decision: {
          status: 'rejected',
          patchId: proposal.patchId,
          offset,
          target: key,
          reason: error.message,
          current: currentKey === null ? null : this.current(currentKey),
        },
        change: null,
      };
    }
  }

  private decide(proposal: KbPatchProposal, appliedAt: string): { version: KbTargetVersion; change: KbChange } {
    const op = proposal.patch;
    const stamp = (target: string, revision: number, content: TargetContent | null): KbTargetVersion => ({
      target,
      revision,
      content,
      author: proposal.author satisfies Actor,
      appliedAt,
      patchId: proposal.patchId,
      op: op.op,
    });

    if (op.op === 'set_product_attribute') {
      const industryId = this.industryOf.get(op.shopId);
      if (industryId === undefined) throw new Rejection(`unknown shop ${op.shopId}`);
      if (!this.productsOf.get(op.shopId)?.has(op.sku)) throw new Rejection(`shop ${op.shopId} has no product ${op.sku}`);
      if (!this.attributesOf.get(industryId)?.has(op.attributeId)) throw new Rejection(`"${op.attributeId}" is not an attribute of industry ${industryId}`);
      const key = productTarget(op.shopId, op.sku, op.attributeId);
      const revision = this.checkBase(key, proposal.baseRevision);
      return {
        version: stamp(key, revision, { stage: null, reply: op.reply, examples: [] }),
        change: { kind: 'product_attribute', shopId: op.shopId, sku: op.sku, attributeId: op.attributeId, revision, reply: op.reply },
      };
    }

    const scope = op.scope;
    this.checkScope(scope);
    const answerId = op.op === 'new_answer' ? op.answer.id : op.answerId;
    const writeKey = scope.pack === 'industry' ? industryTarget(scope.industryId, answerId) : shopTarget(scope.shopId, answerId);
    const readKey = scope.pack === 'industry' ? writeKey : this.effectiveTarget(scope.shopId, answerId);
    const change = (revision: number, content: TargetContent | null): KbChange => ({
      kind: 'answer',
      shopIds: this.affectedShops(scope, answerId),
      answerId,
      origin: scope.pack,
      revision,
      content,
    });

    if (op.op === 'new_answer') {
      if (this.smalltalkIds.has(answerId)) throw new Rejection(`"${answerId}" is a small-talk answer`);
      if (proposal.baseRevision !== 0) throw new Rejection(`a new answer is based on revision 0, not ${proposal.baseRevision}`);
      const exists = scope.pack === 'industry' ? this.isUsedInIndustry(answerId, scope.industryId) : readKey !== null;
      if (exists) throw new Rejection(`answer "${answerId}" already exists`);
      const content = { stage: op.answer.stage, reply: op.answer.reply, examples: unique(op.answer.examples) };
      return { version: stamp(writeKey, 1, content), change: change(1, content) };
    }

    const current = readKey === null ? null : this.current(readKey);
    if (current === null) throw new Rejection(`no answer "${answerId}" in ${describeScope(scope)}`);
    const revision = this.checkBase(readKey!, proposal.baseRevision);
    let content: TargetContent | null;
    switch (op.op) {
      case 'add_examples':
        if (!current.content) throw new Rejection(`answer "${answerId}" is retired`);
        content = { ...current.content, examples: unique([...current.content.examples, ...op.examples]) };
        break;
      case 'edit_answer':
        if (!current.content) throw new Rejection(`answer "${answerId}" is retired`);
        content = { ...current.content, reply: op.reply, stage: op.stage ?? current.content.stage };
        break;
      case 'retire_answer':
        if (!current.content) throw new Rejection(`answer "${answerId}" is already retired`);
        content = null;
        break;
      case 'rollback': {
        const past = this.history(readKey!).find((version) => version.revision === op.toRevision);
        if (!past) throw new Rejection(`answer "${answerId}" has no revision ${op.toRevision}`);
        content = past.content;
        break;
      }
    }
    return { version: stamp(writeKey, revision, content), change: change(revision, content) };
  }

  /** The next revision of `key`, or a rejection naming the stale base. */
  private checkBase(key: string, baseRevision: number): number {
    const current = this.current(key)?.revision ?? 0;
    if (baseRevision !== current) throw new Rejection(`stale: based on revision ${baseRevision}, the current revision is ${current}`);
    return current + 1;
  }

  private checkScope(scope: KbScope): void {
    if (scope.pack === 'shop' && !this.industryOf.has(scope.shopId)) throw new Rejection(`unknown shop ${scope.shopId}`);
    if (scope.pack === 'industry' && !this.attributesOf.has(scope.industryId)) throw new Rejection(`unknown industry pack ${scope.industryId}`);
  }

  /** Shops whose view of `answerId` a change in `scope` reaches: an industry change skips shops that override it. */
  private affectedShops(scope: KbScope, answerId: string): string[] {
    if (scope.pack === 'shop') return [scope.shopId];
    return [...this.industryOf].filter(([shopId, industryId]) => industryId === scope.industryId && !this.targets.has(shopTarget(shopId, answerId))).map(([shopId]) => shopId);
  }

  /** Whether the industry, or one of its shops, already has an answer with this id. */
  private isUsedInIndustry(answerId: string, industryId: string): boolean {
    if (this.targets.has(industryTarget(industryId, answerId))) return true;
    return [...this.industryOf].some(([shopId, industry]) => industry === industryId && this.targets.has(shopTarget(shopId, answerId)));
  }

  /** A shop target created by a patch starts from the industry history it was seen through. */
  private inheritedHistory(op: KbPatchOp): KbTargetVersion[] {
    if (op.op === 'set_product_attribute' || op.op === 'new_answer' || op.scope.pack !== 'shop') return [];
    const industryId = this.industryOf.get(op.scope.shopId);
    return industryId === undefined ? [] : this.history(industryTarget(industryId, op.answerId));
  }

  private seed(key: string, revision: number, content: TargetContent): void {
    this.targets.set(key, {
      key,
      history: [{ target: key, revision, content: { ...content, examples: unique(content.examples) }, author: null, appliedAt: null, patchId: null, op: 'pack' }],
    });
  }
}

function unique(examples: readonly string[]): string[] {
  return [...new Set(examples.map((example) => example.trim()).filter((example) => example !== ''))];
}

function describeScope(scope: KbScope): string {
  return scope.pack === 'shop' ? `shop ${scope.shopId}` : `industry pack ${scope.industryId}`;
}
