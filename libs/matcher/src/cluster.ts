/**
 * Online gap clustering: questions the matcher could not answer are grouped as they arrive, so trainers see
 * "40 people asked about X" instead of 40 lines.
 *
 * Leader clustering with centroids: a question joins the cluster whose centroid (sum of its members'
 * normalised vectors) is most similar, if that cosine reaches `threshold`; otherwise it starts a new one.
 * Online leaders depend on arrival order - two early questions of one topic can start two clusters before
 * the topic's vocabulary is known - so after each join the grown centroid is compared with the other
 * centroids and merged into any that is now at least `mergeThreshold` similar. `add` returns the cluster
 * at that moment; `clusters()` reflects merges (`resolve` maps an old id to the surviving one).
 *
 * Each member carries a payload of the caller's type (`P`: the evaluation's row number, or nothing). A
 * caller that keeps its own record of each cluster (the api's gap engine) asks the clusterer, not a copy
 * of its own, how close a question is to a cluster (`similarity`) and which of its texts is the cluster's
 * readable label (`nearest`).
 *
 * Vectors come from the matcher's representation (its IDF over the knowledge base), so words that are
 * common across known answers weigh little and new topic words weigh most.
 *
 * Candidates come from an inverted index over the centroids' terms: a question is compared only with the
 * clusters that share a term with it, and a bound on what the rest of a centroid can add rules most of
 * those out before the full dot product. By default every term is indexed, which finds exactly what
 * comparing every cluster finds. Indexing only each centroid's strongest terms (`indexTerms`,
 * `indexMinShare`) was cheaper but missed real merges: a question wrapped in HTML has its centroid's 32
 * strongest terms all markup, and the same topic's next questions never met it (4 of 24 arrival orders of
 * the wall-gaps test split one topic in two). What bounds the cost under a flood is the cap on clusters per
 * shop (the gap engine's), not the index: bench:gap-flood measured indexing every term only slightly
 * dearer than indexing the strongest 32, in event-loop delay and in the api's share of a core.
 */
import { extractFeatures, DEFAULT_FEATURE_OPTIONS } from './features';
import type { Matcher, RepresentOptions } from './matcher';
import { normalizeQuestion } from './normalize';
import { sparseDot as dot, unitVector as normalize, type SparseMap } from './sparse';

export type { SparseMap } from './sparse';

export interface GapClustererOptions {
  /** Source of the representation (preferred); see `Matcher.represent`. */
  matcher?: Matcher;
  /** Options of `Matcher.represent`. */
  representation?: RepresentOptions;
  /** Or any representation function; without both, plain character 1-2-gram counts are used. */
  represent?: (text: string) => SparseMap;
  /**
   * Damping by recurrence in the gap stream: a feature's weight is scaled by c / (c + recurrence), c being
   * the number of gap questions so far (this one included) that contain it. 0 turns it off.
   */
  recurrence?: number;
  /** Cosine to a centroid needed to join that cluster. */
  threshold?: number;
  /** Cosine between two centroids at which they merge. */
  mergeThreshold?: number;
  /** How many of a centroid's strongest terms index it as a candidate; Infinity indexes every term. */
  indexTerms?: number;
  /** A term indexes a centroid only if its weight is at least this share of the centroid's strongest. */
  indexMinShare?: number;
  /**
   * Whether clusters keep their members (text, payload and vector of every question) for `clusters()`. A
   * caller that keeps its own record of each cluster (the api's gap engine) turns it off: a cluster of a
   * hundred thousand questions then holds a centroid, not a hundred thousand vectors.
   */
  keepMembers?: boolean;
}

/** One question of a cluster, with the payload its caller gave it. */
export interface GapMember<P> {
  text: string;
  payload: P;
}

export interface GapCluster<P> {
  id: number;
  size: number;
  /** The member closest to the centroid: a readable label for the cluster. */
  representative: string;
  members: GapMember<P>[];
}

interface ClusterState<P> {
  id: number;
  size: number;
  sum: SparseMap;
  /** Squared norm of `sum`, kept incrementally. */
  sumSq: number;
  /** Empty unless `keepMembers`. */
  members: (GapMember<P> & { vector: SparseMap })[];
  /** The terms under which the candidate index lists this cluster. */
  indexed: string[];
  /** The largest weight of `sum` among the terms not indexed (0: every term is): bounds what they add to a dot product. */
  unindexedMax: number;
  /** Every id merged into this one (and into those): they stop resolving when it is removed. */
  absorbed: number[];
}

export const DEFAULT_GAP_THRESHOLD = 0.15;
export const DEFAULT_GAP_MERGE_THRESHOLD = 0.35;
export const DEFAULT_GAP_RECURRENCE = 1;
export const DEFAULT_GAP_INDEX_TERMS = Number.POSITIVE_INFINITY;
export const DEFAULT_GAP_INDEX_MIN_SHARE = 0;
/**
 * Distinct features whose stream recurrence is counted. Beyond it the features seen least (once, then
 * twice…) are forgotten: a flood of unique words must not grow the counts without end, and a word seen
 * once weighs as if new when it comes back (c / (c + 1) with c = 1 instead of 2).
 */
export const STREAM_COUNTS_KEPT = 200_000;

export class GapClusterer<P = undefined> {
  readonly threshold: number;
  readonly mergeThreshold: number;
  private readonly represent: (text: string) => SparseMap;
  private readonly live = new Map<number, ClusterState<P>>();
  /** Merged cluster id -> the id it was merged into. */
  private readonly mergedInto = new Map<number, number>();
  /** Candidate index: term -> the clusters whose centroid has it among its strongest. */
  private readonly postings = new Map<string, Set<ClusterState<P>>>();
  private nextId = 0;
  private readonly recurrence: number;
  private readonly indexTerms: number;
  private readonly indexMinShare: number;
  private readonly keepMembers: boolean;
  private readonly streamCounts = new Map<string, number>();

  constructor(options: GapClustererOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_GAP_THRESHOLD;
    this.mergeThreshold = options.mergeThreshold ?? DEFAULT_GAP_MERGE_THRESHOLD;
    this.recurrence = options.recurrence ?? DEFAULT_GAP_RECURRENCE;
    this.indexTerms = options.indexTerms ?? DEFAULT_GAP_INDEX_TERMS;
    this.indexMinShare = options.indexMinShare ?? DEFAULT_GAP_INDEX_MIN_SHARE;
    this.keepMembers = options.keepMembers ?? true;
    const matcher = options.matcher;
    this.represent =
      options.represent ??
      (matcher
        ? (text: string) => matcher.represent(text, options.representation)
        : (text: string) => extractFeatures(normalizeQuestion(text), DEFAULT_FEATURE_OPTIONS));
  }

  /** Adds one unanswered question; returns its cluster and whether that cluster was just created. */
  add(text: string, payload: P): { clusterId: number; isNew: boolean } {
    const raw = this.represent(text);
    for (const k of raw.keys()) this.streamCounts.set(k, (this.streamCounts.get(k) ?? 0) + 1);
    if (this.streamCounts.size > STREAM_COUNTS_KEPT) this.forgetRarestCounts();
    if (this.recurrence > 0) {
      for (const [k, w] of raw) {
        const c = this.streamCounts.get(k) ?? 1;
        raw.set(k, (w * c) / (c + this.recurrence));
      }
    }
    const vector = normalize(raw);
    let best: ClusterState<P> | undefined;
    let bestSim = this.threshold;
    const vectorL1 = l1(vector);
    for (const [cluster, partial] of this.partialDots(vector)) {
      const norm = Math.sqrt(cluster.sumSq);
      // Most candidates share one rare character: the indexed terms' part of the product, plus the most
      // the others could add, rules them out without the full product.
      if ((partial + vectorL1 * cluster.unindexedMax) / norm < bestSim - BOUND_SLACK) continue;
      const sim = dot(vector, cluster.sum) / norm;
      // Ties go to the newest cluster, as the scan of every cluster in creation order did.
      if (sim > bestSim || (sim === bestSim && (!best || cluster.id > best.id))) {
        bestSim = sim;
        best = cluster;
      }
    }
    const member = { text, payload, vector };
    if (!best) {
      const cluster: ClusterState<P> = { id: this.nextId++, size: 0, sum: new Map(), sumSq: 0, members: [], indexed: [], unindexedMax: 0, absorbed: [] };
      this.join(cluster, member);
      this.live.set(cluster.id, cluster);
      return { clusterId: cluster.id, isNew: true };
    }
    this.join(best, member);
    return { clusterId: this.mergeAround(best), isNew: false };
  }

  /**
   * Forgets a cluster (and the ids merged into it): later questions no longer join it. For callers that
   * cap or expire clusters; an unknown id changes nothing.
   */
  remove(clusterId: number): void {
    const cluster = this.live.get(clusterId);
    if (!cluster) return;
    this.unindex(cluster);
    this.live.delete(clusterId);
    for (const id of cluster.absorbed) this.mergedInto.delete(id);
  }

  /** Clusters held now (merged ones excluded). */
  get size(): number {
    return this.live.size;
  }

  /** The id a cluster id now lives under (itself unless it was merged). */
  resolve(clusterId: number): number {
    let id = clusterId;
    for (let next = this.mergedInto.get(id); next !== undefined; next = this.mergedInto.get(id)) id = next;
    return id;
  }

  /**
   * Cosine of a question to a cluster's centroid (the measure of the join rule), without adding it. The
   * question is taken at its plain representation: it is not part of the stream, so it is not damped.
   */
  similarity(text: string, clusterId: number): number {
    const cluster = this.cluster(clusterId);
    return dot(normalize(this.represent(text)), cluster.sum) / Math.sqrt(cluster.sumSq || 1);
  }

  /** Of `texts`, the one closest to a cluster's centroid, the first on ties ('' when there are none). */
  nearest(clusterId: number, texts: Iterable<string>): string {
    const cluster = this.cluster(clusterId);
    let best = '';
    let bestSim = Number.NEGATIVE_INFINITY;
    for (const text of texts) {
      const sim = dot(normalize(this.represent(text)), cluster.sum);
      if (sim > bestSim) {
        bestSim = sim;
        best = text;
      }
    }
    return best;
  }

  /** Current clusters, largest first. */
  clusters(): GapCluster<P>[] {
    return [...this.live.values()]
      .map((c) => ({
        id: c.id,
        size: c.size,
        representative: representative(c),
        members: c.members.map(({ text, payload }) => ({ text, payload })),
      }))
      .sort((a, b) => b.size - a.size || a.id - b.id);
  }

  /** Merges clusters whose centroid is now close to `grown`'s; returns the surviving id of `grown`. */
  private mergeAround(grown: ClusterState<P>): number {
    let target = grown;
    for (;;) {
      let partner: ClusterState<P> | undefined;
      let partnerSim = this.mergeThreshold;
      const targetL1 = l1(target.sum);
      for (const [other, partial] of this.partialDots(target.sum)) {
        if (other === target) continue;
        const norm = Math.sqrt(target.sumSq * other.sumSq);
        if ((partial + targetL1 * other.unindexedMax) / norm < partnerSim - BOUND_SLACK) continue;
        const sim = dot(target.sum, other.sum) / norm;
        if (sim > partnerSim || (sim === partnerSim && (!partner || other.id > partner.id))) {
          partnerSim = sim;
          partner = other;
        }
      }
      if (!partner) return target.id;
      // The larger cluster (older on ties) survives, so long-lived ids stay stable.
      const [keep, drop] = partner.size > target.size || (partner.size === target.size && partner.id < target.id) ? [partner, target] : [target, partner];
      for (const m of drop.members) keep.members.push(m);
      keep.size += drop.size;
      for (const [k, v] of drop.sum) addWeight(keep, k, v);
      this.unindex(drop);
      this.live.delete(drop.id);
      this.mergedInto.set(drop.id, keep.id);
      keep.absorbed.push(drop.id, ...drop.absorbed);
      this.reindex(keep);
      target = keep;
    }
  }

  /** The live cluster an id (its own or one merged into it) lives under. */
  private cluster(clusterId: number): ClusterState<P> {
    const cluster = this.live.get(this.resolve(clusterId));
    if (!cluster) throw new Error(`cluster ${clusterId} was removed or never existed`);
    return cluster;
  }

  private join(cluster: ClusterState<P>, member: GapMember<P> & { vector: SparseMap }): void {
    addInto(cluster, member.vector);
    cluster.size += 1;
    if (this.keepMembers) cluster.members.push(member);
    this.reindex(cluster);
  }

  /**
   * The clusters indexed under any term of `vector` (those that can be similar to it), each with the part
   * of its dot product with `vector` that comes from its indexed terms.
   */
  private partialDots(vector: SparseMap): Map<ClusterState<P>, number> {
    const found = new Map<ClusterState<P>, number>();
    for (const [term, weight] of vector) {
      const listed = this.postings.get(term);
      if (!listed) continue;
      for (const cluster of listed) found.set(cluster, (found.get(cluster) ?? 0) + weight * (cluster.sum.get(term) ?? 0));
    }
    return found;
  }

  /** Lists the cluster under its centroid's strongest terms now (its sum just changed). */
  private reindex(cluster: ClusterState<P>): void {
    const strongest = strongestTerms(cluster.sum, this.indexTerms, this.indexMinShare);
    const keep = new Set(strongest);
    let unindexedMax = 0;
    if (keep.size < cluster.sum.size) for (const [term, w] of cluster.sum) if (!keep.has(term) && w > unindexedMax) unindexedMax = w;
    cluster.unindexedMax = unindexedMax;
    for (const term of cluster.indexed) {
      if (keep.has(term)) continue;
      const listed = this.postings.get(term);
      listed?.delete(cluster);
      if (listed?.size === 0) this.postings.delete(term);
    }
    const had = new Set(cluster.indexed);
    for (const term of strongest) {
      if (had.has(term)) continue;
      let listed = this.postings.get(term);
      if (!listed) {
        listed = new Set();
        this.postings.set(term, listed);
      }
      listed.add(cluster);
    }
    cluster.indexed = strongest;
  }

  private unindex(cluster: ClusterState<P>): void {
    for (const term of cluster.indexed) {
      const listed = this.postings.get(term);
      listed?.delete(cluster);
      if (listed?.size === 0) this.postings.delete(term);
    }
    cluster.indexed = [];
  }

  /** Drops the counts of the features seen least until a quarter of the room is free again. */
  private forgetRarestCounts(): void {
    const target = Math.floor(STREAM_COUNTS_KEPT * 0.75);
    for (let atMost = 1; this.streamCounts.size > target; atMost *= 2) {
      for (const [k, c] of this.streamCounts) if (c <= atMost) this.streamCounts.delete(k);
    }
  }
}

/**
 * The `limit` largest-weight terms of a centroid among those weighing at least `minShare` of its largest,
 * strongest first (ties by term, so the index does not depend on insertion order).
 */
export function strongestTerms(sum: SparseMap, limit: number, minShare: number): string[] {
  let max = 0;
  for (const w of sum.values()) if (w > max) max = w;
  const floor = max * minShare;
  const kept: [string, number][] = [];
  for (const entry of sum) {
    if (entry[1] < floor || entry[1] <= 0) continue;
    if (kept.length >= limit) {
      const weakest = kept[kept.length - 1]!;
      if (entry[1] < weakest[1] || (entry[1] === weakest[1] && entry[0] > weakest[0])) continue;
      kept.pop();
    }
    // Insertion into the short sorted list: it holds at most `limit` entries.
    let at = kept.length;
    while (at > 0 && (kept[at - 1]![1] < entry[1] || (kept[at - 1]![1] === entry[1] && kept[at - 1]![0] > entry[0]))) at -= 1;
    kept.splice(at, 0, entry);
  }
  return kept.map(([term]) => term);
}

/** Room for rounding between a product summed in two orders: a bound never rules out a tie. */
const BOUND_SLACK = 1e-9;

/** Sum of absolute weights: with a bound on each weight of the other side, it bounds a dot product. */
function l1(v: SparseMap): number {
  let s = 0;
  for (const w of v.values()) s += Math.abs(w);
  return s;
}

/** Adds `v` to one coordinate of a centroid sum, keeping its squared norm current. */
function addWeight<P>(c: ClusterState<P>, key: string, v: number): void {
  const old = c.sum.get(key) ?? 0;
  c.sum.set(key, old + v);
  c.sumSq += (old + v) ** 2 - old * old;
}

function addInto<P>(c: ClusterState<P>, v: SparseMap): void {
  for (const [k, w] of v) addWeight(c, k, w);
}

function representative<P>(c: ClusterState<P>): string {
  let best = c.members[0]?.text ?? '';
  let bestSim = Number.NEGATIVE_INFINITY;
  for (const m of c.members) {
    const sim = dot(m.vector, c.sum);
    if (sim > bestSim) {
      bestSim = sim;
      best = m.text;
    }
  }
  return best;
}
