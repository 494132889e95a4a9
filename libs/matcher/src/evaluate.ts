/**
 * Pure helpers for the matcher evaluation protocol (shared/docs/EVAL.md): the knowledge-base/query split
 * and the metrics (ROC AUC, operating point, purity, adjusted Rand index).
 *
 * Not part of the library's public API: `scripts/eval-matcher.ts` imports them by path. They live here,
 * unit-tested, because the matcher itself picks its threshold with `operatingPoint` on simulated traffic,
 * exactly as the protocol does on real traffic.
 */
import { shuffleInPlace, type Rng } from './random';

/** One labelled question of an evaluation file. */
export interface LabelledRow {
  id: number;
  text: string;
  intent: string;
}

/** Intents in order of first appearance, each with its rows' ids in ascending order. */
export function groupByIntent(rows: readonly LabelledRow[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const row of rows) {
    let ids = groups.get(row.intent);
    if (!ids) {
      ids = [];
      groups.set(row.intent, ids);
    }
    ids.push(row.id);
  }
  for (const ids of groups.values()) ids.sort((x, y) => x - y);
  return groups;
}

export interface KbSplit {
  /** Knowledge-base example ids per intent (intents in order of first appearance). */
  kb: Map<string, number[]>;
  /** Query ids per intent. */
  queries: Map<string, number[]>;
}

/**
 * Step 1 of the protocol: one PRNG stream for the whole file; per intent (first-appearance order) its ids
 * ascending, shuffled, the first ceil(n/2) to the knowledge base and the rest to the queries.
 */
export function splitKnowledgeBase(rows: readonly LabelledRow[], rng: Rng): KbSplit {
  const kb = new Map<string, number[]>();
  const queries = new Map<string, number[]>();
  for (const [intent, ids] of groupByIntent(rows)) {
    const shuffled = shuffleInPlace([...ids], rng);
    const cut = Math.ceil(shuffled.length / 2);
    kb.set(intent, shuffled.slice(0, cut));
    queries.set(intent, shuffled.slice(cut));
  }
  return { kb, queries };
}

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count one half), computed from mid-ranks in O(n log n). NaN when a class is empty.
 */
export function auroc(scores: readonly number[], positive: readonly boolean[]): number {
  if (scores.length !== positive.length) throw new Error('auroc: scores and labels differ in length');
  const order = scores.map((_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < order.length) {
    // A run of tied scores shares the mean of the ranks it spans (1-based).
    let j = i;
    const s = scores[order[i] as number] as number;
    while (j + 1 < order.length && scores[order[j + 1] as number] === s) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (positive[order[k] as number]) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = order.length - nPos;
  if (nPos === 0 || nNeg === 0) return Number.NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/** One scored query for the operating-point search. */
export interface ScoredQuery {
  confidence: number;
  /** The query's intent is in the knowledge base. */
  known: boolean;
  /** Known and the top answer is its intent. */
  correct: boolean;
}

export interface OperatingPoint {
  /** Lowest threshold at which the answered queries reach the target precision (`Infinity` if none). */
  threshold: number;
  /** Known queries answered correctly / known queries. */
  coverage: number;
  /** Unknown queries left unmatched / unknown queries. */
  flagged: number;
  /** Precision of the answered queries at that threshold (NaN when nothing is answered). */
  precision: number;
}

/**
 * Step 4: a query is answered when confidence >= threshold. Candidate thresholds are the distinct
 * confidences; the lowest one whose answered set is at least `targetPrecision` correct wins. Precision is
 * not monotone in the threshold, so every candidate is checked from the lowest up.
 */
export function operatingPoint(items: readonly ScoredQuery[], targetPrecision = 0.9): OperatingPoint {
  const sorted = [...items].sort((a, b) => b.confidence - a.confidence);
  const nKnown = items.filter((q) => q.known).length;
  const nUnknown = items.length - nKnown;
  // Walk from the highest confidence down, recording precision for each distinct threshold.
  let answered = 0;
  let correct = 0;
  let unknownAnswered = 0;
  let best: OperatingPoint = {
    threshold: Number.POSITIVE_INFINITY,
    coverage: 0,
    flagged: nUnknown === 0 ? Number.NaN : 1,
    precision: Number.NaN,
  };
  let i = 0;
  while (i < sorted.length) {
    const t = (sorted[i] as ScoredQuery).confidence;
    while (i < sorted.length && (sorted[i] as ScoredQuery).confidence === t) {
      const q = sorted[i] as ScoredQuery;
      answered++;
      if (q.correct) correct++;
      if (!q.known) unknownAnswered++;
      i++;
    }
    const precision = correct / answered;
    // Later (lower) thresholds overwrite earlier ones, so the lowest qualifying threshold is kept.
    if (precision >= targetPrecision) {
      best = {
        threshold: t,
        coverage: nKnown === 0 ? Number.NaN : correct / nKnown,
        flagged: nUnknown === 0 ? Number.NaN : (nUnknown - unknownAnswered) / nUnknown,
        precision,
      };
    }
  }
  return best;
}

/** Contingency counts of two labelings of the same items. */
function contingency<A, B>(a: readonly A[], b: readonly B[]): Map<A, Map<B, number>> {
  if (a.length !== b.length) throw new Error('labelings differ in length');
  const table = new Map<A, Map<B, number>>();
  for (let i = 0; i < a.length; i++) {
    const ka = a[i] as A;
    const kb = b[i] as B;
    let row = table.get(ka);
    if (!row) {
      row = new Map<B, number>();
      table.set(ka, row);
    }
    row.set(kb, (row.get(kb) ?? 0) + 1);
  }
  return table;
}

/** Purity: each predicted cluster counts its most frequent true label; the sum over the item count. */
export function purity<T, C>(truth: readonly T[], clusters: readonly C[]): number {
  if (truth.length === 0) return Number.NaN;
  let sum = 0;
  for (const row of contingency(clusters, truth).values()) sum += Math.max(...row.values());
  return sum / truth.length;
}

const pairs = (n: number): number => (n * (n - 1)) / 2;

/**
 * Adjusted Rand index (Hubert & Arabie): pair-counting agreement corrected for chance; 1 for identical
 * partitions, about 0 for random ones. Two trivial partitions (all singletons or one cluster on both
 * sides) agree perfectly and return 1, as scikit-learn does.
 */
export function adjustedRandIndex<T, C>(truth: readonly T[], clusters: readonly C[]): number {
  const n = truth.length;
  if (n === 0) return Number.NaN;
  const table = contingency(truth, clusters);
  let sumCells = 0;
  const colSums = new Map<C, number>();
  let sumRows = 0;
  for (const row of table.values()) {
    let rowSum = 0;
    for (const [c, count] of row) {
      sumCells += pairs(count);
      rowSum += count;
      colSums.set(c, (colSums.get(c) ?? 0) + count);
    }
    sumRows += pairs(rowSum);
  }
  let sumCols = 0;
  for (const count of colSums.values()) sumCols += pairs(count);
  const total = pairs(n);
  const expected = total === 0 ? 0 : (sumRows * sumCols) / total;
  const maxIndex = (sumRows + sumCols) / 2;
  if (maxIndex === expected) return 1;
  return (sumCells - expected) / (maxIndex - expected);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length;
}
