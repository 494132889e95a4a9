/**
 * Matching customer questions to knowledge-base answers, each known by its example questions.
 *
 * Pipeline of one `match(text)`:
 *  1. `normalizeQuestion`, then character 1-2-gram features (features.ts).
 *  2. TF-IDF weights from a `TfIdfIndex` (tfidf.ts) whose documents are the answers, so IDF counts
 *     answers, not examples. Query vectors keep the mass of features the KB has never seen in their norm,
 *     so a question that is mostly new words scores low everywhere.
 *  3. Two scorers over the same vectors: a softmax classifier trained on the KB's examples (classifier.ts),
 *     whose cost depends on the answers the query's features touch, not on the KB's size; and, for its
 *     `rerankDepth` most probable answers, example similarity (an answer scores the mean cosine of its best
 *     3 examples). Answers are ranked by a blend that is mostly the classifier.
 *  4. Confidence = a logistic calibrator over (classifier probability, margin over the runner-up, example
 *     similarity), fitted on simulated traffic built from the KB itself (`calibrate`). `threshold` is the
 *     lowest confidence at which that simulated traffic is answered with `targetPrecision`.
 *
 * Incremental updates (`addAnswer`, `addExamples`, `replaceExamples`, `removeExamples`, `removeAnswer`) cost
 * O(size of the change): features and answer frequencies are updated in place, and what is left is paid by
 * the next match (or `prepare()`):
 *  - IDF: a feature's answer frequency is exact at all times, but the corpus size in the formula is the
 *    index's snapshot, refreshed (with every example norm) only when the number of answers has drifted by
 *    more than `idfRefreshRatio` since; until then older example norms lag slightly. That is the documented
 *    approximation.
 *  - The classifier is warm-started: new examples (and all examples of an answer whose examples were
 *    replaced, its weights reset to zero) are trained with a replay sample of the answers sharing their
 *    features, until they fit as well as those. Only when the new examples exceed `retrainRatio` of those
 *    trained on does a full retraining (and recalibration) run. `calibrate()` forces both.
 */
import { LogisticCalibrator, type CalibrationSample } from './calibration';
import { DEFAULT_SOFTMAX_OPTIONS, SparseSoftmax, type SoftmaxOptions, type TrainingExample } from './classifier';
import { operatingPoint } from './evaluate';
import { DEFAULT_FEATURE_OPTIONS, type FeatureOptions } from './features';
import { normalizeQuestion } from './normalize';
import { mulberry32, shuffleInPlace, type Rng } from './random';
import type { SparseVector } from './sparse';
import { TfIdfIndex } from './tfidf';

export interface MatcherOptions {
  features?: Partial<FeatureOptions>;
  classifier?: Partial<SoftmaxOptions>;
  /** An answer's example score is the mean similarity of its best `topExamples` examples. */
  topExamples?: number;
  /** Ranking score = w * classifier probability + (1 - w) * example score. */
  classifierWeight?: number;
  /** Precision the calibrated `threshold` aims for on the simulated traffic. */
  targetPrecision?: number;
  /** Folds of the calibration simulation (0 turns calibration off: confidence = ranking score). */
  calibrationFolds?: number;
  /** A fixed threshold instead of the calibrated one. */
  threshold?: number;
  /** Refresh the IDF snapshot when the number of answers drifted by more than this fraction. */
  idfRefreshRatio?: number;
  /** Retrain (and recalibrate) from scratch when untrained examples exceed this fraction of trained ones. */
  retrainRatio?: number;
  /** Most SGD passes of a warm start after an incremental update (it stops once the new examples fit). */
  warmEpochs?: number;
  /**
   * Features supported by more than max(`commonFeatureMinAnswers`, `commonFeatureFraction` x answers)
   * answers are left out of the classifier (see classifier.ts): they tell no answer apart, and their weight
   * lists would make every match and every training step cost O(answers).
   */
  commonFeatureFraction?: number;
  commonFeatureMinAnswers?: number;
  /** The classifier's most probable answers that also get an example score (and so can be re-ranked). */
  rerankDepth?: number;
  /** The calibration simulation runs on a seeded sample of at most this many answers (bounds its cost). */
  calibrationMaxAnswers?: number;
  /** Seed of every random choice (SGD order, calibration folds), so builds are reproducible. */
  seed?: number;
}

type ResolvedOptions = Required<Omit<MatcherOptions, 'features' | 'classifier' | 'threshold'>> & {
  features: FeatureOptions;
  classifier: SoftmaxOptions;
  threshold: number | undefined;
};

export interface AnswerInput {
  id: string;
  examples: readonly string[];
}

export interface RepresentOptions {
  includeUnseen?: boolean;
  topicality?: number;
}

export interface MatchOptions {
  /** How many candidates to return (default 3). */
  topK?: number;
}

export interface Candidate {
  answerId: string;
  /** Ranking score in [0, 1]. */
  score: number;
}

export interface MatchResult {
  /** Best answers first. */
  candidates: Candidate[];
  /** Calibrated probability (0-1) that the first candidate is the right answer. */
  confidence: number;
  /** confidence >= threshold */
  matched: boolean;
}

interface StoredExample {
  answer: number;
  text: string;
  ids: Int32Array;
  tf: Float64Array;
  /** Norm of the TF-IDF vector under the IDF in force when it was last computed. */
  norm: number;
  alive: boolean;
}

/** An answer; its index is also its document in the TF-IDF index and its class in the classifier. */
interface StoredAnswer {
  id: string;
  /** Indices of its live examples. */
  examples: number[];
  alive: boolean;
  /** Its live examples packed for `exampleScore`; dropped when they or their norms change, rebuilt on use. */
  packed: PackedExamples | undefined;
}

/**
 * An answer's live examples in contiguous arrays (example x's features are `ids`/`tf` from `ends[x - 1]`
 * to `ends[x]`): scoring an answer reads a few arrays instead of three objects per example scattered over
 * the heap, and at 3,000 answers those cache misses were most of a match's time.
 */
interface PackedExamples {
  ends: Int32Array;
  ids: Int32Array;
  tf: Float64Array;
  norms: Float64Array;
}

/** Raw scores of one query before calibration. */
interface Scored {
  /** Ranked; `p` is the classifier probability, `ex` the example score. */
  candidates: { answer: number; score: number; p: number; ex: number }[];
  /** Calibration features of the top candidate. */
  signals: number[];
}

const DEFAULTS: Omit<ResolvedOptions, 'features' | 'classifier' | 'threshold'> = {
  topExamples: 3,
  classifierWeight: 0.9,
  targetPrecision: 0.9,
  calibrationFolds: 4,
  idfRefreshRatio: 0.1,
  retrainRatio: 0.25,
  warmEpochs: 120,
  commonFeatureFraction: 0.02,
  commonFeatureMinAnswers: 64,
  rerankDepth: 16,
  calibrationMaxAnswers: 400,
  seed: 1,
};

/** Passes between two checks of a warm start's fit. */
const WARM_ROUND = 10;

export class Matcher {
  readonly options: ResolvedOptions;
  /** Confidence at or above which `match` reports `matched`. */
  threshold: number;

  /** Every live answer is one document, every live example one of its passages. */
  private readonly index: TfIdfIndex;
  private readonly examples: StoredExample[] = [];
  private readonly answers: StoredAnswer[] = [];
  private readonly answerIndex = new Map<string, number>();

  private readonly classifier: SparseSoftmax;
  private trained = false;
  private trainedExamples = 0;
  private pending: number[] = [];
  /** Answers whose weights were reset (examples removed): all their examples are retrained on the warm start. */
  private readonly resetAnswers = new Set<number>();
  private calibrator: LogisticCalibrator | undefined;
  private readonly rng: Rng;
  /** Median classifier weight norm (cached per training) for `represent`'s topicality scaling. */
  private strengthMedian: number | undefined;

  // Scratch buffers reused by every match (single-threaded), grown on demand: the query's weights by
  // feature id, and the best example similarities of one answer.
  private qdense = new Float64Array(0);
  private readonly bestSims: Float64Array;

  constructor(options: MatcherOptions = {}) {
    this.options = {
      ...DEFAULTS,
      ...stripUndefined(options),
      features: { ...DEFAULT_FEATURE_OPTIONS, ...stripUndefined(options.features ?? {}) },
      classifier: { ...DEFAULT_SOFTMAX_OPTIONS, ...stripUndefined(options.classifier ?? {}) },
      threshold: options.threshold,
    };
    this.threshold = options.threshold ?? 0.5;
    this.index = new TfIdfIndex(this.options.features);
    this.classifier = new SparseSoftmax(this.options.classifier);
    this.rng = mulberry32(this.options.seed);
    this.bestSims = new Float64Array(Math.max(1, this.options.topExamples));
  }

  /** Number of live answers. */
  get size(): number {
    return this.index.documents;
  }

  has(answerId: string): boolean {
    return this.answerIndex.has(answerId);
  }

  answerIds(): string[] {
    return this.answers.filter((a) => a.alive).map((a) => a.id);
  }

  addAnswers(answers: readonly AnswerInput[]): void {
    for (const a of answers) this.addAnswer(a);
  }

  /** Adds an answer with its example questions; O(size of the examples). */
  addAnswer(input: AnswerInput): void {
    if (this.answerIndex.has(input.id)) throw new Error(`answer ${input.id} already exists`);
    const index = this.answers.length;
    this.answers.push({ id: input.id, examples: [], alive: true, packed: undefined });
    this.answerIndex.set(input.id, index);
    const document = this.index.addDocument();
    const label = this.classifier.addClass();
    if (document !== index || label !== index) throw new Error('index, classifier and answer indices diverged');
    this.addExamples(input.id, input.examples);
  }

  /** Adds example questions to an existing answer; O(size of the examples). */
  addExamples(answerId: string, texts: readonly string[]): void {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) throw new Error(`unknown answer ${answerId}`);
    const answer = this.answers[index] as StoredAnswer;
    answer.packed = undefined;
    for (const text of texts) {
      const terms = this.index.intern(text);
      if (terms.ids.length === 0) continue; // nothing left after normalisation (e.g. only punctuation)
      this.index.addToDocument(index, terms.ids);
      const e = this.examples.length;
      this.examples.push({ answer: index, text, ids: terms.ids, tf: terms.tf, norm: this.index.norm(terms), alive: true });
      answer.examples.push(e);
      this.pending.push(e);
    }
  }

  /** Retires an answer: it stops matching at once. O(size of the answer). */
  removeAnswer(answerId: string): boolean {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) return false;
    const answer = this.answers[index] as StoredAnswer;
    this.answerIndex.delete(answerId);
    answer.alive = false;
    for (const e of answer.examples) (this.examples[e] as StoredExample).alive = false;
    this.index.removeDocument(index);
    answer.packed = undefined;
    this.classifier.removeClass(index);
    this.pending = this.pending.filter((e) => (this.examples[e] as StoredExample).alive);
    return true;
  }

  /**
   * Removes example questions (compared after normalisation) from an answer; returns how many were removed.
   * The answer's classifier weights restart from zero and are retrained on its remaining examples at the
   * next match, so nothing learned from a removed example lingers. O(size of the answer).
   */
  removeExamples(answerId: string, texts: readonly string[]): number {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) throw new Error(`unknown answer ${answerId}`);
    const answer = this.answers[index] as StoredAnswer;
    const drop = new Set(texts.map(normalizeQuestion));
    const dropped: number[] = [];
    let removed = 0;
    for (const e of answer.examples) {
      const example = this.examples[e] as StoredExample;
      if (!example.alive || !drop.has(normalizeQuestion(example.text))) continue;
      example.alive = false;
      removed++;
      dropped.push(...this.index.removeFromDocument(index, example.ids));
    }
    if (removed === 0) return 0;
    answer.examples = answer.examples.filter((e) => (this.examples[e] as StoredExample).alive);
    answer.packed = undefined;
    this.classifier.dropSupport(index, dropped);
    this.classifier.resetClass(index);
    this.resetAnswers.add(index);
    this.pending = this.pending.filter((e) => (this.examples[e] as StoredExample).alive);
    return removed;
  }

  /**
   * Makes `texts` the answer's examples: those no longer listed are removed (see `removeExamples`), new
   * ones added; examples kept unchanged keep their index entries. O(size of the answer).
   */
  replaceExamples(answerId: string, texts: readonly string[]): void {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) throw new Error(`unknown answer ${answerId}`);
    const answer = this.answers[index] as StoredAnswer;
    const wanted = new Map(texts.map((t) => [normalizeQuestion(t), t]));
    const current = new Set<string>();
    const stale: string[] = [];
    for (const e of answer.examples) {
      const key = normalizeQuestion((this.examples[e] as StoredExample).text);
      if (wanted.has(key)) current.add(key);
      else stale.push(key);
    }
    if (stale.length > 0) this.removeExamples(answerId, stale);
    const fresh = [...wanted].filter(([key]) => !current.has(key)).map(([, text]) => text);
    if (fresh.length > 0) this.addExamples(answerId, fresh);
  }

  /**
   * Pays now whatever the next `match` would otherwise pay: the first training and calibration, or the
   * warm start after updates. Call it after loading a knowledge base, before taking traffic.
   */
  prepare(): void {
    this.ensureReady();
  }

  /** Best answers for a question, with a calibrated confidence. */
  match(text: string, options: MatchOptions = {}): MatchResult {
    this.ensureReady();
    const topK = options.topK ?? 3;
    const scored = this.score(text, topK);
    const candidates = scored.candidates.slice(0, topK).map((c) => ({
      answerId: (this.answers[c.answer] as StoredAnswer).id,
      score: c.score,
    }));
    const confidence =
      candidates.length === 0
        ? 0
        : this.calibrator
          ? this.calibrator.predict(scored.signals)
          : (scored.candidates[0]?.score ?? 0);
    return { candidates, confidence, matched: candidates.length > 0 && confidence >= this.threshold };
  }

  /**
   * TF-IDF representation of a question by feature name, for gap clustering. Features the KB has never
   * seen get the highest IDF (they are rare by definition) when `includeUnseen` is set. With `topicality`
   * > 0 each known feature is further scaled by (its classifier weight norm / the median norm)^topicality:
   * features the KB's answers are told apart by are topic words, which is what gap clusters are about.
   */
  represent(text: string, options: RepresentOptions = {}): Map<string, number> {
    this.ensureReady();
    const includeUnseen = options.includeUnseen ?? true;
    const gamma = options.topicality ?? 0;
    if (gamma === 0) return this.index.weigh(text, includeUnseen);
    if (this.strengthMedian === undefined) {
      const strengths: number[] = [];
      for (let id = 0; id < this.index.vocabularySize; id++) {
        if (this.index.isKnown(id)) strengths.push(this.classifier.featureStrength(id));
      }
      strengths.sort((a, b) => a - b);
      this.strengthMedian = strengths[Math.floor(strengths.length / 2)] ?? 1;
    }
    const median = this.strengthMedian;
    return this.index.weigh(text, includeUnseen, (id) => (this.classifier.featureStrength(id) / median) ** gamma);
  }

  /**
   * Retrains the classifier from scratch and refits the calibrator and threshold. Runs on its own on the
   * first match and after large updates; call it to pay that cost at a time of your choosing.
   */
  calibrate(): void {
    this.refreshIdf();
    this.fullTrain();
  }

  // ---------------------------------------------------------------------------------------------------

  private ensureReady(): void {
    if (this.index.isStale(this.options.idfRefreshRatio)) this.refreshIdf();
    if (!this.trained || this.pending.length > this.options.retrainRatio * this.trainedExamples) {
      this.fullTrain();
    } else if (this.pending.length > 0 || this.resetAnswers.size > 0) {
      this.warmStart();
    }
  }

  /** New IDF snapshot: every IDF and example norm recomputed. O(index size). */
  private refreshIdf(): void {
    this.index.refresh();
    for (const example of this.examples) if (example.alive) example.norm = this.index.norm(example);
    for (const answer of this.answers) answer.packed = undefined;
  }

  /** Answers a feature may be supported by and still count in the classifier (see `commonFeatureFraction`). */
  private featureCap(): number {
    return Math.max(this.options.commonFeatureMinAnswers, Math.ceil(this.options.commonFeatureFraction * this.index.documents));
  }

  /** Normalised TF-IDF vector of a stored example (current IDF). */
  private exampleVector(example: StoredExample): SparseVector {
    const values = new Float64Array(example.ids.length);
    const idf = this.index.weights;
    for (let j = 0; j < example.ids.length; j++) {
      values[j] = ((example.tf[j] as number) * (idf[example.ids[j] as number] as number)) / example.norm;
    }
    return { ids: example.ids, values };
  }

  private trainingExample(e: number): TrainingExample {
    const example = this.examples[e] as StoredExample;
    return { x: this.exampleVector(example), label: example.answer };
  }

  private liveExampleIndices(): number[] {
    const out: number[] = [];
    for (let e = 0; e < this.examples.length; e++) if ((this.examples[e] as StoredExample).alive) out.push(e);
    return out;
  }

  private fullTrain(): void {
    const live = this.liveExampleIndices();
    for (const e of live) {
      const example = this.examples[e] as StoredExample;
      this.classifier.extendSupport(example.answer, { ids: example.ids, values: example.tf });
    }
    this.classifier.reset();
    this.classifier.train(live.map((e) => this.trainingExample(e)), this.options.classifier.epochs, this.rng, this.featureCap());
    this.trained = true;
    this.strengthMedian = undefined;
    this.trainedExamples = live.length;
    this.pending = [];
    this.resetAnswers.clear();
    if (this.options.calibrationFolds > 0) this.fitCalibration();
  }

  /**
   * Warm start after small updates: SGD over the new examples (and every example of an answer whose weights
   * were reset) plus a replay sample, drawn first from the answers that share features with them - the
   * ones whose scores the update moves - then from the rest. Cost O(update), not O(KB).
   */
  private warmStart(): void {
    const freshSet = new Set(this.pending);
    for (const a of this.resetAnswers) {
      const answer = this.answers[a] as StoredAnswer;
      if (answer.alive) for (const e of answer.examples) freshSet.add(e);
    }
    const fresh = [...freshSet];
    const cap = this.featureCap();
    const neighbours = new Set<number>();
    for (const e of fresh) {
      const example = this.examples[e] as StoredExample;
      const x = { ids: example.ids, values: example.tf };
      this.classifier.extendSupport(example.answer, x);
      for (const c of this.classifier.neighbours(x, cap)) neighbours.add(c);
    }
    const want = Math.max(fresh.length * 2, 20);
    const near: number[] = [];
    for (const c of neighbours) {
      const answer = this.answers[c] as StoredAnswer;
      if (answer.alive) for (const e of answer.examples) if (!freshSet.has(e)) near.push(e);
    }
    let replay = shuffleInPlace(near, this.rng).slice(0, want);
    if (replay.length < want) {
      const taken = new Set(replay);
      const others = this.liveExampleIndices().filter((e) => !freshSet.has(e) && !taken.has(e));
      replay = replay.concat(shuffleInPlace(others, this.rng).slice(0, want - replay.length));
    }
    const data = [...fresh, ...replay].map((e) => this.trainingExample(e));
    // New weights start at zero while every trained answer's are grown; a fixed few passes would leave the
    // new examples far less probable than their neighbours' (in a large KB, under the match threshold).
    // So rounds of passes run until the new examples fit as well as the replayed ones (median), or up to
    // `warmEpochs` passes.
    const fitted = (from: number, to: number): number[] => {
      const out: number[] = [];
      for (let i = from; i < to; i++) {
        const d = data[i] as TrainingExample;
        out.push(this.classifier.posterior(d.x, cap, d.label).probs[0] as number);
      }
      return out.sort((a, b) => a - b);
    };
    const replayFit = fitted(fresh.length, data.length);
    const target = Math.min(0.95, replayFit[Math.floor(replayFit.length / 2)] ?? 0.95);
    for (let passes = 0; passes < this.options.warmEpochs; passes += WARM_ROUND) {
      this.classifier.train(data, Math.min(WARM_ROUND, this.options.warmEpochs - passes), this.rng, cap);
      const freshFit = fitted(0, fresh.length);
      if ((freshFit[Math.floor(freshFit.length / 2)] ?? 1) >= target) break;
    }
    this.trainedExamples += this.pending.length;
    this.strengthMedian = undefined;
    this.pending = [];
    this.resetAnswers.clear();
  }

  /**
   * Simulated traffic from the KB itself. Answers are dealt into F folds; in fold f the answers of f are
   * left out entirely (their examples play questions the KB cannot answer) and every F-th example of the
   * other answers is held out (known questions). A matcher trained on the rest scores both; the calibrator
   * learns P(top answer right | signals) and the threshold is the lowest confidence reaching the target
   * precision on that traffic.
   */
  private fitCalibration(): void {
    const rng = mulberry32(this.options.seed + 7919);
    let live = this.answers.map((a, i) => ({ a, i })).filter(({ a }) => a.alive && a.examples.length > 0);
    // A seeded sample bounds the cost in large KBs; the signals' distribution is what is being learned.
    if (live.length > this.options.calibrationMaxAnswers) live = shuffleInPlace(live, rng).slice(0, this.options.calibrationMaxAnswers);
    const folds = Math.min(this.options.calibrationFolds, live.length);
    if (folds < 2) {
      this.calibrator = undefined;
      return;
    }
    const answerFold = new Map<number, number>();
    shuffleInPlace([...live], rng).forEach(({ i }, k) => answerFold.set(i, k % folds));
    const exampleFold = new Map<number, number>();
    for (const { a } of live) shuffleInPlace([...a.examples], rng).forEach((e, k) => exampleFold.set(e, k % folds));

    const samples: (CalibrationSample & { known: boolean })[] = [];
    for (let f = 0; f < folds; f++) {
      const sub = new Matcher({
        ...this.options,
        calibrationFolds: 0,
        seed: this.options.seed + f + 1,
      });
      const queries: { text: string; answer: string | undefined }[] = [];
      for (const { a, i } of live) {
        const texts = a.examples.map((e) => (this.examples[e] as StoredExample).text);
        if (answerFold.get(i) === f) {
          for (const text of texts) queries.push({ text, answer: undefined });
          continue;
        }
        const train: string[] = [];
        a.examples.forEach((e, k) => {
          // An answer with a single example keeps it for training: there is nothing to hold out.
          if (exampleFold.get(e) === f && a.examples.length > 1) queries.push({ text: texts[k] as string, answer: a.id });
          else train.push(texts[k] as string);
        });
        sub.addAnswer({ id: a.id, examples: train });
      }
      sub.ensureReady();
      for (const q of queries) {
        const s = sub.score(q.text);
        const top = s.candidates[0];
        if (!top) continue;
        const topId = (sub.answers[top.answer] as StoredAnswer).id;
        samples.push({ features: s.signals, correct: q.answer !== undefined && topId === q.answer, known: q.answer !== undefined });
      }
    }
    if (!samples.some((s) => s.correct) || samples.every((s) => s.correct)) {
      this.calibrator = undefined;
      return;
    }
    const calibrator = LogisticCalibrator.fit(samples);
    this.calibrator = calibrator;
    if (this.options.threshold === undefined) {
      const op = operatingPoint(
        samples.map((s) => ({ confidence: calibrator.predict(s.features), known: s.known, correct: s.correct })),
        this.options.targetPrecision,
      );
      this.threshold = Number.isFinite(op.threshold) ? op.threshold : 1;
    }
  }

  /**
   * Ranks answers for a question; assumes `ensureReady` ran. The classifier's posterior comes from the
   * classes the query's features touch (see classifier.ts); the `rerankDepth` most probable of them also
   * get their example score, computed directly against their examples. Answers the query touches nowhere
   * share the untouched probability and are only listed to fill `minCandidates`.
   */
  private score(text: string, minCandidates = 1): Scored {
    const q = this.index.vectorize(text);
    const post = this.classifier.posterior(q, this.featureCap());
    const depth = Math.max(this.options.rerankDepth, minCandidates);
    // The `depth` most probable touched classes, by insertion into a small sorted buffer.
    const top: { answer: number; p: number }[] = [];
    for (let t = 0; t < post.count; t++) {
      const p = post.probs[t] as number;
      if (top.length === depth && p <= (top[depth - 1] as { p: number }).p) continue;
      const c = post.classes[t] as number;
      let at = top.length;
      while (at > 0 && (top[at - 1] as { p: number }).p < p) at--;
      top.splice(at, 0, { answer: c, p });
      if (top.length > depth) top.pop();
    }

    if (this.qdense.length < this.index.vocabularySize) this.qdense = new Float64Array(this.index.vocabularySize * 2);
    const qdense = this.qdense;
    for (let j = 0; j < q.ids.length; j++) qdense[q.ids[j] as number] = q.values[j] as number;
    const cw = this.options.classifierWeight;
    const candidates: { answer: number; score: number; p: number; ex: number }[] = top.map(({ answer, p }) => {
      const ex = this.exampleScore(answer, qdense);
      return { answer, score: cw * p + (1 - cw) * ex, p, ex };
    });
    for (let j = 0; j < q.ids.length; j++) qdense[q.ids[j] as number] = 0;
    candidates.sort((x, y) => y.score - x.score || x.answer - y.answer);

    if (candidates.length < minCandidates && candidates.length < this.index.documents) {
      const listed = new Set(candidates.map((c) => c.answer));
      for (let a = 0; a < this.answers.length && candidates.length < minCandidates; a++) {
        if (!(this.answers[a] as StoredAnswer).alive || listed.has(a)) continue;
        candidates.push({ answer: a, score: cw * post.rest, p: post.rest, ex: 0 });
      }
    }
    const first = candidates[0];
    const p1 = first?.p ?? 0;
    const p2 = candidates[1]?.p ?? (this.index.documents > 1 ? post.rest : 0);
    const clipped = Math.min(Math.max(p1, 1e-6), 1 - 1e-6);
    const signals = [Math.log(clipped / (1 - clipped)), p1 - p2, first?.ex ?? 0];
    return { candidates, signals };
  }

  /** Mean cosine of an answer's `topExamples` most similar examples to the query held in `qdense`. */
  private exampleScore(answer: number, qdense: Float64Array): number {
    const k = this.options.topExamples;
    const best = this.bestSims;
    best.fill(0, 0, k);
    const stored = this.answers[answer] as StoredAnswer;
    const { ends, ids, tf, norms } = stored.packed ?? this.pack(stored);
    const idf = this.index.weights;
    let start = 0;
    for (let x = 0; x < norms.length; x++) {
      const end = ends[x] as number;
      let s = 0;
      for (let j = start; j < end; j++) {
        const id = ids[j] as number;
        const qv = qdense[id] as number;
        if (qv !== 0) s += qv * (tf[j] as number) * (idf[id] as number);
      }
      start = end;
      s /= norms[x] as number;
      if (s <= (best[k - 1] as number)) continue;
      let p = k - 1;
      while (p > 0 && (best[p - 1] as number) < s) {
        best[p] = best[p - 1] as number;
        p--;
      }
      best[p] = s;
    }
    let sum = 0;
    for (let p = 0; p < k; p++) sum += best[p] as number;
    return sum / Math.min(k, Math.max(1, norms.length));
  }

  private pack(answer: StoredAnswer): PackedExamples {
    const live = answer.examples.map((e) => this.examples[e] as StoredExample).filter((example) => example.alive);
    const ends = new Int32Array(live.length);
    const ids = new Int32Array(live.reduce((sum, example) => sum + example.ids.length, 0));
    const tf = new Float64Array(ids.length);
    const norms = new Float64Array(live.length);
    let at = 0;
    live.forEach((example, x) => {
      ids.set(example.ids, at);
      tf.set(example.tf, at);
      at += example.ids.length;
      ends[x] = at;
      norms[x] = example.norm;
    });
    answer.packed = { ends, ids, tf, norms };
    return answer.packed;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
