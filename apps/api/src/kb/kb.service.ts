import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import {
  type Actor,
  type KbPatchDecision,
  type KbPatchProposal,
  type KbPatchRecord,
  type KbTargetVersion,
  type PatchRequest,
  type User,
} from '@warroom/contracts';
import { KbLedger, KbRecordGate, parsePackFiles, patchRefusal, publicKeyText, signKbRecord, type GateVerdict, type PackFile } from '@warroom/knowledge';
import type { LogRecord } from '@warroom/kafka';
import { Conflict, Forbidden, NotFound, Unavailable } from '@warroom/nest-common';
import { AuditService, SYSTEM_ACTOR } from '../auth/audit.service';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { KbPatchesRepository } from '../repositories/kb-patches.repository';
import { KbRevisionsRepository, type RevisionEntry } from '../repositories/kb-revisions.repository';
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
  private readonly unrecorded: RevisionEntry[] = [];
  /** Signatures, stated rights and the signing cut-over, checked before the ledger sees a record. */
  private readonly gate: KbRecordGate;
  /** Applied patches whose listeners run once their decisions are recorded (kept across a failed write). */
  private readonly unannounced: AppliedPatch[] = [];
  private readonly waiters = new Map<string, (decision: KbPatchDecision) => void>();
  private readonly listeners: AppliedListener[] = [];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly revisions: KbRevisionsRepository,
    private readonly patches: KbPatchesRepository,
    private readonly audit: AuditService,
    packs: KnowledgePacksRepository,
  ) {
    this.packFiles = packs.readFiles();
    this.ledger = new KbLedger(parsePackFiles(this.packFiles));
    this.gate = new KbRecordGate(config.kb.verifyKeys);
  }

  async onApplicationBootstrap(): Promise<void> {
    const recorded = await this.revisions.recordedAfter(-1);
    for (const entry of recorded) {
      const timestampMs = Date.parse(entry.appliedAt);
      const status = this.take(entry.offset, timestampMs, this.gateOf(entry.offset, entry.record), 'recorded').status;
      if (status !== entry.status) {
        // The rule and the signatures are deterministic: the packs or the verifying keys changed under a recorded history.
        this.logger.error(`kb_revisions offset ${entry.offset}: recorded ${entry.status}, re-applied ${status} (pack files or KB_VERIFY_KEYS changed?)`);
      }
    }
    this.logger.log(`knowledge base rebuilt: ${this.packFiles.length} pack files, ${recorded.length} recorded patches; following kb.patches from offset ${this.nextOffset}`);
    if (this.config.kb.signing?.derived) {
      this.logger.warn('KB_SIGNING_KEY is unset: kb.patches are signed with a key derived from WARROOM_SESSION_SECRET; a deployment sets a key of its own');
    }
    if (this.gate.signedFrom === null) await this.proposeCutover();
    await this.patches.follow(BigInt(this.nextOffset), (records) => this.onRecords(records));
  }

  /**
   * Appends the signed cut-over at the log's end: every record before it (the unsigned history) stays
   * valid, every unsigned record after it is refused by every reader. Another api process may append its
   * own meanwhile: the first on the log is the one in force.
   */
  private async proposeCutover(): Promise<void> {
    const signing = this.config.kb.signing;
    if (!signing) return;
    await this.patches.propose(signKbRecord({ v: 1, kind: 'signing_cutover', cutoverId: randomUUID(), at: new Date().toISOString() }, signing.privateKey));
    this.logger.log('kb.patches signing cut-over appended: unsigned records after it will be refused');
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
    const refusal = patchRefusal(request.patch, who.user, this.ledger.currentAuthorOf(request.patch));
    if (refusal) throw new Forbidden(refusal);
    const signing = this.config.kb.signing;
    if (!signing) throw new Unavailable('this api process holds no kb.patches signing key');
    const proposal: KbPatchProposal = signKbRecord(
      {
        v: 1,
        patchId: randomUUID(),
        proposedAt: new Date().toISOString(),
        author: who.actor,
        rights: { role: who.user.role, grade: who.user.grade },
        baseRevision: request.baseRevision,
        ...(request.gapId ? { gapId: request.gapId } : {}),
        patch: request.patch,
      },
      signing.privateKey,
    );
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

  /**
   * What a bot needs to build the same knowledge base: the packs, the proposals so far (refused ones too:
   * the bot's own check refuses them alike), where to follow on, the cut-over and the verifying keys.
   */
  state(): { packFiles: PackFile[]; proposals: LoggedProposal[]; nextOffset: number; signedFrom: number | null; publicKeys: string[] } {
    return {
      packFiles: this.packFiles,
      proposals: [...this.logged],
      nextOffset: this.nextOffset,
      signedFrom: this.gate.signedFrom,
      publicKeys: this.config.kb.verifyKeys.map(publicKeyText),
    };
  }

  private async onRecords(records: LogRecord[]): Promise<void> {
    for (const record of records) {
      const offset = Number(record.offset);
      if (offset < this.nextOffset) continue;
      const verdict = this.gate.admitBytes(offset, record.value, (patch) => this.ledger.currentAuthorOf(patch));
      const { decision } = this.take(offset, record.timestampMs, verdict, 'live');
      if (decision) this.waiters.get(decision.patchId)?.(decision);
      if (verdict.kind === 'refused') await this.report(offset, verdict);
    }
    // Thrown on failure: the follower hands the records over again, they are skipped above, and the
    // unrecorded decisions are written on the next try.
    await this.revisions.record(this.unrecorded);
    this.unrecorded.length = 0;
    for (const applied of this.unannounced.splice(0)) {
      for (const listener of this.listeners) listener(applied);
    }
  }

  private gateOf(offset: number, record: KbPatchRecord): GateVerdict {
    return 'kind' in record ? this.gate.admitCutover(offset, record) : this.gate.admit(offset, record, (patch) => this.ledger.currentAuthorOf(patch));
  }

  /**
   * Takes one record the gate judged, in log order: a proposal goes to the ledger; a refused proposal is
   * rejected and never applied; the cut-over moves the gate. A `live` record (from the log) is recorded
   * in `kb_revisions` and announced; a `recorded` one (re-applied from there at start) already was.
   */
  private take(
    offset: number,
    timestampMs: number,
    verdict: GateVerdict,
    from: 'live' | 'recorded',
  ): { status: KbPatchDecision['status']; decision: KbPatchDecision | null } {
    const appliedAt = new Date(timestampMs).toISOString();
    this.nextOffset = offset + 1;
    const record = (entry: RevisionEntry): void => {
      if (from === 'live') this.unrecorded.push(entry);
    };
    if (verdict.kind === 'cutover') {
      record({ cutover: verdict.cutover, offset, effective: verdict.effective, appliedAt });
      if (verdict.effective) this.logger.log(`kb.patches signing cut-over at offset ${offset}`);
      return { status: verdict.effective ? 'applied' : 'rejected', decision: null };
    }
    if (verdict.kind === 'refused') {
      if (!verdict.proposal) return { status: 'rejected', decision: null };
      const { proposal } = verdict;
      this.logged.push({ offset, timestampMs, proposal });
      const decision: KbPatchDecision = {
        status: 'rejected',
        patchId: proposal.patchId,
        offset,
        target: this.ledger.targetOf(proposal.patch) ?? 'unknown',
        reason: `refused before the ledger: ${verdict.reason}`,
        current: null,
      };
      record({ proposal, decision, appliedAt });
      return { status: 'rejected', decision };
    }
    const { proposal } = verdict;
    const { decision, change } = this.ledger.apply(proposal, offset, appliedAt);
    this.logged.push({ offset, timestampMs, proposal });
    record({ proposal, decision, appliedAt });
    if (from === 'live' && decision.status === 'applied' && change) {
      this.unannounced.push({ decision, proposal, answerId: change.kind === 'answer' ? change.answerId : change.attributeId });
    }
    return { status: decision.status, decision };
  }

  /** A refused record in the log and the audit log (with what it claimed, never its text). */
  private async report(offset: number, verdict: Extract<GateVerdict, { kind: 'refused' }>): Promise<void> {
    const claimed = verdict.proposal ? { patchId: verdict.proposal.patchId, op: verdict.proposal.patch.op, claimedAuthor: verdict.proposal.author } : {};
    this.logger.error(`kb.patches offset ${offset} refused: ${verdict.reason}`);
    try {
      await this.audit.record(SYSTEM_ACTOR, 'kb.record_refused', `kb.patches@${offset}`, { reason: verdict.reason, ...claimed });
    } catch (error) {
      // The refusal stands and is in kb_revisions and the log; only its audit line is missing.
      this.logger.error(`kb.patches offset ${offset}: the refusal could not be audited: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
