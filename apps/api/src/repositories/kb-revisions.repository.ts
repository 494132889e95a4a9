import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { kbPatchRecordSchema, type KbPatchDecision, type KbPatchProposal, type KbPatchRecord, type KbSigningCutover } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** One recorded record (a proposal, or the signing cut-over), in log order: what rebuilding the ledger needs. */
export interface RecordedProposal {
  offset: number;
  appliedAt: string;
  record: KbPatchRecord;
  status: KbPatchDecision['status'];
}

/** What one row records: the sequencer's decision about a proposal, or a signing cut-over taken or not. */
export type RevisionEntry =
  | { proposal: KbPatchProposal; decision: KbPatchDecision; appliedAt: string }
  | { cutover: KbSigningCutover; offset: number; effective: boolean; appliedAt: string };

const recordedRow = z.object({
  log_offset: z.coerce.number().int().nonnegative(),
  status: z.enum(['applied', 'rejected']),
  applied_at: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/).transform((text) => new Date(`${text.replace(' ', 'T')}Z`).toISOString()),
  proposal: z.string().transform((text, ctx) => {
    try {
      return kbPatchRecordSchema.parse(JSON.parse(text));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `unreadable proposal: ${(error as Error).message}` });
      return z.NEVER;
    }
  }),
});

/**
 * `kb_revisions` (migration 0007): the durable, append-only record of the sequencer's decisions. A row
 * that no longer parses is an error at start, never a silently skipped patch.
 */
@Injectable()
export class KbRevisionsRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Every recorded proposal after `afterOffset`, one per log offset, in log order. */
  async recordedAfter(afterOffset: number): Promise<RecordedProposal[]> {
    const result = await this.clickhouse.query({
      query: `SELECT log_offset, status, applied_at, proposal
              FROM kb_revisions
              WHERE log_offset > {after:Int64}
              ORDER BY log_offset
              LIMIT 1 BY log_offset`,
      query_params: { after: afterOffset },
      format: 'JSONEachRow',
    });
    const rows = await result.json<unknown>();
    return rows.map((row) => {
      const parsed = recordedRow.parse(row);
      return { offset: parsed.log_offset, appliedAt: parsed.applied_at, record: parsed.proposal, status: parsed.status };
    });
  }

  /** Records decisions (one INSERT for the batch) with the records they decided. */
  async record(entries: readonly RevisionEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.clickhouse.insert({ table: 'kb_revisions', values: entries.map(toRow), format: 'JSONEachRow' });
  }
}

function toRow(entry: RevisionEntry): Record<string, string | number> {
  if ('cutover' in entry) {
    const { cutover, offset, effective, appliedAt } = entry;
    return {
      log_offset: offset,
      patch_id: cutover.cutoverId,
      status: effective ? 'applied' : 'rejected',
      target: 'kb.patches',
      revision: 0,
      base_revision: 0,
      op: cutover.kind,
      reason: effective ? '' : 'an earlier signing cut-over is in force',
      author_id: 'system',
      author_login: 'system',
      gap_id: '',
      proposed_at: toClickHouseTime(cutover.at),
      applied_at: toClickHouseTime(appliedAt),
      proposal: JSON.stringify(cutover),
    };
  }
  const { proposal, decision, appliedAt } = entry;
  return {
    log_offset: decision.offset,
    patch_id: proposal.patchId,
    status: decision.status,
    target: decision.status === 'applied' ? decision.version.target : decision.target,
    revision: decision.status === 'applied' ? decision.version.revision : (decision.current?.revision ?? 0),
    base_revision: proposal.baseRevision,
    op: proposal.patch.op,
    reason: decision.status === 'rejected' ? decision.reason : '',
    author_id: proposal.author.userId,
    author_login: proposal.author.login,
    gap_id: proposal.gapId ?? '',
    proposed_at: toClickHouseTime(proposal.proposedAt),
    applied_at: toClickHouseTime(appliedAt),
    proposal: JSON.stringify(proposal),
  };
}
