import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { kbPatchProposalSchema, type KbPatchDecision, type KbPatchProposal } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** One recorded proposal, in log order: what rebuilding the ledger needs. */
export interface RecordedProposal {
  offset: number;
  appliedAt: string;
  proposal: KbPatchProposal;
  status: KbPatchDecision['status'];
}

const recordedRow = z.object({
  log_offset: z.coerce.number().int().nonnegative(),
  status: z.enum(['applied', 'rejected']),
  applied_at: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/).transform((text) => new Date(`${text.replace(' ', 'T')}Z`).toISOString()),
  proposal: z.string().transform((text, ctx) => {
    try {
      return kbPatchProposalSchema.parse(JSON.parse(text));
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
      return { offset: parsed.log_offset, appliedAt: parsed.applied_at, proposal: parsed.proposal, status: parsed.status };
    });
  }

  /** Records decisions (one INSERT for the batch) with the proposals they decided. */
  async record(entries: readonly { proposal: KbPatchProposal; decision: KbPatchDecision; appliedAt: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const values = entries.map(({ proposal, decision, appliedAt }) => ({
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
    }));
    await this.clickhouse.insert({ table: 'kb_revisions', values, format: 'JSONEachRow' });
  }
}
