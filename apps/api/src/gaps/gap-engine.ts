/**
 * The gap engine (pure, no I/O): unmatched queries and agents' flags clustered online into gaps, per
 * source and shop, with every figure of the `Gap` contract, merges, and the lifecycle applied on top.
 *
 * Clustering is `GapClusterer` from libs/matcher (the one eval:matcher measures), one per (source, shop),
 * over a representation of the question (the service passes the knowledge packs' TF-IDF, as eval:matcher
 * does). The engine keeps each gap's figures and texts; the centroid is the clusterer's alone, so that "a
 * question similar enough to the gap" (verification) is the clusterer's own rule, cosine to the centroid
 * ≥ its threshold, and the representative is the gap's kept text nearest that centroid.
 *
 * Determinism: a gap's id is a hash of its first question's event id, and questions are fed in
 * (event time, event id) order on a rebuild, so re-reading the same events gives the same gaps and ids.
 */
import { createHash } from 'node:crypto';
import {
  DEFAULT_EMOTION_WEIGHTS,
  STAGES,
  gradesThatMayTake,
  type EmotionName,
  type EventSource,
  type Gap,
  type Stage,
  type TimeToPatch,
} from '@warroom/contracts';
import {
  DEFAULT_FEATURE_OPTIONS,
  DEFAULT_GAP_MERGE_THRESHOLD,
  DEFAULT_GAP_THRESHOLD,
  GapClusterer,
  extractFeatures,
  normalizeQuestion,
  type SparseMap,
} from '@warroom/matcher';
import { maskPii } from '../common/pii-mask';
import type { AnsweredInput, GapInput, LifecycleRecord } from '../repositories/gap-records';
import { OPEN_STATE, decide, mergeStates, type LifecycleDecision, type LifecycleState } from './gap-lifecycle';

export interface GapEngineSettings {
  /** The cost window (DESIGN.md: 60 minutes). */
  windowMs: number;
  emotionWeights: Record<EmotionName, number>;
  threshold: number;
  mergeThreshold: number;
  /** `add_examples` needs this share of the cluster's questions to have the same best candidate… */
  suggestMinAgreement: number;
  /** …with at least this mean score. */
  suggestMinScore: number;
  /** How many gaps one (source, shop) holds; see `evictionVictims` for who goes. */
  maxGapsPerShop: number;
  /** A gap of at least this many questions is established: never evicted, never expired early. */
  establishedQuestions: number;
  /** A gap costing at least this much now is established too (few questions, but angry and handed off). */
  establishedCost: number;
  /** A gap that is not established and gets no question for this long is forgotten. */
  smallGapTtlMs: number;
}

export const DEFAULT_GAP_ENGINE_SETTINGS: GapEngineSettings = {
  windowMs: 60 * 60_000,
  emotionWeights: DEFAULT_EMOTION_WEIGHTS,
  threshold: DEFAULT_GAP_THRESHOLD,
  mergeThreshold: DEFAULT_GAP_MERGE_THRESHOLD,
  suggestMinAgreement: 0.6,
  suggestMinScore: 0.35,
  maxGapsPerShop: 2_000,
  establishedQuestions: 5,
  establishedCost: 5,
  // Past the cost window, a small gap's cost is 0: it is on nobody's list any more.
  smallGapTtlMs: 60 * 60_000,
};

/**
 * The events of an evicted or expired gap are remembered this long after they happened, then forgotten:
 * a poll re-reads what was stored in its last seconds (GapsService's slack), so only a question stored
 * later than this after it was asked could be taken twice, into a gap of its own. Without it, a day-long
 * flood would keep every event id of the day.
 */
const FORGOTTEN_EVENTS_KEPT_MS = 10 * 60_000;

/** When a shop holds more than `maxGapsPerShop` gaps, this share of the cap is freed at once (so a flood evicts in batches). */
const EVICT_TO_SHARE = 0.9;

/** Distinct raw texts kept per gap (what `questionsOf` returns and the representative is chosen from). */
export const QUESTIONS_KEPT = 500;
const EXAMPLES_SHOWN = 10;
const SKUS_SHOWN = 5;
/** Events may carry times up to 5 minutes ahead (DESIGN.md): a window is never trimmed closer than that. */
const FUTURE_SLACK_MS = 5 * 60_000;
/** Best candidates of small-talk answers: the customer was chatting, and the bot answers that anyway. */
const SMALL_TALK_PREFIX = 'smalltalk.';

/** What changed, for the pushes: a gap opened or grew, its lifecycle moved, or it was merged away. */
export type GapChange =
  | { kind: 'opened' | 'grew' | 'state'; gapId: string }
  | { kind: 'merged'; gapId: string; into: string }
  | { kind: 'expired'; gapId: string };

interface WindowEntry {
  at: number;
  handoff: boolean;
  weight: number;
}

interface GapState {
  gapId: string;
  source: EventSource;
  shopId: string;
  clusterId: number;
  firstSeen: number;
  lastSeen: number;
  total: number;
  flags: number;
  stages: Record<Stage | 'unspecified', number>;
  skus: Map<string, number>;
  window: WindowEntry[];
  /** Best candidate votes: answer → [questions, score sum]; `voters` = questions (not flags) of the gap. */
  votes: Map<string, { count: number; scoreSum: number }>;
  voters: number;
  /** Distinct raw texts, oldest first (a Map keeps insertion order; a repeat moves to the end). */
  texts: Map<string, number>;
  lifecycle: LifecycleState;
  mergedIds: string[];
  updatedAt: number;
  representative: string | null;
  /** Set by the briefing: the topic is expected at a coming promo moment (a live gap may carry it too). */
  predicted: PredictedState | null;
}

interface PredictedState {
  key: string;
  momentLabel: string;
  momentAt: number;
  expectedCost: number;
}

/**
 * A topic the briefing expects at a coming promo moment (what customers asked around the same kind of
 * moment last campaign, not yet answered today). It becomes a gap like any other, so it is claimed,
 * patched, previewed and published through the same lifecycle (`gap.lifecycle`), before anyone asks.
 */
export interface Prediction {
  source: EventSource;
  shopId: string;
  /** The same topic of the same moment has the same key at every computation, in every process. */
  key: string;
  /** Last campaign's wordings, most asked first (raw: what a preview replays). */
  texts: readonly string[];
  momentLabel: string;
  momentAt: number;
  /** The cost expected at the moment: expected questions × (1 + last time's handoff share). */
  expectedCost: number;
  /** When it was predicted (its first-seen time until a customer asks it). */
  at: number;
}

/** A question as a sparse vector; must return a fresh map on every call (the clusterer scales it in place). */
export type Representation = (text: string) => SparseMap;

/**
 * Character 1-2-grams without any weighting: only for tests of the engine's own rules. Without IDF, words
 * such as 怎么 weigh as much as topic words and unrelated gaps merge (ari 0.06 against 0.54 with the
 * knowledge base's IDF on the EVAL.md dev file), so the service always passes `knowledgeRepresentation`.
 */
export const plainRepresentation: Representation = (text) => extractFeatures(normalizeQuestion(text), DEFAULT_FEATURE_OPTIONS);

class ShopBook {
  readonly clusterer: GapClusterer<null>;
  /** Clusterer id → gap. */
  readonly byCluster = new Map<number, GapState>();

  constructor(settings: GapEngineSettings, represent: Representation) {
    // The engine keeps each gap's own figures and texts: the clusterer needs no members of its own.
    this.clusterer = new GapClusterer<null>({ represent, threshold: settings.threshold, mergeThreshold: settings.mergeThreshold, keepMembers: false });
  }
}

/** What the eviction rule looks at in a gap. */
export interface EvictionView {
  gapId: string;
  status: Gap['status'];
  total: number;
  /** Its cost now; a function, since only gaps that are neither taken nor large need it worked out. */
  cost: () => number;
  lastSeen: number;
}

/** Established: a trainer is on it or was (claimed, published, verified), or it is large or costly. Never evicted. */
export function isEstablished(gap: EvictionView, settings: Pick<GapEngineSettings, 'establishedQuestions' | 'establishedCost'>): boolean {
  return (
    gap.status === 'claimed' ||
    gap.status === 'published' ||
    gap.status === 'verified' ||
    gap.total >= settings.establishedQuestions ||
    gap.cost() >= settings.establishedCost
  );
}

/**
 * The gaps to forget so that at most `keep` remain: never an established one; among the others the
 * smallest go first, then, between equal sizes, the one asked least recently (a topic nobody asks about
 * any more), then by id (deterministic). Not the newest first: in a flood that would forget every new
 * topic before its second question arrives. Fewer than asked when the rest are all established.
 */
export function evictionVictims(
  gaps: readonly EvictionView[],
  keep: number,
  settings: Pick<GapEngineSettings, 'establishedQuestions' | 'establishedCost'>,
): string[] {
  const excess = gaps.length - keep;
  if (excess <= 0) return [];
  return gaps
    .filter((gap) => !isEstablished(gap, settings))
    .sort((a, b) => a.total - b.total || a.lastSeen - b.lastSeen || (a.gapId < b.gapId ? -1 : 1))
    .slice(0, excess)
    .map((gap) => gap.gapId);
}

export class GapEngine {
  private readonly books = new Map<string, ShopBook>();
  private readonly gaps = new Map<string, GapState>();
  /** Every id a gap was ever known by (merged ids too) → its current id. */
  private readonly aliases = new Map<string, string>();
  /** Events already taken (questions and flags) → the gap they went to, and when they happened. */
  private readonly seen = new Map<string, { gapId: string | null; at: number }>();
  /** The latest event time taken: the clock of the eviction rule (the same on a rebuild as when it ran). */
  private clock = 0;

  constructor(
    readonly settings: GapEngineSettings = DEFAULT_GAP_ENGINE_SETTINGS,
    private readonly represent: Representation = plainRepresentation,
  ) {}

  /** Takes one question or flag; a repeat of an event already taken changes nothing. */
  add(input: GapInput): GapChange[] {
    if (this.seen.has(input.eventId)) return [];
    // A flag of a question already in a gap counts as a flag of that gap, not as a second question.
    if (input.kind === 'agent_flag' && input.questionEventId) {
      const flagged = this.seen.get(input.questionEventId);
      const gap = flagged?.gapId ? this.resolve(flagged.gapId) : undefined;
      if (gap) {
        this.seen.set(input.eventId, { gapId: gap.gapId, at: input.eventTime });
        gap.flags += 1;
        gap.updatedAt = Math.max(gap.updatedAt, input.eventTime);
        return [{ kind: 'grew', gapId: gap.gapId }];
      }
    }
    if (isSmallTalk(input)) {
      this.seen.set(input.eventId, { gapId: null, at: input.eventTime });
      return [];
    }
    const book = this.book(input.source, input.shopId);
    const clustersBefore = book.clusterer.size;
    const { clusterId, isNew } = book.clusterer.add(input.text, null);
    const changes: GapChange[] = [];
    let gap: GapState;
    if (isNew) {
      gap = this.open(input, clusterId);
      book.byCluster.set(clusterId, gap);
      changes.push({ kind: 'opened', gapId: gap.gapId });
    } else {
      // A join leaves the number of clusters as it was unless it merged some: only then is there anything to follow.
      if (book.clusterer.size < clustersBefore) changes.push(...this.followMerges(book));
      const found = book.byCluster.get(book.clusterer.resolve(clusterId));
      if (!found) throw new Error(`cluster ${clusterId} has no gap`);
      gap = found;
      changes.push({ kind: 'grew', gapId: gap.gapId });
    }
    this.seen.set(input.eventId, { gapId: gap.gapId, at: input.eventTime });
    this.count(gap, input);
    this.clock = Math.max(this.clock, input.eventTime);
    if (book.byCluster.size > this.settings.maxGapsPerShop) {
      changes.push(...this.evict(book, Math.floor(this.settings.maxGapsPerShop * EVICT_TO_SHARE)));
    }
    return changes;
  }

  /**
   * Marks the gap a prediction names: the live gap its first wording joins (the clusterer's own rule), or
   * a new gap of no questions holding last campaign's wordings, kept until an hour past the moment (the
   * small-gap expiry counts from its moment). The same key again updates it; returns its id.
   */
  predict(prediction: Prediction): { gapId: string; changes: GapChange[] } {
    const book = this.book(prediction.source, prediction.shopId);
    const state: PredictedState = {
      key: prediction.key,
      momentLabel: prediction.momentLabel,
      momentAt: prediction.momentAt,
      expectedCost: prediction.expectedCost,
    };
    const gapId = gapIdOf(prediction.source, prediction.shopId, predictionSeed(prediction.key));
    const known = this.resolve(gapId) ?? [...book.byCluster.values()].find((gap) => gap.predicted?.key === prediction.key);
    if (known) {
      known.predicted = state;
      return { gapId: known.gapId, changes: [] };
    }
    const [first] = prediction.texts;
    if (first === undefined) throw new Error('a prediction needs at least one wording');
    let joined: GapState | null = null;
    let best = this.settings.threshold;
    for (const gap of book.byCluster.values()) {
      const similarity = book.clusterer.similarity(first, gap.clusterId);
      if (similarity >= best) {
        best = similarity;
        joined = gap;
      }
    }
    if (joined) {
      joined.predicted = state;
      return { gapId: joined.gapId, changes: [{ kind: 'state', gapId: joined.gapId }] };
    }
    const { clusterId, isNew } = book.clusterer.add(first, null);
    // The join rule said no to every cluster above, so the clusterer opens one.
    if (!isNew) throw new Error(`prediction ${prediction.key} joined cluster ${clusterId} below the threshold`);
    const gap: GapState = {
      gapId,
      source: prediction.source,
      shopId: prediction.shopId,
      clusterId,
      firstSeen: prediction.at,
      lastSeen: Math.max(prediction.at, prediction.momentAt),
      total: 0,
      flags: 0,
      stages: { pre_sale: 0, in_sale: 0, after_sale: 0, unspecified: 0 },
      skus: new Map(),
      window: [],
      votes: new Map(),
      voters: 0,
      // Oldest first, like a gap's own texts: the most asked wording is the newest.
      texts: new Map([...prediction.texts.slice(0, QUESTIONS_KEPT)].reverse().map((text) => [text, prediction.at])),
      lifecycle: OPEN_STATE,
      mergedIds: [],
      updatedAt: prediction.at,
      representative: null,
      predicted: state,
    };
    this.gaps.set(gapId, gap);
    this.aliases.set(gapId, gapId);
    book.byCluster.set(clusterId, gap);
    return { gapId, changes: [{ kind: 'opened', gapId }] };
  }

  /**
   * Whether an answered question verifies a published gap of its shop: answered by the published answer
   * at the published revision or later, and similar enough to the gap (the clusterer's join rule). Returns
   * the `verify` record to write, or null.
   */
  verification(answered: AnsweredInput): Omit<LifecycleRecord, 'actionId'> | null {
    const book = this.books.get(bookKey(answered.source, answered.shopId));
    if (!book) return null;
    let best: GapState | null = null;
    let bestSim = this.settings.threshold;
    for (const gap of this.gaps.values()) {
      const published = gap.lifecycle.published;
      if (gap.lifecycle.status !== 'published' || !published) continue;
      if (gap.source !== answered.source || gap.shopId !== answered.shopId) continue;
      if (published.answerId !== answered.answerId || answered.revision < published.revision) continue;
      const sim = book.clusterer.similarity(answered.text, gap.clusterId);
      if (sim >= bestSim) {
        bestSim = sim;
        best = gap;
      }
    }
    if (!best) return null;
    return {
      source: best.source,
      shopId: best.shopId,
      gapId: best.gapId,
      action: 'verify',
      at: answered.eventTime,
      actor: null,
      reason: '',
      target: best.lifecycle.published?.target ?? '',
      answerId: answered.answerId,
      revision: answered.revision,
      refEventId: answered.eventId,
    };
  }

  /** What `record` would do to its gap now (unknown gap: null). */
  decide(record: Omit<LifecycleRecord, 'actionId'> & { actionId?: string }): LifecycleDecision | null {
    const gap = this.resolve(record.gapId);
    if (!gap) return null;
    return decide(gap.lifecycle, { actionId: '', ...record });
  }

  /** Applies a lifecycle record (decided before, or re-read after a restart); returns the changes. */
  applyLifecycle(record: LifecycleRecord): { decision: LifecycleDecision | null; changes: GapChange[] } {
    const gap = this.resolve(record.gapId);
    if (!gap) return { decision: null, changes: [] };
    const decision = decide(gap.lifecycle, record);
    if (decision.kind !== 'apply') return { decision, changes: [] };
    gap.lifecycle = decision.state;
    gap.updatedAt = Math.max(gap.updatedAt, record.at);
    return { decision, changes: [{ kind: 'state', gapId: gap.gapId }] };
  }

  /** The gap an id (its own or one merged into it) now lives under. */
  resolve(gapId: string): GapState | undefined {
    const current = this.aliases.get(gapId);
    return current === undefined ? undefined : this.gaps.get(current);
  }

  /** The contract view of a gap at `now` (the cost window ends at `now`). */
  view(gapId: string, now: number): Gap | null {
    const gap = this.resolve(gapId);
    return gap ? this.toGap(gap, now) : null;
  }

  /** Gaps of a source (and shop, or all), matching `status` (`active`: open, claimed or published), cost descending. */
  list(query: { source: EventSource; shop: string; status: Gap['status'] | 'active'; limit: number }, now: number): Gap[] {
    const selected: Gap[] = [];
    for (const gap of this.gaps.values()) {
      if (gap.source !== query.source || (query.shop !== 'all' && gap.shopId !== query.shop)) continue;
      const status = gap.lifecycle.status;
      if (query.status === 'active' ? status === 'verified' || status === 'dismissed' : status !== query.status) continue;
      selected.push(this.toGap(gap, now));
    }
    return selected.sort(byCost).slice(0, query.limit);
  }

  /** Distinct raw (unmasked) question texts of a gap, newest first, at most QUESTIONS_KEPT. */
  questionsOf(gapId: string): string[] | null {
    const gap = this.resolve(gapId);
    return gap ? [...gap.texts.keys()].reverse() : null;
  }

  /** Median and p90 time-to-patch of the gaps of a source (and shop) verified at or after `since`. */
  timeToPatch(source: EventSource, shop: string, since: number): TimeToPatch {
    const times: number[] = [];
    for (const gap of this.gaps.values()) {
      const verifiedAt = gap.lifecycle.verifiedAt;
      if (gap.source !== source || (shop !== 'all' && gap.shopId !== shop) || verifiedAt === null || verifiedAt < since) continue;
      times.push(Math.max(0, verifiedAt - gap.firstSeen));
    }
    times.sort((a, b) => a - b);
    return { verified: times.length, medianMs: quantile(times, 0.5), p90Ms: quantile(times, 0.9) };
  }

  /** Earliest publication among published (not yet verified) gaps: where the search for verifications starts. */
  earliestPendingPublication(): number | null {
    let earliest: number | null = null;
    for (const gap of this.gaps.values()) {
      const published = gap.lifecycle.published;
      if (gap.lifecycle.status === 'published' && published && (earliest === null || published.at < earliest)) earliest = published.at;
    }
    return earliest;
  }

  /** Published answers awaiting verification, for the query that looks for them. */
  pendingAnswerIds(): string[] {
    const ids = new Set<string>();
    for (const gap of this.gaps.values()) {
      if (gap.lifecycle.status === 'published' && gap.lifecycle.published) ids.add(gap.lifecycle.published.answerId);
    }
    return [...ids];
  }

  /**
   * Forgets gaps last seen before `horizon` (and the events taken before it), so memory stays bounded and
   * the process holds what a restart would rebuild, and the gaps that are not established and got no
   * question for `smallGapTtlMs` before `now`. A book whose gaps all expired is dropped.
   */
  expire(horizon: number, now: number): GapChange[] {
    const changes: GapChange[] = [];
    const smallHorizon = now - this.settings.smallGapTtlMs;
    for (const [key, book] of this.books) {
      for (const gap of [...book.byCluster.values()]) {
        if (gap.lastSeen >= horizon && (gap.lastSeen >= smallHorizon || isEstablished(this.evictionView(gap, now), this.settings))) continue;
        changes.push(this.forget(book, gap));
      }
      if (book.byCluster.size === 0) this.books.delete(key);
    }
    this.forgetAliases(changes);
    const forgottenBefore = now - FORGOTTEN_EVENTS_KEPT_MS;
    for (const [eventId, entry] of this.seen) {
      const forgotten = entry.gapId !== null && !this.aliases.has(entry.gapId);
      if (entry.at < horizon || (forgotten && entry.at < forgottenBefore)) this.seen.delete(eventId);
    }
    return changes;
  }

  get size(): number {
    return this.gaps.size;
  }

  /** Events remembered as taken (so that a re-read counts nothing twice): bounded like the gaps. */
  get takenEvents(): number {
    return this.seen.size;
  }

  /** Forgets the book's gaps that `evictionVictims` picks until `keep` remain; their events stay taken. */
  private evict(book: ShopBook, keep: number): GapChange[] {
    const views = [...book.byCluster.values()].map((gap) => this.evictionView(gap, this.clock));
    const changes: GapChange[] = [];
    for (const gapId of evictionVictims(views, keep, this.settings)) {
      const gap = this.gaps.get(gapId);
      if (gap) changes.push(this.forget(book, gap));
    }
    this.forgetAliases(changes);
    return changes;
  }

  private forget(book: ShopBook, gap: GapState): GapChange {
    book.byCluster.delete(gap.clusterId);
    book.clusterer.remove(gap.clusterId);
    this.gaps.delete(gap.gapId);
    return { kind: 'expired', gapId: gap.gapId };
  }

  private forgetAliases(changes: readonly GapChange[]): void {
    if (changes.length === 0) return;
    for (const [alias, current] of this.aliases) if (!this.gaps.has(current)) this.aliases.delete(alias);
  }

  private evictionView(gap: GapState, now: number): EvictionView {
    const cost = (): number => {
      const from = now - this.settings.windowMs;
      let questions = 0;
      let handoffs = 0;
      let weights = 0;
      for (const entry of gap.window) {
        if (entry.at <= from || entry.at > now) continue;
        questions += 1;
        if (entry.handoff) handoffs += 1;
        weights += entry.weight;
      }
      return questions ? gapCost(questions, handoffs / questions, weights / questions) : 0;
    };
    return { gapId: gap.gapId, status: gap.lifecycle.status, total: gap.total, cost, lastSeen: gap.lastSeen };
  }

  private book(source: EventSource, shopId: string): ShopBook {
    const key = bookKey(source, shopId);
    let book = this.books.get(key);
    if (!book) {
      book = new ShopBook(this.settings, this.represent);
      this.books.set(key, book);
    }
    return book;
  }

  private open(input: GapInput, clusterId: number): GapState {
    const gapId = gapIdOf(input.source, input.shopId, input.eventId);
    const gap: GapState = {
      gapId,
      source: input.source,
      shopId: input.shopId,
      clusterId,
      firstSeen: input.eventTime,
      lastSeen: input.eventTime,
      total: 0,
      flags: 0,
      stages: { pre_sale: 0, in_sale: 0, after_sale: 0, unspecified: 0 },
      skus: new Map(),
      window: [],
      votes: new Map(),
      voters: 0,
      texts: new Map(),
      lifecycle: OPEN_STATE,
      mergedIds: [],
      updatedAt: input.eventTime,
      representative: null,
      predicted: null,
    };
    this.gaps.set(gapId, gap);
    this.aliases.set(gapId, gapId);
    return gap;
  }

  /**
   * After a join, the clusterer may have merged clusters (see GapClusterer.mergeAround). Each group of gaps
   * whose clusters now resolve to one cluster becomes one gap: the oldest (first seen, then id) survives.
   */
  private followMerges(book: ShopBook): GapChange[] {
    const groups = new Map<number, GapState[]>();
    for (const [clusterId, gap] of book.byCluster) {
      const current = book.clusterer.resolve(clusterId);
      if (current === clusterId) continue;
      const group = groups.get(current) ?? [];
      group.push(gap);
      groups.set(current, group);
    }
    const changes: GapChange[] = [];
    for (const [current, moved] of groups) {
      const resident = book.byCluster.get(current);
      const members = resident ? [resident, ...moved] : moved;
      members.sort((a, b) => a.firstSeen - b.firstSeen || (a.gapId < b.gapId ? -1 : 1));
      const [survivor, ...absorbed] = members as [GapState, ...GapState[]];
      for (const gap of members) book.byCluster.delete(gap.clusterId);
      survivor.clusterId = current;
      book.byCluster.set(current, survivor);
      survivor.lifecycle = mergeStates(survivor.lifecycle, absorbed.map((gap) => gap.lifecycle));
      for (const gap of absorbed) {
        absorbInto(survivor, gap);
        this.gaps.delete(gap.gapId);
        for (const [alias, target] of this.aliases) if (target === gap.gapId) this.aliases.set(alias, survivor.gapId);
        changes.push({ kind: 'merged', gapId: gap.gapId, into: survivor.gapId });
      }
    }
    return changes;
  }

  private count(gap: GapState, input: GapInput): void {
    gap.total += 1;
    if (input.kind === 'agent_flag') gap.flags += 1;
    gap.firstSeen = Math.min(gap.firstSeen, input.eventTime);
    gap.lastSeen = Math.max(gap.lastSeen, input.eventTime);
    gap.updatedAt = Math.max(gap.updatedAt, input.eventTime);
    gap.stages[input.stage ?? 'unspecified'] += 1;
    if (input.sku) gap.skus.set(input.sku, (gap.skus.get(input.sku) ?? 0) + 1);
    const weight = input.emotion ? this.settings.emotionWeights[input.emotion] : 1;
    gap.window.push({ at: input.eventTime, handoff: input.handoff || input.kind === 'agent_flag', weight });
    // Nobody may read this gap for a while: drop what left the window now and then, so it cannot grow.
    if (gap.window.length % 256 === 0) {
      const from = gap.lastSeen - this.settings.windowMs - FUTURE_SLACK_MS;
      gap.window = gap.window.filter((entry) => entry.at > from);
    }
    if (input.kind === 'question') {
      gap.voters += 1;
      if (input.candidate) {
        const vote = gap.votes.get(input.candidate.answerId) ?? { count: 0, scoreSum: 0 };
        vote.count += 1;
        vote.scoreSum += input.candidate.score;
        gap.votes.set(input.candidate.answerId, vote);
      }
    }
    gap.texts.delete(input.text);
    gap.texts.set(input.text, input.eventTime);
    if (gap.texts.size > QUESTIONS_KEPT) {
      const oldest = gap.texts.keys().next();
      if (!oldest.done) gap.texts.delete(oldest.value);
    }
    gap.representative = null;
  }

  private toGap(gap: GapState, now: number): Gap {
    const from = now - this.settings.windowMs;
    // Entries that slid out of the window are dropped for good (the window only moves forward).
    gap.window = gap.window.filter((entry) => entry.at > from);
    const inWindow = gap.window.filter((entry) => entry.at <= now);
    const handoffs = inWindow.filter((entry) => entry.handoff).length;
    const handoffShare = inWindow.length ? handoffs / inWindow.length : 0;
    const meanEmotionWeight = inWindow.length ? inWindow.reduce((sum, entry) => sum + entry.weight, 0) / inWindow.length : 0;
    const suggestion = suggest(gap, this.settings);
    const { lifecycle } = gap;
    const iso = (ms: number): string => new Date(ms).toISOString();
    return {
      gapId: gap.gapId,
      source: gap.source,
      shopId: gap.shopId,
      status: lifecycle.status,
      representative: maskPii(this.representativeOf(gap)),
      examples: distinctMasked([...gap.texts.keys()].reverse(), EXAMPLES_SHOWN),
      volume: { window: inWindow.length, total: gap.total },
      flags: gap.flags,
      firstSeenAt: iso(gap.firstSeen),
      lastSeenAt: iso(gap.lastSeen),
      stages: { ...gap.stages },
      skus: [...gap.skus.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, SKUS_SHOWN).map(([sku]) => sku),
      handoffShare,
      meanEmotionWeight,
      cost: gapCost(inWindow.length, handoffShare, meanEmotionWeight),
      suggestion,
      grades: gradesThatMayTake(suggestion.kind),
      claimedBy: lifecycle.claimedBy ? { actor: lifecycle.claimedBy.actor, at: iso(lifecycle.claimedBy.at) } : null,
      published: lifecycle.published ? { ...lifecycle.published, at: iso(lifecycle.published.at) } : null,
      verifiedAt: lifecycle.verifiedAt === null ? null : iso(lifecycle.verifiedAt),
      timeToPatchMs: lifecycle.verifiedAt === null ? null : Math.max(0, lifecycle.verifiedAt - gap.firstSeen),
      dismissed: lifecycle.dismissed ? { ...lifecycle.dismissed, at: iso(lifecycle.dismissed.at) } : null,
      mergedIds: [...gap.mergedIds],
      updatedAt: iso(gap.updatedAt),
      ...(gap.predicted
        ? { predicted: { momentLabel: gap.predicted.momentLabel, momentAt: iso(gap.predicted.momentAt), expectedCost: gap.predicted.expectedCost } }
        : {}),
    };
  }

  /** The kept text closest to the gap's centroid (cached until the gap changes). */
  private representativeOf(gap: GapState): string {
    if (gap.representative !== null) return gap.representative;
    const book = this.books.get(bookKey(gap.source, gap.shopId));
    if (!book) throw new Error(`gap ${gap.gapId} has no clusterer`);
    gap.representative = book.clusterer.nearest(gap.clusterId, gap.texts.keys());
    return gap.representative;
  }
}

/** DESIGN.md: questions in the window × (1 + share that ended in a handoff) × mean emotion weight. */
export function gapCost(windowQuestions: number, handoffShare: number, meanEmotionWeight: number): number {
  return windowQuestions * (1 + handoffShare) * meanEmotionWeight;
}

/**
 * `add_examples` when the gap's questions agree on a near answer: the most frequent best candidate is the
 * best candidate of at least `suggestMinAgreement` of the gap's questions (questions without any candidate
 * count against it) and its mean score is at least `suggestMinScore`. Then the gap is probably that answer
 * asked in words the knowledge base lacks. Otherwise the topic is new: `new_answer`. Flags carry no
 * candidate and do not vote.
 */
export function suggest(
  gap: { votes: ReadonlyMap<string, { count: number; scoreSum: number }>; voters: number },
  settings: Pick<GapEngineSettings, 'suggestMinAgreement' | 'suggestMinScore'>,
): Gap['suggestion'] {
  let best: { answerId: string; count: number; score: number } | null = null;
  for (const [answerId, vote] of gap.votes) {
    const score = vote.scoreSum / vote.count;
    if (!best || vote.count > best.count || (vote.count === best.count && (score > best.score || (score === best.score && answerId < best.answerId)))) {
      best = { answerId, count: vote.count, score };
    }
  }
  if (!best || gap.voters === 0) return { kind: 'new_answer' };
  if (best.count / gap.voters < settings.suggestMinAgreement || best.score < settings.suggestMinScore) return { kind: 'new_answer' };
  return { kind: 'add_examples', answerId: best.answerId, score: Math.min(1, Math.max(0, best.score)) };
}

/** `g-` and 16 hex digits of a hash of the gap's first question: the same events give the same ids. */
export function gapIdOf(source: EventSource, shopId: string, seedEventId: string): string {
  return `g-${createHash('sha256').update(`${source}\u0000${shopId}\u0000${seedEventId}`).digest('hex').slice(0, 16)}`;
}

export function isSmallTalk(input: Pick<GapInput, 'text' | 'candidate'>): boolean {
  return normalizeQuestion(input.text) === '' || (input.candidate?.answerId.startsWith(SMALL_TALK_PREFIX) ?? false);
}

/** Nearest-rank quantile of sorted values; null when empty. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The inbox's order: a predicted gap ranks by the cost expected at its moment until it costs more already. */
function byCost(a: Gap, b: Gap): number {
  return rankCost(b) - rankCost(a) || b.cost - a.cost || b.volume.total - a.volume.total || (a.gapId < b.gapId ? -1 : 1);
}

function rankCost(gap: Gap): number {
  return Math.max(gap.cost, gap.predicted?.expectedCost ?? 0);
}

/** What a predicted gap's id is the hash of, in place of a first question's event id. */
function predictionSeed(key: string): string {
  return `predicted\u0000${key}`;
}

function absorbInto(survivor: GapState, gap: GapState): void {
  survivor.predicted ??= gap.predicted;
  survivor.total += gap.total;
  survivor.flags += gap.flags;
  survivor.firstSeen = Math.min(survivor.firstSeen, gap.firstSeen);
  survivor.lastSeen = Math.max(survivor.lastSeen, gap.lastSeen);
  survivor.updatedAt = Math.max(survivor.updatedAt, gap.updatedAt);
  for (const stage of [...STAGES, 'unspecified'] as const) survivor.stages[stage] += gap.stages[stage];
  for (const [sku, n] of gap.skus) survivor.skus.set(sku, (survivor.skus.get(sku) ?? 0) + n);
  survivor.window.push(...gap.window);
  survivor.voters += gap.voters;
  for (const [answerId, vote] of gap.votes) {
    const into = survivor.votes.get(answerId) ?? { count: 0, scoreSum: 0 };
    survivor.votes.set(answerId, { count: into.count + vote.count, scoreSum: into.scoreSum + vote.scoreSum });
  }
  // Texts: the union, newest kept, by the time each was last asked.
  const texts = [...survivor.texts, ...gap.texts].sort((a, b) => a[1] - b[1]);
  survivor.texts = new Map(texts.slice(-QUESTIONS_KEPT));
  survivor.mergedIds.push(gap.gapId, ...gap.mergedIds);
  survivor.representative = null;
}

function bookKey(source: EventSource, shopId: string): string {
  return `${source}|${shopId}`;
}

function distinctMasked(texts: readonly string[], limit: number): string[] {
  const out = new Set<string>();
  for (const text of texts) {
    out.add(maskPii(text));
    if (out.size >= limit) break;
  }
  return [...out];
}
