import { Inject, Injectable } from '@nestjs/common';
import type { ClickHouseClient } from '@warroom/clickhouse';
import { campaignSchema, promoMomentKindSchema, type Campaign, type EventSource, type PromoMomentKind } from '@warroom/contracts';
import { z } from 'zod';
import { clickHouseTimeSchema, toClickHouseTime } from './clickhouse-time';
import { CLICKHOUSE } from './clickhouse.provider';

/** DateTime64(3, 'UTC') as ClickHouse writes it in JSON ('YYYY-MM-DD hh:mm:ss.sss'), back to ISO 8601. */
const clickHouseTime = clickHouseTimeSchema.transform((date) => date.toISOString());
/** UInt64 arrives as a string or a number depending on the server's output settings. */
const version = z.coerce.number().int().positive();

const campaignRow = z.object({
  campaign_id: z.string(),
  version,
  name: z.string(),
  source: z.string(),
  starts_at: clickHouseTime,
  ends_at: clickHouseTime,
  shops: z.array(z.string()),
  promo_labels: z.array(z.string()),
  promo_at: z.array(clickHouseTime),
  /** Empty on rows stored before migration 0014, '' for a moment stored without a kind: both read back without one. */
  promo_kinds: z.array(z.string()),
  plan_at: z.array(clickHouseTime),
  plan_questions_per_minute: z.array(z.coerce.number()),
  updated_at: clickHouseTime,
});
type CampaignRow = z.input<typeof campaignRow>;

const COLUMNS = `campaign_id, version, name, source, starts_at, ends_at, shops, promo_labels, promo_at, promo_kinds, plan_at,
  plan_questions_per_minute, updated_at`;

/**
 * The `campaigns` table (migration 0004): versioned rows, each change a whole new row with a higher
 * version. Reads take every campaign's newest version; a row that no longer parses as a campaign is an
 * error, not a silently missing campaign.
 */
@Injectable()
export class CampaignRepository {
  constructor(@Inject(CLICKHOUSE) private readonly clickhouse: ClickHouseClient) {}

  /** The newest version of every campaign (of one source, and/or ending after a time, when asked). */
  async list(filter: { source?: EventSource; endsAfter?: Date } = {}): Promise<Campaign[]> {
    return this.select(
      `WHERE ({source:String} = '' OR source = {source:String})
         AND ends_at > {ends_after:DateTime64(3, 'UTC')}`,
      {
        source: filter.source ?? '',
        ends_after: toClickHouseTime((filter.endsAfter ?? new Date(0)).toISOString()),
      },
    );
  }

  async get(id: string): Promise<Campaign | null> {
    const [campaign] = await this.select('WHERE campaign_id = {id:String}', { id });
    return campaign ?? null;
  }

  /**
   * Stores `campaign` as the newest version of its id. Its version must be higher than every stored one
   * (see `nextVersion`); two writers racing on one id end with one of the two versions, whole.
   */
  async insert(campaign: Campaign): Promise<void> {
    const row: CampaignRow = {
      campaign_id: campaign.id,
      version: campaign.version,
      name: campaign.name,
      source: campaign.source,
      starts_at: toClickHouseTime(campaign.startsAt),
      ends_at: toClickHouseTime(campaign.endsAt),
      shops: campaign.shops,
      promo_labels: campaign.promoMoments.map((moment) => moment.label),
      promo_at: campaign.promoMoments.map((moment) => toClickHouseTime(moment.at)),
      promo_kinds: campaign.promoMoments.map((moment) => moment.kind ?? ''),
      plan_at: campaign.plan.map((point) => toClickHouseTime(point.at)),
      plan_questions_per_minute: campaign.plan.map((point) => point.questionsPerMinute),
      updated_at: toClickHouseTime(campaign.updatedAt),
    };
    await this.clickhouse.insert({ table: 'campaigns', values: [row], format: 'JSONEachRow' });
  }

  /** The highest version stored for `id`, 0 when none. */
  async latestVersion(id: string): Promise<number> {
    const result = await this.clickhouse.query({
      query: 'SELECT toString(max(version)) AS version FROM campaigns WHERE campaign_id = {id:String}',
      query_params: { id },
      format: 'JSONEachRow',
    });
    const [row] = z.array(z.object({ version: z.coerce.number().int().nonnegative() })).parse(await result.json());
    return row?.version ?? 0;
  }

  private async select(where: string, params: Record<string, string>): Promise<Campaign[]> {
    const result = await this.clickhouse.query({
      query: `SELECT * FROM
              (
                SELECT ${COLUMNS} FROM campaigns
                ORDER BY campaign_id, version DESC
                LIMIT 1 BY campaign_id
              )
              ${where}
              ORDER BY starts_at, campaign_id`,
      query_params: params,
      format: 'JSONEachRow',
    });
    return z
      .array(campaignRow)
      .parse(await result.json())
      .map((row) =>
        campaignSchema.parse({
          id: row.campaign_id,
          name: row.name,
          source: row.source,
          startsAt: row.starts_at,
          endsAt: row.ends_at,
          shops: row.shops,
          promoMoments: row.promo_labels.map((label, index) => {
            const kind = storedKind(row.promo_kinds[index]);
            return { label, at: row.promo_at[index], ...(kind === undefined ? {} : { kind }) };
          }),
          plan: row.plan_at.map((at, index) => ({ at, questionsPerMinute: row.plan_questions_per_minute[index] })),
          version: row.version,
          updatedAt: row.updated_at,
        }),
      );
  }
}

/** A kind this version does not know (written by a newer one) reads as `other`. */
function storedKind(kind: string | undefined): PromoMomentKind | undefined {
  if (kind === undefined || kind === '') return undefined;
  const parsed = promoMomentKindSchema.safeParse(kind);
  return parsed.success ? parsed.data : 'other';
}
