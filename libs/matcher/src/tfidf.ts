/**
 * A TF-IDF index over documents that grow and shrink: the vocabulary (feature name → id), how many
 * documents contain each feature, the IDF those counts give, and the vectors of questions under it.
 *
 * A document is a bag of passages (the matcher's documents are its answers, the passages their example
 * questions), so the IDF counts *documents*, not passages: a feature in many examples of one answer is that
 * answer's vocabulary, not noise.
 *
 * Document frequencies are exact at all times, but the number of documents in the IDF formula is a
 * snapshot taken by `refresh()`: refreshing changes every weight, so a caller holding norms under the old
 * weights (the matcher's example norms) decides when to pay for it (`isStale`).
 */
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './features';
import { normalizeQuestion } from './normalize';
import type { SparseVector } from './sparse';

/** A passage's features as interned ids, with their term frequencies. */
export interface TermCounts {
  ids: Int32Array;
  tf: Float64Array;
}

export class TfIdfIndex {
  private readonly vocabulary = new Map<string, number>();
  /** Per feature: number of live documents that contain it. */
  private readonly documentFrequency: number[] = [];
  private readonly idf: number[] = [];
  /** Per document: how many of its passages contain each feature (undefined once removed). */
  private readonly documentFeatures: (Map<number, number> | undefined)[] = [];
  private liveDocuments = 0;
  /** Number of live documents the IDF formula currently uses. */
  private snapshotDocuments = 0;
  /** Weight of a feature no document contains: the highest IDF, since it is as rare as can be. */
  private unseenIdf = 1;

  constructor(readonly features: FeatureOptions = DEFAULT_FEATURE_OPTIONS) {}

  /** An index of `documents` (each a list of passages) with its IDF snapshot taken. */
  static of(documents: readonly (readonly string[])[], features: FeatureOptions = DEFAULT_FEATURE_OPTIONS): TfIdfIndex {
    const index = new TfIdfIndex(features);
    for (const passages of documents) {
      const document = index.addDocument();
      for (const passage of passages) index.addToDocument(document, index.intern(passage).ids);
    }
    index.refresh();
    return index;
  }

  /** Number of live documents. */
  get documents(): number {
    return this.liveDocuments;
  }

  /** Number of feature ids ever handed out (ids run from 0 to this, exclusive). */
  get vocabularySize(): number {
    return this.vocabulary.size;
  }

  /** IDF by feature id, under the current snapshot (for loops that cannot afford a call per feature). */
  get weights(): readonly number[] {
    return this.idf;
  }

  /** Whether some live document contains the feature. */
  isKnown(feature: number): boolean {
    return (this.documentFrequency[feature] as number) > 0;
  }

  /** Whether the number of documents drifted by more than `ratio` since the snapshot (or none was taken). */
  isStale(ratio: number): boolean {
    const drift = Math.abs(this.liveDocuments - this.snapshotDocuments) / Math.max(1, this.snapshotDocuments);
    return this.snapshotDocuments === 0 || drift > ratio;
  }

  /** A text's features (normalised first), each given an id; empty when nothing is left after normalisation. */
  intern(text: string): TermCounts {
    const features = extractFeatures(normalizeQuestion(text), this.features);
    const ids = new Int32Array(features.size);
    const tf = new Float64Array(features.size);
    let k = 0;
    for (const [name, count] of features) {
      ids[k] = this.featureId(name);
      tf[k] = count;
      k++;
    }
    return { ids, tf };
  }

  /** A new, empty document; returns its number (documents are numbered 0, 1, 2… in order of creation). */
  addDocument(): number {
    this.documentFeatures.push(new Map());
    this.liveDocuments++;
    return this.documentFeatures.length - 1;
  }

  /** Counts one passage's features (interned ids) as occurring in `document`. */
  addToDocument(document: number, ids: ArrayLike<number>): void {
    const counts = this.live(document);
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j] as number;
      const inDocument = counts.get(id) ?? 0;
      counts.set(id, inDocument + 1);
      if (inDocument === 0) this.countDocument(id, 1);
    }
  }

  /** Uncounts one passage's features from `document`; returns those that no passage of it contains any more. */
  removeFromDocument(document: number, ids: ArrayLike<number>): number[] {
    const counts = this.live(document);
    const gone: number[] = [];
    for (let j = 0; j < ids.length; j++) {
      const id = ids[j] as number;
      const left = (counts.get(id) as number) - 1;
      if (left > 0) {
        counts.set(id, left);
        continue;
      }
      counts.delete(id);
      this.countDocument(id, -1);
      gone.push(id);
    }
    return gone;
  }

  /** Removes a document and every count of its features; its number is never reused. */
  removeDocument(document: number): void {
    const counts = this.live(document);
    for (const id of counts.keys()) this.countDocument(id, -1);
    this.documentFeatures[document] = undefined;
    this.liveDocuments--;
  }

  /** Takes a new snapshot of the number of documents: every IDF is recomputed. O(vocabulary). */
  refresh(): void {
    this.snapshotDocuments = this.liveDocuments;
    this.unseenIdf = Math.log(1 + Math.max(this.snapshotDocuments, 1)) + 1;
    for (let id = 0; id < this.idf.length; id++) this.idf[id] = this.idfOf(id);
  }

  /** Euclidean norm of a passage's TF-IDF vector under the current IDF (1 for an empty one). */
  norm(terms: TermCounts): number {
    let s = 0;
    for (let j = 0; j < terms.ids.length; j++) {
      const w = (terms.tf[j] as number) * (this.idf[terms.ids[j] as number] as number);
      s += w * w;
    }
    return Math.sqrt(s) || 1;
  }

  /**
   * A question's unit TF-IDF vector over the known features. The features no document contains are left
   * out but keep their mass in the norm, so a question that is mostly new words scores low everywhere.
   */
  vectorize(text: string): SparseVector {
    const ids: number[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [name, tf] of extractFeatures(normalizeQuestion(text), this.features)) {
      const id = this.vocabulary.get(name);
      if (id !== undefined && this.isKnown(id)) {
        const w = tf * (this.idf[id] as number);
        ids.push(id);
        values.push(w);
        norm += w * w;
      } else {
        norm += (tf * this.unseenIdf) ** 2;
      }
    }
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < values.length; j++) values[j] = (values[j] as number) / norm;
    return { ids, values };
  }

  /**
   * A question's TF-IDF weights by feature name (not normalised). Features no document contains get the
   * highest IDF when `includeUnseen` is set; `scale` multiplies the weight of each known feature.
   */
  weigh(text: string, includeUnseen: boolean, scale?: (feature: number) => number): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, tf] of extractFeatures(normalizeQuestion(text), this.features)) {
      const id = this.vocabulary.get(name);
      if (id !== undefined && this.isKnown(id)) {
        const weight = tf * (this.idf[id] as number);
        out.set(name, scale ? weight * scale(id) : weight);
      } else if (includeUnseen) {
        out.set(name, tf * this.unseenIdf);
      }
    }
    return out;
  }

  private featureId(name: string): number {
    let id = this.vocabulary.get(name);
    if (id === undefined) {
      id = this.vocabulary.size;
      this.vocabulary.set(name, id);
      this.documentFrequency.push(0);
      this.idf.push(0);
    }
    return id;
  }

  private countDocument(feature: number, by: 1 | -1): void {
    this.documentFrequency[feature] = (this.documentFrequency[feature] as number) + by;
    this.idf[feature] = this.idfOf(feature);
  }

  /** Smoothed inverse document frequency under the current snapshot. */
  private idfOf(feature: number): number {
    const n = Math.max(this.snapshotDocuments, 1);
    return Math.log((1 + n) / (1 + (this.documentFrequency[feature] as number))) + 1;
  }

  private live(document: number): Map<number, number> {
    const counts = this.documentFeatures[document];
    if (!counts) throw new Error(`document ${document} does not exist or was removed`);
    return counts;
  }
}
