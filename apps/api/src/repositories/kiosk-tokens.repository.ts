import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { issuesText } from '@warroom/contracts';
import { z } from 'zod';
import { clickHouseTimeSchema, toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** One version of a kiosk token: its name, the SHA-256 of the token, and whether it was revoked. */
export interface KioskTokenRecord {
  tokenId: string;
  name: string;
  tokenSha256: string;
  createdAt: Date;
  createdBy: string;
  revokedAt: Date | null;
  revokedBy: string | null;
  version: bigint;
}


const kioskTokenRow = z.object({
  token_id: z.string().min(1),
  name: z.string(),
  token_sha256: z.string().regex(/^[0-9a-f]{64}$/),
  created_at: clickHouseTimeSchema,
  created_by: z.string(),
  revoked_at: clickHouseTimeSchema,
  revoked_by: z.string(),
  version: z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform((value) => BigInt(value)),
});

/** The epoch stands for "not revoked" in `revoked_at` (migration 0010): no Nullable column to read. */
const NOT_REVOKED = new Date(0);

/** The `kiosk_tokens` table (migration 0010): versioned rows, each token's newest read whole. */
@Injectable()
export class KioskTokensRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** Every token's newest version, oldest issued first. */
  async list(): Promise<KioskTokenRecord[]> {
    const result = await this.clickhouse.query({
      query: `SELECT token_id, name, token_sha256, created_at, created_by, revoked_at, revoked_by, toString(version) AS version
              FROM kiosk_tokens
              ORDER BY token_id, version DESC
              LIMIT 1 BY token_id`,
      format: 'JSONEachRow',
    });
    const rows = (await result.json<unknown>()).map((row) => {
      const parsed = kioskTokenRow.safeParse(row);
      if (!parsed.success) throw new Error(`kiosk_tokens: a stored row does not parse (${issuesText(parsed.error)})`);
      const t = parsed.data;
      return {
        tokenId: t.token_id,
        name: t.name,
        tokenSha256: t.token_sha256,
        createdAt: t.created_at,
        createdBy: t.created_by,
        revokedAt: t.revoked_at.getTime() === NOT_REVOKED.getTime() ? null : t.revoked_at,
        revokedBy: t.revoked_at.getTime() === NOT_REVOKED.getTime() ? null : t.revoked_by,
        version: t.version,
      };
    });
    return rows.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  async insert(token: KioskTokenRecord): Promise<void> {
    await this.clickhouse.insert({
      table: 'kiosk_tokens',
      values: [
        {
          token_id: token.tokenId,
          name: token.name,
          token_sha256: token.tokenSha256,
          created_at: toClickHouseTime(token.createdAt.toISOString()),
          created_by: token.createdBy,
          revoked_at: toClickHouseTime((token.revokedAt ?? NOT_REVOKED).toISOString()),
          revoked_by: token.revokedBy ?? '',
          version: token.version.toString(),
        },
      ],
      format: 'JSONEachRow',
    });
  }
}
