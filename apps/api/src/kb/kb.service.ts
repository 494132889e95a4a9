import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  canAddExamples,
  canPublishToIndustry,
  canRollBack,
  canWriteAnswers,
  kbPatchProposalSchema,
  type Actor,
  type KbPatchDecision,
  type KbPatchProposal,
  type KbTargetVersion,
  type PatchRequest,
  type User,
} from '@warroom/contracts';
import { KbLedger, parsePackFiles, type PackFile } from '@warroom/knowledge';
import type { LogRecord } from '@warroom/kafka';
import { Conflict, Forbidden, NotFound, Unavailable } from '@warroom/nest-common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KbPatchesRepository } from '../repositories/kb-patches.repository';
import { KbRevisionsRepository } from '../repositories/kb-revisions.repository';
import { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import { describeConflict } from './conflict';

/** A proposal as the log holds it, for bots rebuilding the same ledger. */
export interface LoggedProposal {
  offset: number;
  timestampMs: number;
  proposal: KbPatchProposal;
}

export type AppliedDecision = Extract<KbPatchDecision, { status: 'applied' }>;

/** An applied patch, with the answer (or attribute) id it changed. */
export interface AppliedPatch {
  decision: AppliedDecision;
  proposal: KbPatchProposal;
  answerId: string;
}
type AppliedListener = (applied: AppliedPatch) => void;

/**
 * The api's replica of the knowledge base: the pack files, then `kb_revisions` re-applied at start,
 * then `kb.patches` followed live, all through the one ledger rule (libs/knowledge). A trainer's patch
 * is proposed on the log and answered only once this replica has applied it from there, so the answer
 * (published, or rejected with the current revision) is what every bot decides too.
 */
@Injectable()
export class KbService implements OnApplicationBootstrap {
  private readonly logger = new Logger(KbService.name);
  private readonly packFiles: PackFile[];
  private readonly ledger: KbLedger;
  private readonly logged: LoggedProposal[] = [];
  /** The next log offset to apply; records below it were applied already (the follower may repeat). */
  private nextOffset = 0;
  private readonly unrecorded: { proposal: KbPatchProposal; decision: KbPatchDecision; appliedAt: string }[] = [];
  /** Applied patches whose listeners run once their decisions are recorded (kept across a failed write). */
  private readonly unannounced: AppliedPatch[] = [];
  private readonly waiters = new Map<string, (decision: KbPatchDecision) => void>();
  private readonly listeners: AppliedListener[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revisions: KbRevisionsRepository,
    private readonly patches: KbPatchesRepository,
    packs: KnowledgePacksRepository,
  ) {
    this.packFiles = packs.readFiles();
    this.ledger = new KbLedger(parsePackFiles(this.packFiles));
  }

  async onApplicationBootstrap(): Promise<void> {
    const recorded = await this.revisions.recordedAfter(-1);
    for (const entry of recorded) {
      const timestampMs = Date.parse(entry.appliedAt);
      const { decision } = this.applyLogged({ offset: entry.offset, timestampMs, proposal: entry.proposal });
      if (decision.status !== entry.status) {
        // The rule is deterministic, so this means the packs changed under a recorded history.
        this.logger.error(`kb_revisions offset ${entry.offset}: recorded ${entry.status}, re-applied ${decision.status} (pack files changed?)`);
      }
    }
    this.logger.log(`knowledge base rebuilt: ${this.packFiles.length} pack files, ${recorded.length} recorded patches; following kb.patches from offset ${this.nextOffset}`);
    await this.patches.follow(BigInt(this.nextOffset), (records) => this.onRecords(records));
  }

  /** Called with each applied patch (after it is recorded), e.g. to mark its gap published. */
  onApplied(listener: AppliedListener): void {
    this.listeners.push(listener);
  }

  /**
   * Checks the caller may make this change, proposes it, and waits for the log's decision: applied, or a
   * `Conflict` in words (who published the newer revision, how long ago, what changed) with the reason
   * and the target's current version, so the editor keeps what the trainer typed.
   */
  async publish(request: PatchRequest, who: { actor: Actor; user: User }): Promise<AppliedDecision> {
    const refusal = this.refusal(request, who.user);
    if (refusal) throw new Forbidden(refusal);
    const proposal: KbPatchProposal = {
      v: 1,
      patchId: randomUUID(),
      proposedAt: new Date().toISOString(),
      author: who.actor,
      baseRevision: request.baseRevision,
      ...(request.gapId ? { gapId: request.gapId } : {}),
      patch: request.patch,
    };
    const decided = new Promise<KbPatchDecision>((resolve) => this.waiters.set(proposal.patchId, resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), this.config.kb.publishTimeoutMs);
    });
    try {
      await this.patches.propose(proposal);
      const decision = await Promise.race([decided, timeout]);
      if (decision === null) {
        throw new Unavailable(`the patch ${proposal.patchId} is on the log but was not applied within ${this.config.kb.publishTimeoutMs} ms; it will be`);
      }
      if (decision.status === 'applied') return decision;
      const history = decision.current ? this.ledger.history(decision.current.target) : [];
      const message = history.length > 0 ? describeConflict(history, request.baseRevision, Date.now()) : decision.reason;
      throw new Conflict(message, { reason: decision.reason, current: decision.current });
    } finally {
      clearTimeout(timer);
      this.waiters.delete(proposal.patchId);
    }
  }

  /** Every version of one target, oldest first; `NotFound` for a target the knowledge base never had. */
  history(target: string): KbTargetVersion[] {
    const history = this.ledger.history(target);
    if (history.length === 0) throw new NotFound(`no knowledge-base target ${target}`);
    return history;
  }

  /** The version of an answer a shop sees now, or null (unknown, or retired). */
  effectiveVersion(shopId: string, answerId: string): KbTargetVersion | null {
    const target = this.ledger.effectiveTarget(shopId, answerId);
    const version = target === null ? null : this.ledger.current(target);
    return version?.content ? version : null;
  }

  answersOf(shopId: string): ReturnType<KbLedger['answersOf']> {
    return this.ledger.answersOf(shopId);
  }

  /** Which target a patch would change and its current revision: what an editor bases its patch on. */
  baseOf(request: Pick<PatchRequest, 'patch'>): { target: string | null; revision: number } {
    return { target: this.ledger.targetOf(request.patch), revision: this.ledger.baseRevisionFor(request.patch) };
  }

  /** What a bot needs to build the same knowledge base: the packs, the log so far, where to follow on. */
  state(): { packFiles: PackFile[]; proposals: LoggedProposal[]; nextOffset: number } {
    return { packFiles: this.packFiles, proposals: [...this.logged], nextOffset: this.nextOffset };
  }

  private async onRecords(records: LogRecord[]): Promise<void> {
    for (const record of records) {
      const offset = Number(record.offset);
      if (offset < this.nextOffset) continue;
      const proposal = parseProposal(record.value);
      if (!proposal) {
        // Only warroom writes this topic; a bad record is a writer's bug. Every reader skips it alike.
        this.logger.error(`kb.patches offset ${offset} is not a patch proposal; skipped`);
        this.nextOffset = offset + 1;
        continue;
      }
      const { decision, change } = this.applyLogged({ offset, timestampMs: record.timestampMs, proposal });
      this.unrecorded.push({ proposal, decision, appliedAt: new Date(record.timestampMs).toISOString() });
      this.waiters.get(proposal.patchId)?.(decision);
      if (decision.status === 'applied' && change) {
        this.unannounced.push({ decision, proposal, answerId: change.kind === 'answer' ? change.answerId : change.attributeId });
      }
    }
    // Thrown on failure: the follower hands the records over again, they are skipped above, and the
    // unrecorded decisions are written on the next try.
    await this.revisions.record(this.unrecorded);
    this.unrecorded.length = 0;
    for (const applied of this.unannounced.splice(0)) {
      for (const listener of this.listeners) listener(applied);
    }
  }

  private applyLogged(entry: LoggedProposal): ReturnType<KbLedger['apply']> {
    const result = this.ledger.apply(entry.proposal, entry.offset, new Date(entry.timestampMs).toISOString());
    this.logged.push(entry);
    this.nextOffset = entry.offset + 1;
    return result;
  }

  /** DESIGN.md "Roles" for a patch; null when allowed. */
  private refusal(request: PatchRequest, user: User): string | null {
    const { patch } = request;
    if (patch.op !== 'set_product_attribute' && patch.scope.pack === 'industry' && !canPublishToIndustry(user)) {
      return 'only senior trainers and leads publish to the industry pack';
    }
    switch (patch.op) {
      case 'add_examples':
        return canAddExamples(user) ? null : 'only trainers and leads add example questions';
      case 'rollback': {
        const target = this.ledger.targetOf(patch);
        const current = target === null ? null : this.ledger.current(target);
        return canRollBack(user, current?.author?.userId ?? null) ? null : 'only a lead rolls back a revision someone else published';
      }
      default:
        return canWriteAnswers(user) ? null : 'writing answers needs a junior trainer or above';
    }
  }
}

function parseProposal(value: Buffer | null): KbPatchProposal | null {
  if (!value) return null;
  try {
    const parsed = kbPatchProposalSchema.safeParse(JSON.parse(value.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
