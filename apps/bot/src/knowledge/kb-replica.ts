import { Logger } from '@nestjs/common';
import { kbPatchProposalSchema, type BotPreviewRequest, type BotPreviewResponse, type KbPatchProposal } from '@warroom/contracts';
import { KbLedger, productTarget, type KbChange } from '@warroom/knowledge';
import { KnowledgeBase, type LoadedPack } from './knowledge-base';
import type { MatcherFactory } from './question-matcher';

/** Previews on one copy before it is rebuilt from the packs. */
const FORK_REBUILD_EVERY = 50;
/** The id a preview's trial proposal carries (never on the log). */
const PREVIEW_PATCH_ID = '00000000-0000-4000-8000-000000000000';

interface Fork {
  kb: KnowledgeBase;
  applied: number;
  previews: number;
}

/** One record of `kb.patches` as the replica takes it. */
export interface PatchRecord {
  offset: number;
  timestampMs: number;
  /** The record's bytes; a record that is not a proposal is skipped (as every reader skips it). */
  value: Buffer | KbPatchProposal | null;
}

/**
 * The bot's replica of the knowledge base: the packs, then every `kb.patches` record in log order
 * through the same ledger rule the api applies (libs/knowledge), mirrored into the live
 * KnowledgeBase. A published patch is answered from the next question on, without a restart.
 */
export class KbReplica {
  private readonly logger = new Logger(KbReplica.name);
  private readonly ledger: KbLedger;
  /** Everything taken from the log so far, for previews (which rebuild a shop with one patch more). */
  private readonly proposals: { offset: number; timestampMs: number; proposal: KbPatchProposal }[] = [];
  private readonly changes: KbChange[] = [];
  /** Per shop: the preview copy, how many of `changes` it has, and previews since it was built. */
  private readonly forks = new Map<string, Fork>();
  private next: number;

  constructor(
    private readonly packs: readonly LoadedPack[],
    readonly knowledgeBase: KnowledgeBase,
    private readonly createMatcher: MatcherFactory,
    fromOffset: number,
  ) {
    this.ledger = new KbLedger(packs.map((loaded) => loaded.pack));
    this.next = fromOffset;
  }

  /** The next log offset to take. */
  get nextOffset(): number {
    return this.next;
  }

  /** Moves on to `offset` (records before it were taken, or skipped by every reader). */
  skipTo(offset: number): void {
    this.next = Math.max(this.next, offset);
  }

  /** Takes records in log order; records before `nextOffset` (a re-delivery) are skipped. */
  apply(records: readonly PatchRecord[]): void {
    for (const record of records) {
      if (record.offset < this.next) continue;
      this.next = record.offset + 1;
      const proposal = toProposal(record.value);
      if (!proposal) {
        this.logger.error(`kb.patches offset ${record.offset} is not a patch proposal; skipped`);
        continue;
      }
      const { decision, change } = this.ledger.apply(proposal, record.offset, new Date(record.timestampMs).toISOString());
      this.proposals.push({ offset: record.offset, timestampMs: record.timestampMs, proposal });
      if (change) {
        this.knowledgeBase.applyChange(change);
        this.changes.push(change);
      }
      if (decision.status === 'applied') this.logger.log(`applied ${proposal.patch.op} → ${decision.version.target} r${decision.version.revision} (offset ${record.offset})`);
    }
  }

  /**
   * What each question would be answered with now and with the patch applied. The patch is decided by
   * the ledger without applying it (a stale one is reported as the log would reject it), then applied to
   * a preview copy of the shop's knowledge base (kept in step with the live one by the same changes),
   * the questions replayed there, and the copy restored to the current versions. The copy is rebuilt
   * from the packs every FORK_REBUILD_EVERY previews, so what incremental training leaves behind after
   * restores never accumulates.
   */
  preview(request: BotPreviewRequest): BotPreviewResponse {
    if (!this.knowledgeBase.has(request.shopId)) return { status: 'rejected', reason: `this bot does not serve shop ${request.shopId}` };
    const now = new Date().toISOString();
    const trial = this.ledger.dryRun(
      { v: 1, patchId: PREVIEW_PATCH_ID, proposedAt: now, author: { userId: 'preview', login: 'preview' }, baseRevision: request.baseRevision, patch: request.patch },
      now,
    );
    if (!trial.ok) return { status: 'rejected', reason: trial.reason };
    const fork = this.forkOf(request.shopId);
    const restore = this.inverseOf(trial.change, request.shopId);
    fork.kb.applyChange(trial.change);
    const answerOf = (kb: KnowledgeBase, text: string): string | null => {
      const outcome = kb.match(request.shopId, text, 1);
      return outcome.matched ? (outcome.candidates[0]?.answerId ?? null) : null;
    };
    try {
      return {
        status: 'applied',
        outcomes: request.questions.map((text) => ({ before: answerOf(this.knowledgeBase, text), after: answerOf(fork.kb, text) })),
      };
    } finally {
      if (restore) fork.kb.applyChange(restore);
      fork.previews += 1;
      if (!restore || fork.previews >= FORK_REBUILD_EVERY) this.forks.delete(request.shopId);
    }
  }

  /** The shop's preview copy, brought up to the live knowledge base (built on first use). */
  private forkOf(shopId: string): Fork {
    let fork = this.forks.get(shopId);
    if (!fork) {
      fork = { kb: KnowledgeBase.build(this.packs, [shopId], this.createMatcher), applied: 0, previews: 0 };
      this.forks.set(shopId, fork);
    }
    for (; fork.applied < this.changes.length; fork.applied += 1) fork.kb.applyChange(this.changes[fork.applied]!);
    return fork;
  }

  /** The change that puts one shop back to the current versions after `change`; null if there is none. */
  private inverseOf(change: KbChange, shopId: string): KbChange | null {
    if (change.kind === 'product_attribute') {
      const current = this.ledger.current(productTarget(change.shopId, change.sku, change.attributeId));
      // A value set where the product had none cannot be unset in place: rebuild the copy instead.
      return current?.content ? { ...change, revision: current.revision, reply: current.content.reply } : null;
    }
    const target = this.ledger.effectiveTarget(shopId, change.answerId);
    const current = target === null ? null : this.ledger.current(target);
    return {
      kind: 'answer',
      shopIds: [shopId],
      answerId: change.answerId,
      origin: target?.startsWith('industry:') ? 'industry' : 'shop',
      // A new answer is undone by retiring it in the copy: it is never sent, and leaves the matcher.
      revision: current?.revision ?? 0,
      content: current?.content ?? null,
    };
  }
}

function toProposal(value: PatchRecord['value']): KbPatchProposal | null {
  if (value === null) return null;
  if (!Buffer.isBuffer(value)) return value;
  try {
    const parsed = kbPatchProposalSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
