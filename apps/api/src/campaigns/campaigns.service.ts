import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  campaignSchema,
  type Campaign,
  type CampaignInput,
  type CampaignListQuery,
  type EventSource,
  type SnapshotCampaign,
} from '@warroom/contracts';
import { NotFound } from '@warroom/nest-common';
import { CampaignRepository } from '../repositories/campaign.repository';
import { loadCampaign, runningCampaign, snapshotCampaign, type LoadedCampaign } from './campaign-context';

/**
 * Campaigns another api process stored are seen within this long (this process's own writes at once).
 * The live tick reads campaigns many times a second, so it reads them from memory, never from the store.
 */
const REFRESH_EVERY_MS = 5_000;

/**
 * Campaign records, and the running campaign of a view for the live metrics. Keeps every campaign that has
 * not ended yet in memory, refreshed from the store in the background.
 */
@Injectable()
export class CampaignsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CampaignsService.name);
  private current = new Map<string, LoadedCampaign>();
  private timer: NodeJS.Timeout | null = null;
  private refreshFailing = false;

  constructor(private readonly campaigns: CampaignRepository) {}

  /** The first load is awaited, so the first snapshots already know their campaign. */
  async onApplicationBootstrap(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().then(
        () => {
          if (this.refreshFailing) this.logger.log('Campaigns are read again');
          this.refreshFailing = false;
        },
        (error: unknown) => {
          // The campaigns known stay in use; say so once, not every 5 s.
          if (!this.refreshFailing) this.logger.warn(`Reading campaigns failed, keeping the ones known: ${(error as Error).message}`);
          this.refreshFailing = true;
        },
      );
    }, REFRESH_EVERY_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  list(query: CampaignListQuery): Promise<Campaign[]> {
    return this.campaigns.list({ source: query.source });
  }

  async get(id: string): Promise<Campaign> {
    const campaign = await this.campaigns.get(id);
    if (!campaign) throw new NotFound(`No campaign ${id}`);
    return campaign;
  }

  /** Stores a new version of campaign `id` and uses it at once. */
  async put(id: string, input: CampaignInput): Promise<Campaign> {
    const now = Date.now();
    // Versions grow with time, and past every stored one even when a clock went backwards.
    const version = Math.max(now, (await this.campaigns.latestVersion(id)) + 1);
    const campaign = campaignSchema.parse({ id, ...input, version, updatedAt: new Date(now).toISOString() });
    await this.campaigns.insert(campaign);
    this.remember(campaign, now);
    return campaign;
  }

  /** The start of the campaign a view of (source, shop) belongs to at `at`; null when none runs. */
  runningStart(view: { source: EventSource; shop: string }, at: Date): Date | null {
    const running = runningCampaign([...this.current.values()], view, at.getTime());
    return running ? new Date(running.startsAt) : null;
  }

  /** What a snapshot of (source, shop) at `asOf` says of its campaign; null when none runs. */
  snapshotCampaign(
    view: { source: EventSource; shop: string },
    asOf: Date,
    window: { start: Date; end: Date; sinceCampaignStart: boolean },
  ): SnapshotCampaign | null {
    const running = runningCampaign([...this.current.values()], view, asOf.getTime());
    if (!running) return null;
    return snapshotCampaign(running, asOf.getTime(), {
      start: window.start.getTime(),
      end: window.end.getTime(),
      sinceCampaignStart: window.sinceCampaignStart,
    });
  }

  private async refresh(): Promise<void> {
    const now = Date.now();
    const campaigns = await this.campaigns.list({ endsAfter: new Date(now) });
    const next = new Map<string, LoadedCampaign>();
    for (const campaign of campaigns) next.set(campaign.id, loadCampaign(campaign));
    // A write of this process that the read did not see yet (it started before the write) stays.
    for (const [id, loaded] of this.current) {
      const read = next.get(id);
      if (loaded.endsAt > now && (!read || read.campaign.version < loaded.campaign.version)) next.set(id, loaded);
    }
    this.current = next;
  }

  private remember(campaign: Campaign, now: number): void {
    const loaded = loadCampaign(campaign);
    if (loaded.endsAt > now) this.current.set(campaign.id, loaded);
    else this.current.delete(campaign.id);
  }
}
