/**
 * The briefing's rules (pure): which moment a briefing is about, which past moment it reads, how much
 * more (or less) traffic this campaign plans, and last time's questions grouped like gaps.
 */
import { promoMomentKind, type Campaign, type EventSource, type PromoMomentKind } from '@warroom/contracts';
import { GapClusterer, normalizeQuestion, type SparseMap } from '@warroom/matcher';
import { loadCampaign, planMean, runningCampaign } from '../campaigns/campaign-context';
import type { AskedAround } from '../repositories/briefing.repository';

export interface AlignedMoment {
  label: string;
  at: number;
  kind: PromoMomentKind;
}

/**
 * The moment a briefing of (source, shop) is about at `now`: in the running campaign, the first moment
 * whose window after it has not ended (so the briefing stays up through the rush, then moves on).
 */
export function briefingMoment(
  campaigns: readonly Campaign[],
  view: { source: EventSource; shop: string },
  now: number,
  windowMs: number,
): { campaign: Campaign; moment: AlignedMoment; ordinal: number } | null {
  const running = runningCampaign(campaigns.map(loadCampaign), view, now);
  if (!running) return null;
  const moments = running.campaign.promoMoments;
  const index = moments.findIndex((moment) => Date.parse(moment.at) + windowMs > now);
  const found = moments[index];
  if (!found) return null;
  const kind = promoMomentKind(found);
  return {
    campaign: running.campaign,
    moment: { label: found.label, at: Date.parse(found.at), kind },
    ordinal: moments.slice(0, index).filter((moment) => promoMomentKind(moment) === kind).length,
  };
}

/**
 * The previous comparable campaign's moment: among the campaigns of the same source that started before
 * this one and share a shop with it, the latest that has a moment of the same kind; in it, the moment of
 * that kind with the same ordinal (the second final payment of a campaign aligns with the second one
 * last time), or its last one of that kind. Aligned by moment, not by clock.
 */
export function previousMoment(
  campaigns: readonly Campaign[],
  current: Campaign,
  kind: PromoMomentKind,
  ordinal: number,
): { campaign: Campaign; moment: AlignedMoment } | null {
  const currentStart = Date.parse(current.startsAt);
  let best: { campaign: Campaign; moment: AlignedMoment } | null = null;
  for (const campaign of campaigns) {
    if (campaign.id === current.id || campaign.source !== current.source || Date.parse(campaign.startsAt) >= currentStart) continue;
    if (!campaign.shops.some((shop) => current.shops.includes(shop))) continue;
    const sameKind = campaign.promoMoments.filter((moment) => promoMomentKind(moment) === kind);
    const aligned = sameKind[Math.min(ordinal, sameKind.length - 1)];
    if (!aligned) continue;
    if (best && Date.parse(best.campaign.startsAt) >= Date.parse(campaign.startsAt)) continue;
    best = { campaign, moment: { label: aligned.label, at: Date.parse(aligned.at), kind } };
  }
  return best;
}

/** This campaign's planned traffic in the window after its moment over last campaign's after its own; 1 when either has no plan there. */
export function planRatio(current: Campaign, at: number, previous: Campaign, previousAt: number, windowMs: number): number {
  const now = planMean(loadCampaign(current).plan, at, at + windowMs);
  const then = planMean(loadCampaign(previous).plan, previousAt, previousAt + windowMs);
  if (now === null || then === null || then <= 0) return 1;
  return now / then;
}

/** Last time's questions of one topic in one shop. */
export interface QuestionGroup {
  shopId: string;
  /** Distinct wordings, the most asked first. */
  texts: string[];
  asked: number;
  answered: number;
  unmatched: number;
  handedOff: number;
}

/**
 * Groups last time's distinct questions as the gaps group unmatched ones (the same clusterer over the
 * same representation), per shop, each text taken in order of how often it was asked; the groups come
 * back the most asked first. Small talk (no words) is left out, as the gaps leave it out.
 */
export function groupQuestions(asked: readonly AskedAround[], represent: (text: string) => SparseMap): QuestionGroup[] {
  const byShop = new Map<string, { clusterer: GapClusterer<null>; groups: Map<number, QuestionGroup> }>();
  const ordered = [...asked].sort((a, b) => b.asked - a.asked || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  for (const row of ordered) {
    if (normalizeQuestion(row.text) === '') continue;
    let shop = byShop.get(row.shopId);
    if (!shop) {
      shop = { clusterer: new GapClusterer<null>({ represent, keepMembers: false }), groups: new Map() };
      byShop.set(row.shopId, shop);
    }
    const { clusterId } = shop.clusterer.add(row.text, null);
    const group = shop.groups.get(clusterId) ?? { shopId: row.shopId, texts: [], asked: 0, answered: 0, unmatched: 0, handedOff: 0 };
    group.texts.push(row.text);
    group.asked += row.asked;
    group.answered += row.answered;
    group.unmatched += row.unmatched;
    group.handedOff += row.handedOff;
    shop.groups.set(clusterId, group);
    // A join may merge clusters: fold the groups whose clusters now resolve to one.
    for (const [id, merged] of [...shop.groups]) {
      const into = shop.clusterer.resolve(id);
      if (into === id) continue;
      const target = shop.groups.get(into);
      shop.groups.delete(id);
      if (!target) {
        shop.groups.set(into, merged);
        continue;
      }
      target.texts = [...target.texts, ...merged.texts];
      target.asked += merged.asked;
      target.answered += merged.answered;
      target.unmatched += merged.unmatched;
      target.handedOff += merged.handedOff;
    }
  }
  const askedOf = new Map(asked.map((row) => [`${row.shopId}\u0000${row.text}`, row.asked]));
  const groups = [...byShop.values()].flatMap((shop) => [...shop.groups.values()]);
  for (const group of groups) {
    const times = (text: string): number => askedOf.get(`${group.shopId}\u0000${text}`) ?? 0;
    group.texts.sort((a, b) => times(b) - times(a) || (a < b ? -1 : a > b ? 1 : 0));
  }
  return groups.sort((a, b) => b.asked - a.asked || (a.texts[0]! < b.texts[0]! ? -1 : 1));
}

/** The key a predicted gap keeps across computations and processes: the moment, the shop, the topic's first wording. */
export function predictionKey(campaignId: string, momentAt: number, group: Pick<QuestionGroup, 'shopId' | 'texts'>): string {
  return `${campaignId}|${momentAt}|${group.shopId}|${normalizeQuestion(group.texts[0] ?? '')}`;
}
