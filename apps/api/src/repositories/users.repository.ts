import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { gradeSchema, issuesText, roleSchema, type Grade, type Role } from '@warroom/contracts';
import { z } from 'zod';
import { clickHouseTimeSchema, toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** One version of a user: the whole row, password hash included (it never leaves the api). */
export interface UserRecord {
  userId: string;
  login: string;
  displayName: string;
  role: Role;
  grade: Grade | null;
  disabled: boolean;
  passwordHash: string;
  mustChangePassword: boolean;
  version: bigint;
  updatedAt: Date;
  /** User id of whoever wrote this version ('system' for the first admin). */
  updatedBy: string;
}

/** Bool arrives as true/false, or 1/0 from some servers. */
const bool = z.union([z.boolean(), z.literal(0), z.literal(1)]).transform((value) => value === true || value === 1);

const userRow = z.object({
  user_id: z.string().min(1),
  login: z.string().min(1),
  display_name: z.string(),
  role: roleSchema,
  grade: z.union([z.literal(''), gradeSchema]).transform((grade) => (grade === '' ? null : grade)),
  disabled: bool,
  password_hash: z.string().min(1),
  must_change_password: bool,
  // UInt64 arrives as a string or a number depending on the server's output settings.
  version: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((value) => BigInt(value)),
  updated_at: clickHouseTimeSchema,
  updated_by: z.string(),
});

/**
 * The `users` table (migration 0005): versioned rows, every change a whole new row with a higher version.
 * Reads take each user's newest row whole (ties broken by the hash, the same way on every reader); a row
 * that no longer parses is an error, never a silently missing user. Every value is a typed parameter.
 */
@Injectable()
export class UsersRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  async get(userId: string): Promise<UserRecord | null> {
    const [user] = await this.select('WHERE user_id = {user_id:String}', { user_id: userId });
    return user ?? null;
  }

  /** Every user's newest version, by login. */
  async list(): Promise<UserRecord[]> {
    const users = await this.select('', {});
    return users.sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
  }

  /** Whether any user's newest version has the admin role (enabled or not). */
  async anyAdmin(): Promise<boolean> {
    const result = await this.clickhouse.query({
      query: `SELECT count() AS admins FROM
              (SELECT role FROM users ORDER BY user_id, version DESC, password_hash DESC LIMIT 1 BY user_id)
              WHERE role = 'admin'`,
      format: 'JSONEachRow',
    });
    const [row] = await result.json<{ admins: string | number }>();
    return Number(row?.admins ?? 0) > 0;
  }

  /**
   * Writes one new version. With a deduplication token, a second insert carrying the same token is dropped
   * by the store (within the table's deduplication window): how concurrent first starts agree on one row.
   */
  async insert(user: UserRecord, deduplicationToken?: string): Promise<void> {
    await this.clickhouse.insert({
      table: 'users',
      values: [
        {
          user_id: user.userId,
          login: user.login,
          display_name: user.displayName,
          role: user.role,
          grade: user.grade ?? '',
          disabled: user.disabled,
          password_hash: user.passwordHash,
          must_change_password: user.mustChangePassword,
          version: user.version.toString(),
          updated_at: toClickHouseTime(user.updatedAt.toISOString()),
          updated_by: user.updatedBy,
        },
      ],
      format: 'JSONEachRow',
      clickhouse_settings: deduplicationToken ? { insert_deduplicate: 1, insert_deduplication_token: deduplicationToken } : {},
    });
  }

  private async select(where: string, params: Record<string, string>): Promise<UserRecord[]> {
    const result = await this.clickhouse.query({
      query: `SELECT user_id, login, display_name, role, grade, disabled, password_hash, must_change_password,
                     toString(version) AS version, updated_at, updated_by
              FROM users ${where}
              ORDER BY user_id, version DESC, password_hash DESC
              LIMIT 1 BY user_id`,
      query_params: params,
      format: 'JSONEachRow',
    });
    const rows = await result.json<unknown>();
    return rows.map((row) => {
      const parsed = userRow.safeParse(row);
      if (!parsed.success) {
        throw new Error(`users: a stored row does not parse (${issuesText(parsed.error)})`);
      }
      const u = parsed.data;
      return {
        userId: u.user_id,
        login: u.login,
        displayName: u.display_name,
        role: u.role,
        grade: u.grade,
        disabled: u.disabled,
        passwordHash: u.password_hash,
        mustChangePassword: u.must_change_password,
        version: u.version,
        updatedAt: u.updated_at,
        updatedBy: u.updated_by,
      };
    });
  }
}
