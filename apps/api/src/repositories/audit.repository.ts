import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { auditEntrySchema, type AuditEntry, type AuditQuery } from '@warroom/contracts';
import { z } from 'zod';
import { toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

const auditRow = z.object({
  at: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?$/)
    .transform((text) => new Date(`${text.replace(' ', 'T')}Z`).toISOString()),
  actor_id: z.string(),
  actor_login: z.string(),
  action: z.string(),
  target: z.string(),
  details: z.string(),
});

/** The append-only `audit_log` table (migration 0005). Every value is a typed parameter. */
@Injectable()
export class AuditRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async insert(entries: AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.clickhouse.insert({
      table: 'audit_log',
      values: entries.map((entry) => ({
        at: toClickHouseTime(entry.at),
        actor_id: entry.actor.userId,
        actor_login: entry.actor.login,
        action: entry.action,
        target: entry.target,
        details: JSON.stringify(entry.details),
      })),
      format: 'JSONEachRow',
    });
  }

  /** Newest first. */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const result = await this.clickhouse.query({
      query: `SELECT at, actor_id, actor_login, action, target, details
              FROM audit_log
              WHERE ({action:String} = '' OR action = {action:String})
                AND ({target:String} = '' OR target = {target:String})
                AND at < {before:DateTime64(3, 'UTC')}
              ORDER BY at DESC
              LIMIT {limit:UInt32}`,
      query_params: {
        action: query.action ?? '',
        target: query.target ?? '',
        before: toClickHouseTime(query.before ?? '2999-12-31T23:59:59.999Z'),
        limit: query.limit,
      },
      format: 'JSONEachRow',
    });
    return (await result.json<unknown>()).map((raw) => {
      const row = auditRow.parse(raw);
      return auditEntrySchema.parse({
        at: row.at,
        actor: { userId: row.actor_id, login: row.actor_login },
        action: row.action,
        target: row.target,
        details: JSON.parse(row.details) as unknown,
      });
    });
  }
}
