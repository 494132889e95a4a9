import { Logger } from '@nestjs/common';
import type { BotPreviewRequest, BotPreviewResponse, KbPatchProposal, KbState } from '@warroom/contracts';
import { KbLedger, productTarget, type GateVerdict, type KbChange, type KbRecordGate } from '@warroom/knowledge';
import { KnowledgeBase, type LoadedPack } from './knowledge-base';
import type { MatcherFactory } from './question-matcher';

/** Previews on one copy before it is rebuilt from the packs. */
const FORK_REBUILD_EVERY = 50;
/** The id a preview's trial proposal carries (never on the log). */
const PREVIEW_PATCH_ID = '00000000-0000-4000-8000-000000000000';
/**
 * A preview replays questions for at most this long, then lets the event loop answer customers
 * (setImmediate) before the next slice: 5,000 questions matched twice take seconds, which would
 * otherwise hold every customer's reply for as long.
 */
const PREVIEW_SLICE_MS = 5;

interface Fork {
  kb: KnowledgeBase;
  applied: number;
  previews: number;
}

/** One record of `kb.patches` as the replica takes it. */
export interface PatchRecord {
  offset: number;
  timestampMs: number;
  /** The record's bytes (or a proposal of the api's state); a record the gate refuses is skipped, as every reader skips it. */
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
  /** Previews run one at a time: each borrows its shop's copy, patched, across its slices. */
  private previewQueue: Promise<unknown> = Promise.resolve();
  private next: number;
  /** Records refused before the ledger (forged, badly signed, beyond their author's rights), for `/metrics`. */
  private refused = 0;

  constructor(
    private readonly packs: readonly LoadedPack[],
    readonly knowledgeBase: KnowledgeBase,
    private readonly createMatcher: MatcherFactory,
    fromOffset: number,
    /** Signatures, stated rights and the signing cut-over, checked as the api's replica checks them. */
    private readonly gate: KbRecordGate,
  ) {
    this.ledger = new KbLedger(packs.map((loaded) => loaded.pack));
    this.next = fromOffset;
  }

  /** The next log offset to take. */
  get nextOffset(): number {
    return this.next;
  }

  /** Whether this replica holds a key to verify signed patches with. */
  get verifiesSignatures(): boolean {
    return this.gate.verifies;
  }

  /** How many `kb.patches` records this replica refused before its ledger saw them. */
  get refusedRecords(): number {
    return this.refused;
  }

  /** Moves on to `offset` (records before it were taken, or skipped by every reader). */
  skipTo(offset: number): void {
    this.next = Math.max(this.next, offset);
  }

  /**
   * Takes records in log order; records before `nextOffset` (a re-delivery) are skipped. The position
   * moves past a record only once it was decided and mirrored. An unexpected error on one proposal (a
   * bug, not the ledger's rule) is logged and that proposal is left out, so one bad record never stalls
   * every later publish.
   */
  apply(records: readonly PatchRecord[]): void {
    for (const record of records) {
      if (record.offset < this.next) continue;
      this.take(record);
      this.next = record.offset + 1;
    }
  }

  /**
   * The offsets the log no longer holds between this replica and `records` (retention cut it below
   * them), or null when the records follow on.
   */
  missingBefore(records: readonly PatchRecord[]): { from: number; to: number } | null {
    const first = records.find((record) => record.offset >= this.next);
    return first && first.offset > this.next ? { from: this.next, to: first.offset } : null;
  }

  /**
   * Takes the proposals of a knowledge-base state (`GET /api/kb/state`: the api keeps every proposal)
   * up to `to`, where the log went missing; the replica is then what a reload from that state builds,
   * without rebuilding. False, taking nothing, when the state does not reach `to` yet.
   */
  fillFrom(state: KbState, to: number): boolean {
    if (state.nextOffset < to) return false;
    this.apply(state.proposals.filter((entry) => entry.offset < to).map((entry) => ({ offset: entry.offset, timestampMs: entry.timestampMs, value: entry.proposal })));
    this.skipTo(to);
    return true;
  }

  private take(record: PatchRecord): void {
    const verdict = this.judge(record);
    if (verdict.kind === 'cutover') {
      if (verdict.effective) this.logger.log(`kb.patches signing cut-over at offset ${record.offset}: unsigned records after it are refused`);
      return;
    }
    if (verdict.kind === 'refused') {
      this.refused += 1;
      const claimed = verdict.proposal ? ` (${verdict.proposal.patch.op} by ${verdict.proposal.author.login}, patch ${verdict.proposal.patchId})` : '';
      this.logger.error(`kb.patches offset ${record.offset} refused${claimed}: ${verdict.reason}`);
      return;
    }
    const { proposal } = verdict;
    let result: ReturnType<KbLedger['apply']>;
    try {
      result = this.ledger.apply(proposal, record.offset, new Date(record.timestampMs).toISOString());
    } catch (error) {
      // The ledger decides before it changes anything, so an error here leaves it as it was: rejected.
      this.logger.error(`kb.patches offset ${record.offset} (${proposal.patch.op}, patch ${proposal.patchId}) rejected by an unexpected error: ${errorMessage(error)}`);
      return;
    }
    const { decision, change } = result;
    this.proposals.push({ offset: record.offset, timestampMs: record.timestampMs, proposal });
    if (change) {
      try {
        this.knowledgeBase.applyChange(change);
        // Previews replay the changes the live knowledge base took.
        this.changes.push(change);
      } catch (error) {
        // The ledger (like the api's) has it; only this bot's answers miss it, and they say so here.
        this.logger.error(`kb.patches offset ${record.offset} (${proposal.patch.op}) is applied but this bot could not answer with it: ${errorMessage(error)}`);
        return;
      }
    }
    if (decision.status === 'applied') this.logger.log(`applied ${proposal.patch.op} → ${decision.version.target} r${decision.version.revision} (offset ${record.offset})`);
  }

  private judge(record: PatchRecord): GateVerdict {
    const currentAuthorOf = (patch: KbPatchProposal['patch']): string | null => this.ledger.currentAuthorOf(patch);
    if (record.value === null || Buffer.isBuffer(record.value)) return this.gate.admitBytes(record.offset, record.value, currentAuthorOf);
    return this.gate.admit(record.offset, record.value, currentAuthorOf);
  }

  /**
   * What each question would be answered with now and with the patch applied. The patch is decided by
   * the ledger without applying it (a stale one is reported as the log would reject it), then applied to
   * a preview copy of the shop's knowledge base (kept in step with the live one by the same changes),
   * the questions replayed there in slices of PREVIEW_SLICE_MS (customers are answered in between), and
   * the copy restored to the versions current by then. The copy is rebuilt from the packs every
   * FORK_REBUILD_EVERY previews, so what incremental training leaves behind after restores never
   * accumulates. Previews wait for each other.
   */
  preview(request: BotPreviewRequest): Promise<BotPreviewResponse> {
    const run = (): Promise<BotPreviewResponse> => this.replay(request);
    const result = this.previewQueue.then(run, run);
    this.previewQueue = result.catch(() => undefined);
    return result;
  }

  private async replay(request: BotPreviewRequest): Promise<BotPreviewResponse> {
    if (!this.knowledgeBase.has(request.shopId)) return { status: 'rejected', reason: `this bot does not serve shop ${request.shopId}` };
    const now = new Date().toISOString();
    const trial = this.ledger.dryRun(
      { v: 1, patchId: PREVIEW_PATCH_ID, proposedAt: now, author: { userId: 'preview', login: 'preview' }, baseRevision: request.baseRevision, patch: request.patch },
      now,
    );
    if (!trial.ok) return { status: 'rejected', reason: trial.reason };
    const fork = this.forkOf(request.shopId);
    fork.kb.applyChange(trial.change);
    const answerOf = (kb: KnowledgeBase, text: string): string | null => {
      const outcome = kb.match(request.shopId, text, 1);
      return outcome.matched ? (outcome.candidates[0]?.answerId ?? null) : null;
    };
    try {
      const outcomes: { before: string | null; after: string | null }[] = [];
      while (outcomes.length < request.questions.length) {
        if (outcomes.length > 0) await new Promise((resume) => setImmediate(resume));
        const sliceEnd = performance.now() + PREVIEW_SLICE_MS;
        do {
          const text = request.questions[outcomes.length]!;
          outcomes.push({ before: answerOf(this.knowledgeBase, text), after: answerOf(fork.kb, text) });
        } while (outcomes.length < request.questions.length && performance.now() < sliceEnd);
      }
      return { status: 'applied', outcomes };
    } finally {
      // Worked out now, not before the replay: a patch from the log may have changed the target meanwhile.
      const restore = this.inverseOf(trial.change, request.shopId);
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

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
