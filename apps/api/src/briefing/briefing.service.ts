import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_SOURCES, type Briefing, type BriefingEntry, type BriefingMoment, type BriefingQuery, type BriefingVerdict, type Campaign } from '@warroom/contracts';
import type { SparseMap } from '@warroom/matcher';
import { CampaignsService } from '../campaigns/campaigns.service';
import { Clock } from '../common/clock';
import { maskPii } from '../common/pii-mask';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Prediction } from '../gaps/gap-engine';
import { GapsService } from '../gaps/gaps.service';
import { knowledgeRepresentation } from '../gaps/knowledge-representation';
import { KbService } from '../kb/kb.service';
import { BotRepository } from '../repositories/bot.repository';
import { BriefingRepository } from '../repositories/briefing.repository';
import { KnowledgePacksRepository } from '../repositories/knowledge-packs.repository';
import { briefingMoment, groupQuestions, planRatio, predictionKey, previousMoment, type AlignedMoment, type QuestionGroup } from './briefing-plan';

/** Distinct texts read around last time's moment: enough for the long tail of a rush, bounded for the store. */
const ASKED_LIMIT = 5_000;
/** A briefing is computed again at most this often per (source, shop, time): each asks the bot for every entry. */
const CACHE_MS = 5_000;
/**
 * Open briefings of every running campaign are computed this often without anyone asking, so their
 * predicted gaps are in every api process's inbox (and come back after a restart) before a trainer looks.
 */
const REFRESH_MS = 30_000;

/**
 * The briefing (issue 23): for the next promo moment of the running campaign, what customers asked in the
 * window after the same kind of moment of the previous comparable campaign, grouped like gaps, ranked by
 * the volume expected this time (last time's count × this plan / last plan), masked, each with what
 * today's knowledge base does with its most asked wording, asked of the bot's match path (no session, no
 * event). From `lead` before the moment, the topics the knowledge base does not answer are predicted gaps
 * (`GapsService.predict`), claimed, patched, previewed and published like any other.
 */
@Injectable()
export class BriefingService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(BriefingService.name);
  private readonly cache = new Map<string, { at: number; briefing: Promise<Briefing> }>();
  private represent: ((text: string) => SparseMap) | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly campaigns: CampaignsService,
    private readonly repository: BriefingRepository,
    private readonly gaps: GapsService,
    private readonly kb: KbService,
    private readonly bot: BotRepository,
    private readonly packs: KnowledgePacksRepository,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.represent = knowledgeRepresentation(this.packs.readAll());
    this.timer = setInterval(() => void this.refreshOpen(), REFRESH_MS);
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  briefing(query: BriefingQuery): Promise<Briefing> {
    const now = this.clock.now();
    const at = query.at === undefined ? now : Date.parse(query.at);
    const key = `${query.source}|${query.shop}|${query.at ?? ''}`;
    const cached = this.cache.get(key);
    if (cached && now - cached.at < CACHE_MS) return cached.briefing;
    const briefing = this.compute(query, at, query.at === undefined);
    this.cache.set(key, { at: now, briefing });
    briefing.catch(() => this.cache.delete(key));
    for (const [old, entry] of this.cache) if (now - entry.at >= CACHE_MS) this.cache.delete(old);
    return briefing;
  }

  private async compute(query: BriefingQuery, at: number, predict: boolean): Promise<Briefing> {
    const windowMs = this.config.briefing.leadMs;
    const view = { source: query.source, shop: query.shop };
    const campaigns = await this.campaigns.list({ source: query.source });
    const none = (reason: string, extra: Partial<Briefing> = {}): Briefing => ({
      source: query.source,
      shop: query.shop,
      status: 'none',
      reason,
      campaign: null,
      moment: null,
      opensAt: null,
      windowMinutes: Math.round(windowMs / 60_000),
      previous: null,
      planRatio: 1,
      entries: [],
      hitRate: null,
      computedAt: new Date(this.clock.now()).toISOString(),
      ...extra,
    });
    const next = briefingMoment(campaigns, view, at, windowMs);
    if (!next) return none(`no ${query.source} campaign with a promo moment ahead is running`);
    const base = { campaign: { id: next.campaign.id, name: next.campaign.name }, moment: wireMoment(next.moment), opensAt: iso(next.moment.at - windowMs) };
    const previous = previousMoment(campaigns, next.campaign, next.moment.kind, next.ordinal);
    if (!previous) return none(`no earlier ${query.source} campaign has a ${next.moment.kind} moment`, base);

    const shops = query.shop === 'all' ? next.campaign.shops : next.campaign.shops.filter((shop) => shop === query.shop);
    const lastRange = { source: query.source, shops, from: new Date(previous.moment.at), to: new Date(previous.moment.at + windowMs) };
    const ratio = planRatio(next.campaign, next.moment.at, previous.campaign, previous.moment.at, windowMs);
    const asked = await this.repository.askedAround(lastRange, ASKED_LIMIT);
    const groups = groupQuestions(asked, this.representation()).slice(0, this.config.briefing.entries);
    const status: Briefing['status'] = at < next.moment.at - windowMs ? 'upcoming' : at < next.moment.at ? 'open' : 'after';
    const entries = await this.entries(groups, ratio);
    if (predict && status !== 'upcoming') await this.predictGaps(next.campaign, next.moment, entries, groups);
    const hitRate =
      status === 'after'
        ? {
            lastTime: await this.repository.hitRate(lastRange),
            now: await this.repository.hitRate({ source: query.source, shops, from: new Date(next.moment.at), to: new Date(Math.min(at, next.moment.at + windowMs)) }),
          }
        : null;
    return {
      ...none('', base),
      status,
      reason: null,
      previous: { campaignId: previous.campaign.id, name: previous.campaign.name, moment: wireMoment(previous.moment) },
      planRatio: round(ratio, 3),
      entries,
      hitRate,
    };
  }

  /** Each group's verdict from the bot's match path, one after the other (the bot answers customers meanwhile). */
  private async entries(groups: readonly QuestionGroup[], ratio: number): Promise<BriefingEntry[]> {
    const entries: BriefingEntry[] = [];
    for (const group of groups) {
      const representative = group.texts[0]!;
      const match = await this.bot.match({ shopId: group.shopId, text: representative, topK: 1 });
      const best = match.candidates[0] ?? null;
      let now: BriefingVerdict;
      if (match.matched && best) {
        const version = this.kb.effectiveVersion(group.shopId, best.answerId);
        now = {
          kind: 'answered',
          answerId: best.answerId,
          score: best.score,
          reply: version?.content?.reply.text ?? null,
          target: version?.target ?? null,
          revision: version?.revision ?? null,
        };
      } else if (group.handedOff * 2 > group.asked) {
        now = { kind: 'handoff' };
      } else {
        now = { kind: 'unmatched', bestCandidate: best };
      }
      entries.push({
        shopId: group.shopId,
        representative: maskPii(representative),
        examples: [...new Set(group.texts.slice(0, 5).map((text) => maskPii(text)))],
        lastTime: { asked: group.asked, answered: group.answered, unmatched: group.unmatched, handedOff: group.handedOff },
        expected: round(group.asked * ratio, 1),
        now,
        gapId: null,
      });
    }
    return entries.sort((a, b) => b.expected - a.expected);
  }

  /** The entries today's knowledge base does not answer become predicted gaps; their ids go on the entries. */
  private async predictGaps(campaign: Campaign, moment: AlignedMoment, entries: BriefingEntry[], groups: readonly QuestionGroup[]): Promise<void> {
    const byRepresentative = new Map(groups.map((group) => [`${group.shopId}\u0000${maskPii(group.texts[0]!)}`, group]));
    const predicted: { entry: BriefingEntry; prediction: Prediction }[] = [];
    for (const entry of entries) {
      if (entry.now.kind === 'answered') continue;
      const group = byRepresentative.get(`${entry.shopId}\u0000${entry.representative}`);
      if (!group) continue;
      const handoffShare = group.asked > 0 ? (group.handedOff + group.unmatched) / group.asked : 0;
      predicted.push({
        entry,
        prediction: {
          source: campaign.source,
          shopId: group.shopId,
          key: predictionKey(campaign.id, moment.at, group),
          texts: group.texts,
          momentLabel: moment.label,
          momentAt: moment.at,
          expectedCost: round(entry.expected * (1 + Math.min(1, handoffShare)), 1),
          at: this.clock.now(),
        },
      });
    }
    if (predicted.length === 0) return;
    const ids = await this.gaps.predict(predicted.map((item) => item.prediction));
    predicted.forEach((item, index) => {
      item.entry.gapId = ids[index] ?? null;
    });
  }

  /** Computes the open briefings of every source's running campaign (all shops): their gaps get predicted. */
  private async refreshOpen(): Promise<void> {
    for (const source of EVENT_SOURCES) {
      try {
        await this.briefing({ source, shop: 'all' });
      } catch (error) {
        this.logger.warn(`The ${source} briefing could not be computed: ${(error as Error).message}`);
      }
    }
  }

  private representation(): (text: string) => SparseMap {
    this.represent ??= knowledgeRepresentation(this.packs.readAll());
    return this.represent;
  }
}

function wireMoment(moment: AlignedMoment): BriefingMoment {
  return { label: moment.label, at: iso(moment.at), kind: moment.kind };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
