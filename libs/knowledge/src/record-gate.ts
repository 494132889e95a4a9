import type { KeyObject } from 'node:crypto';
import { kbPatchRecordSchema, type KbPatchOp, type KbPatchProposal, type KbSigningCutover } from '@warroom/contracts';
import { patchRefusal } from './patch-rights';
import { kbSignatureValid } from './signing';

/** What a reader does with one `kb.patches` record. */
export type GateVerdict =
  /** Hand it to the ledger (`legacy`: unsigned, from before the cut-over). */
  | { kind: 'proposal'; proposal: KbPatchProposal; legacy: boolean }
  /** A signed cut-over; `effective` for the first one (later ones change nothing). */
  | { kind: 'cutover'; cutover: KbSigningCutover; effective: boolean }
  /** Refused before the ledger: reported, never applied. `proposal` when it parsed as one. */
  | { kind: 'refused'; reason: string; proposal: KbPatchProposal | null };

/**
 * The check every reader of `kb.patches` (the api's replica, every bot) makes before its ledger sees a
 * record, in log order, so they all refuse the same records: a record that is not one, a bad signature, a
 * signed proposal whose stated rights do not allow its change, and an unsigned proposal after the signing
 * cut-over. Unsigned proposals before the cut-over (the topic is kept forever) are accepted as they were.
 */
export class KbRecordGate {
  private cutover: number | null;

  constructor(
    private readonly publicKeys: readonly KeyObject[],
    signedFrom: number | null = null,
  ) {
    this.cutover = signedFrom;
  }

  /** Whether any key verifies signatures (without one, every signed record is refused). */
  get verifies(): boolean {
    return this.publicKeys.length > 0;
  }

  /** The offset of the signing cut-over, or null while there is none. */
  get signedFrom(): number | null {
    return this.cutover;
  }

  /** Parses raw record bytes first (a reader that took them from Kafka). */
  admitBytes(offset: number, value: Buffer | null, currentAuthorOf: (patch: KbPatchOp) => string | null): GateVerdict {
    let parsed: unknown;
    try {
      parsed = value === null ? null : JSON.parse(value.toString('utf8'));
    } catch {
      return { kind: 'refused', reason: 'not JSON', proposal: null };
    }
    const record = kbPatchRecordSchema.safeParse(parsed);
    if (!record.success) return { kind: 'refused', reason: 'not a kb.patches record', proposal: null };
    return 'kind' in record.data ? this.admitCutover(offset, record.data) : this.admit(offset, record.data, currentAuthorOf);
  }

  admitCutover(offset: number, cutover: KbSigningCutover): GateVerdict {
    if (!kbSignatureValid(cutover, this.publicKeys)) return { kind: 'refused', reason: 'a signing cut-over with a bad signature', proposal: null };
    if (this.cutover !== null && this.cutover <= offset) return { kind: 'cutover', cutover, effective: false };
    this.cutover = offset;
    return { kind: 'cutover', cutover, effective: true };
  }

  /** `currentAuthorOf`: who published the current revision of the patch's target (for rollbacks). */
  admit(offset: number, proposal: KbPatchProposal, currentAuthorOf: (patch: KbPatchOp) => string | null): GateVerdict {
    if (proposal.signature === undefined) {
      if (this.cutover !== null && offset > this.cutover) {
        return { kind: 'refused', reason: `unsigned, after the signing cut-over at offset ${this.cutover}`, proposal };
      }
      return { kind: 'proposal', proposal, legacy: true };
    }
    if (!kbSignatureValid(proposal, this.publicKeys)) return { kind: 'refused', reason: 'bad signature', proposal };
    if (!proposal.rights) return { kind: 'refused', reason: "signed without the author's rights", proposal };
    const refusal = patchRefusal(proposal.patch, { ...proposal.rights, disabled: false, userId: proposal.author.userId }, currentAuthorOf(proposal.patch));
    if (refusal !== null) return { kind: 'refused', reason: `${proposal.author.login} may not make this change: ${refusal}`, proposal };
    return { kind: 'proposal', proposal, legacy: false };
  }
}
