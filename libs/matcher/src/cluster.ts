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
 * Vectors come from the matcher's representation (its IDF over the knowledge base), so words that are
 * common across known answers weigh little and new topic words weigh most.
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
}

export interface GapMember<M> {
  text: string;
  meta: M;
}

export interface GapCluster<M> {
  id: number;
  size: number;
  /** The member closest to the centroid: a readable label for the cluster. */
  representative: string;
  members: GapMember<M>[];
}

interface ClusterState<M> {
  id: number;
  sum: SparseMap;
  /** Squared norm of `sum`, kept incrementally. */
  sumSq: number;
  members: (GapMember<M> & { vector: SparseMap })[];
}

export const DEFAULT_GAP_THRESHOLD = 0.15;
export const DEFAULT_GAP_MERGE_THRESHOLD = 0.35;
export const DEFAULT_GAP_RECURRENCE = 1;

export class GapClusterer<M = undefined> {
  readonly threshold: number;
  readonly mergeThreshold: number;
  private readonly represent: (text: string) => SparseMap;
  private readonly live = new Map<number, ClusterState<M>>();
  /** Merged cluster id -> the id it was merged into. */
  private readonly mergedInto = new Map<number, number>();
  private nextId = 0;
  private readonly recurrence: number;
  private readonly streamCounts = new Map<string, number>();

  constructor(options: GapClustererOptions = {}) {
    this.threshold = options.threshold ?? DEFAULT_GAP_THRESHOLD;
    this.mergeThreshold = options.mergeThreshold ?? DEFAULT_GAP_MERGE_THRESHOLD;
    this.recurrence = options.recurrence ?? DEFAULT_GAP_RECURRENCE;
    const matcher = options.matcher;
    this.represent =
      options.represent ??
      (matcher
        ? (text: string) => matcher.represent(text, options.representation)
        : (text: string) => extractFeatures(normalizeQuestion(text), DEFAULT_FEATURE_OPTIONS));
  }

  /** Adds one unanswered question; returns its cluster and whether that cluster was just created. */
  add(text: string, meta: M): { clusterId: number; isNew: boolean } {
    const raw = this.represent(text);
    for (const k of raw.keys()) this.streamCounts.set(k, (this.streamCounts.get(k) ?? 0) + 1);
    if (this.recurrence > 0) {
      for (const [k, w] of raw) {
        const c = this.streamCounts.get(k) ?? 1;
        raw.set(k, (w * c) / (c + this.recurrence));
      }
    }
    const vector = normalize(raw);
    let best: ClusterState<M> | undefined;
    let bestSim = this.threshold;
    for (const cluster of this.live.values()) {
      const sim = dot(vector, cluster.sum) / Math.sqrt(cluster.sumSq);
      if (sim >= bestSim) {
        bestSim = sim;
        best = cluster;
      }
    }
    const member = { text, meta, vector };
    if (!best) {
      const cluster: ClusterState<M> = { id: this.nextId++, sum: new Map(), sumSq: 0, members: [] };
      addInto(cluster, vector);
      cluster.members.push(member);
      this.live.set(cluster.id, cluster);
      return { clusterId: cluster.id, isNew: true };
    }
    addInto(best, vector);
    best.members.push(member);
    return { clusterId: this.mergeAround(best), isNew: false };
  }

  /** The id a cluster id now lives under (itself unless it was merged). */
  resolve(clusterId: number): number {
    let id = clusterId;
    for (let next = this.mergedInto.get(id); next !== undefined; next = this.mergedInto.get(id)) id = next;
    return id;
  }

  /** Current clusters, largest first. */
  clusters(): GapCluster<M>[] {
    return [...this.live.values()]
      .map((c) => ({
        id: c.id,
        size: c.members.length,
        representative: representative(c),
        members: c.members.map(({ text, meta }) => ({ text, meta })),
      }))
      .sort((a, b) => b.size - a.size || a.id - b.id);
  }

  /** Merges clusters whose centroid is now close to `grown`'s; returns the surviving id of `grown`. */
  private mergeAround(grown: ClusterState<M>): number {
    let target = grown;
    for (;;) {
      let partner: ClusterState<M> | undefined;
      let partnerSim = this.mergeThreshold;
      for (const other of this.live.values()) {
        if (other === target) continue;
        const sim = dot(target.sum, other.sum) / Math.sqrt(target.sumSq * other.sumSq);
        if (sim >= partnerSim) {
          partnerSim = sim;
          partner = other;
        }
      }
      if (!partner) return target.id;
      // The larger cluster (older on ties) survives, so long-lived ids stay stable.
      const [keep, drop] =
        partner.members.length > target.members.length ||
        (partner.members.length === target.members.length && partner.id < target.id)
          ? [partner, target]
          : [target, partner];
      for (const m of drop.members) keep.members.push(m);
      for (const [k, v] of drop.sum) addWeight(keep, k, v);
      this.live.delete(drop.id);
      this.mergedInto.set(drop.id, keep.id);
      target = keep;
    }
  }
}

/** Adds `v` to one coordinate of a centroid sum, keeping its squared norm current. */
function addWeight<M>(c: ClusterState<M>, key: string, v: number): void {
  const old = c.sum.get(key) ?? 0;
  c.sum.set(key, old + v);
  c.sumSq += (old + v) ** 2 - old * old;
}

function addInto<M>(c: ClusterState<M>, v: SparseMap): void {
  for (const [k, w] of v) addWeight(c, k, w);
}

function representative<M>(c: ClusterState<M>): string {
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
