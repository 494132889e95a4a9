import { Logger } from '@nestjs/common';
import { kbPatchProposalSchema, type BotPreviewRequest, type BotPreviewResponse, type KbPatchProposal } from '@warroom/contracts';
import { KbLedger, type KbChange } from '@warroom/knowledge';
import { KnowledgeBase, type LoadedPack } from './knowledge-base';
import type { MatcherFactory } from './question-matcher';

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
   * What each question would be answered with now and with the patch applied: one shop rebuilt from
   * the packs and every change so far, plus this patch, decided by a copy of the ledger (so a stale
   * patch is reported as the log would reject it).
   */
  preview(request: BotPreviewRequest): BotPreviewResponse {
    if (!this.knowledgeBase.has(request.shopId)) return { status: 'rejected', reason: `this bot does not serve shop ${request.shopId}` };
    const ledger = new KbLedger(this.packs.map((loaded) => loaded.pack));
    for (const entry of this.proposals) ledger.apply(entry.proposal, entry.offset, new Date(entry.timestampMs).toISOString());
    const trial = ledger.apply(
      { v: 1, patchId: '00000000-0000-4000-8000-000000000000', proposedAt: new Date().toISOString(), author: { userId: 'preview', login: 'preview' }, baseRevision: request.baseRevision, patch: request.patch },
      this.next,
      new Date().toISOString(),
    );
    if (trial.decision.status === 'rejected') return { status: 'rejected', reason: trial.decision.reason };
    const fork = KnowledgeBase.build(this.packs, [request.shopId], this.createMatcher);
    for (const change of [...this.changes, ...(trial.change ? [trial.change] : [])]) fork.applyChange(change);
    const answerOf = (kb: KnowledgeBase, text: string): string | null => {
      const outcome = kb.match(request.shopId, text, 1);
      return outcome.matched ? (outcome.candidates[0]?.answerId ?? null) : null;
    };
    return {
      status: 'applied',
      outcomes: request.questions.map((text) => ({ before: answerOf(this.knowledgeBase, text), after: answerOf(fork, text) })),
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
