/**
 * Matching customer questions to knowledge-base answers, each known by its example questions.
 *
 * Pipeline of one `match(text)`:
 *  1. `normalizeQuestion`, then character 1-2-gram features (features.ts).
 *  2. TF-IDF weights where IDF counts *answers*, not examples ("inverse answer frequency"): a feature that
 *     appears in many examples of one answer is that answer's vocabulary, not noise. Query vectors keep the
 *     mass of features the KB has never seen in their norm, so a question that is mostly new words scores
 *     low everywhere.
 *  3. Two scorers over the same vectors: a softmax classifier trained on the KB's examples (classifier.ts),
 *     and example similarity (cosine through an inverted index, an answer scoring the mean of its best 3
 *     examples). Answers are ranked by a blend that is mostly the classifier.
 *  4. Confidence = a logistic calibrator over (classifier probability, margin over the runner-up, example
 *     similarity), fitted on simulated traffic built from the KB itself (`calibrate`). `threshold` is the
 *     lowest confidence at which that simulated traffic is answered with `targetPrecision`.
 *
 * Incremental updates. Adding answers or examples never rebuilds the index: features, answer frequencies and
 * postings are appended in O(size of the new examples). Two things are refreshed lazily, on the next match:
 *  - IDF: a feature's answer frequency is exact at all times, but the corpus size in the formula is a
 *    snapshot, refreshed (with every example norm) only when the number of answers has drifted by more than
 *    `idfRefreshRatio` since; until then older example norms lag slightly. That is the documented
 *    approximation.
 *  - The classifier is warm-started: new answers get zero weights over their own features, then a few SGD
 *    passes run over the new examples plus a replay sample of old ones. Only when the new examples exceed
 *    `retrainRatio` of those trained on does a full retraining (and recalibration) run, so the cost of
 *    updates is amortised. `calibrate()` forces both.
 */
import { LogisticCalibrator, type CalibrationSample } from './calibration';
import { DEFAULT_SOFTMAX_OPTIONS, SparseSoftmax, type SoftmaxOptions, type SparseVector, type TrainingExample } from './classifier';
import { mulberry32, operatingPoint, shuffleInPlace, type Rng } from './evaluate';
import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './features';
import { normalizeQuestion } from './normalize';

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
  /** SGD passes of a warm start after an incremental update. */
  warmEpochs?: number;
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

interface StoredAnswer {
  id: string;
  examples: number[];
  /** Per feature, how many of this answer's examples contain it (to keep answer frequencies exact). */
  featureCounts: Map<number, number>;
  alive: boolean;
}

/** Raw scores of one query before calibration. */
interface Scored {
  candidates: { answer: number; score: number }[];
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
  warmEpochs: 5,
  seed: 1,
};

export class Matcher {
  readonly options: ResolvedOptions;
  /** Confidence at or above which `match` reports `matched`. */
  threshold: number;

  private readonly vocab = new Map<string, number>();
  /** Per feature: number of live answers with an example containing it. */
  private readonly answerFreq: number[] = [];
  private readonly idf: number[] = [];
  /** Number of live answers the IDF formula currently uses (the snapshot). */
  private idfAnswers = 0;
  private unknownIdf = 1;
  private readonly postings: number[][] = [];
  private readonly postingTf: number[][] = [];
  private readonly examples: StoredExample[] = [];
  private readonly answers: StoredAnswer[] = [];
  private readonly answerIndex = new Map<string, number>();
  private liveAnswers = 0;

  private readonly classifier: SparseSoftmax;
  private trained = false;
  private trainedExamples = 0;
  private pending: number[] = [];
  private calibrator: LogisticCalibrator | undefined;
  private readonly rng: Rng;
  /** Median classifier weight norm (cached per training) for `represent`'s topicality scaling. */
  private strengthMedian: number | undefined;

  // Scratch buffers reused by every match (single-threaded), grown on demand.
  private sims = new Float64Array(0);
  private probs = new Float64Array(0);

  constructor(options: MatcherOptions = {}) {
    this.options = {
      ...DEFAULTS,
      ...stripUndefined(options),
      features: { ...DEFAULT_FEATURE_OPTIONS, ...stripUndefined(options.features ?? {}) },
      classifier: { ...DEFAULT_SOFTMAX_OPTIONS, ...stripUndefined(options.classifier ?? {}) },
      threshold: options.threshold,
    };
    this.threshold = options.threshold ?? 0.5;
    this.classifier = new SparseSoftmax(this.options.classifier);
    this.rng = mulberry32(this.options.seed);
  }

  /** Number of live answers. */
  get size(): number {
    return this.liveAnswers;
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
    this.answers.push({ id: input.id, examples: [], featureCounts: new Map(), alive: true });
    this.answerIndex.set(input.id, index);
    this.liveAnswers++;
    const label = this.classifier.addClass();
    if (label !== index) throw new Error('classifier and answer indices diverged');
    this.addExamples(input.id, input.examples);
  }

  /** Adds example questions to an existing answer; O(size of the examples). */
  addExamples(answerId: string, texts: readonly string[]): void {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) throw new Error(`unknown answer ${answerId}`);
    const answer = this.answers[index] as StoredAnswer;
    for (const text of texts) {
      const features = extractFeatures(normalizeQuestion(text), this.options.features);
      if (features.size === 0) continue; // nothing left after normalisation (e.g. only punctuation)
      const ids = new Int32Array(features.size);
      const tf = new Float64Array(features.size);
      let k = 0;
      for (const [name, count] of features) {
        const id = this.featureId(name);
        ids[k] = id;
        tf[k] = count;
        k++;
        const inAnswer = answer.featureCounts.get(id) ?? 0;
        answer.featureCounts.set(id, inAnswer + 1);
        if (inAnswer === 0) {
          this.answerFreq[id] = (this.answerFreq[id] as number) + 1;
          this.idf[id] = this.idfOf(id);
        }
      }
      const e = this.examples.length;
      const example: StoredExample = { answer: index, text, ids, tf, norm: 1, alive: true };
      example.norm = this.exampleNorm(example);
      this.examples.push(example);
      answer.examples.push(e);
      for (let j = 0; j < ids.length; j++) {
        (this.postings[ids[j] as number] as number[]).push(e);
        (this.postingTf[ids[j] as number] as number[]).push(tf[j] as number);
      }
      this.pending.push(e);
    }
  }

  /** Removes an answer and its examples from matching (their postings are skipped, then compacted). */
  removeAnswer(answerId: string): boolean {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) return false;
    const answer = this.answers[index] as StoredAnswer;
    this.answerIndex.delete(answerId);
    answer.alive = false;
    this.liveAnswers--;
    for (const e of answer.examples) (this.examples[e] as StoredExample).alive = false;
    for (const id of answer.featureCounts.keys()) {
      this.answerFreq[id] = (this.answerFreq[id] as number) - 1;
      this.idf[id] = this.idfOf(id);
    }
    answer.featureCounts.clear();
    this.classifier.removeClass(index);
    this.pending = this.pending.filter((e) => (this.examples[e] as StoredExample).alive);
    return true;
  }

  /** Best answers for a question, with a calibrated confidence. */
  match(text: string, options: MatchOptions = {}): MatchResult {
    this.ensureReady();
    const scored = this.score(text);
    const topK = options.topK ?? 3;
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
    if (gamma > 0 && this.strengthMedian === undefined) {
      const strengths: number[] = [];
      for (let id = 0; id < this.vocab.size; id++) {
        if ((this.answerFreq[id] as number) > 0) strengths.push(this.classifier.featureStrength(id));
      }
      strengths.sort((a, b) => a - b);
      this.strengthMedian = strengths[Math.floor(strengths.length / 2)] ?? 1;
    }
    const median = this.strengthMedian ?? 1;
    const out = new Map<string, number>();
    for (const [name, tf] of extractFeatures(normalizeQuestion(text), this.options.features)) {
      const id = this.vocab.get(name);
      if (id !== undefined && (this.answerFreq[id] as number) > 0) {
        const scale = gamma > 0 ? (this.classifier.featureStrength(id) / median) ** gamma : 1;
        out.set(name, tf * (this.idf[id] as number) * scale);
      } else if (includeUnseen) {
        out.set(name, tf * this.unknownIdf);
      }
    }
    return out;
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

  private featureId(name: string): number {
    let id = this.vocab.get(name);
    if (id === undefined) {
      id = this.vocab.size;
      this.vocab.set(name, id);
      this.answerFreq.push(0);
      this.idf.push(0);
      this.postings.push([]);
      this.postingTf.push([]);
    }
    return id;
  }

  /** Smoothed inverse answer frequency under the current snapshot size. */
  private idfOf(id: number): number {
    const n = Math.max(this.idfAnswers, 1);
    return Math.log((1 + n) / (1 + (this.answerFreq[id] as number))) + 1;
  }

  private exampleNorm(example: StoredExample): number {
    let s = 0;
    for (let j = 0; j < example.ids.length; j++) {
      const w = (example.tf[j] as number) * (this.idf[example.ids[j] as number] as number);
      s += w * w;
    }
    return Math.sqrt(s) || 1;
  }

  private ensureReady(): void {
    const drift = Math.abs(this.liveAnswers - this.idfAnswers) / Math.max(1, this.idfAnswers);
    if (this.idfAnswers === 0 || drift > this.options.idfRefreshRatio) this.refreshIdf();
    if (!this.trained || this.pending.length > this.options.retrainRatio * this.trainedExamples) {
      this.fullTrain();
    } else if (this.pending.length > 0) {
      this.warmStart();
    }
  }

  /** New IDF snapshot: every IDF and example norm recomputed, dead postings compacted. O(index size). */
  private refreshIdf(): void {
    this.idfAnswers = this.liveAnswers;
    this.unknownIdf = Math.log(1 + Math.max(this.idfAnswers, 1)) + 1;
    for (let id = 0; id < this.idf.length; id++) this.idf[id] = this.idfOf(id);
    for (const example of this.examples) if (example.alive) example.norm = this.exampleNorm(example);
    for (let id = 0; id < this.postings.length; id++) {
      const list = this.postings[id] as number[];
      const tfs = this.postingTf[id] as number[];
      let w = 0;
      for (let r = 0; r < list.length; r++) {
        if (!(this.examples[list[r] as number] as StoredExample).alive) continue;
        list[w] = list[r] as number;
        tfs[w] = tfs[r] as number;
        w++;
      }
      list.length = w;
      tfs.length = w;
    }
  }

  /** Normalised TF-IDF vector of a stored example (current IDF). */
  private exampleVector(example: StoredExample): SparseVector {
    const values = new Float64Array(example.ids.length);
    for (let j = 0; j < example.ids.length; j++) {
      values[j] = ((example.tf[j] as number) * (this.idf[example.ids[j] as number] as number)) / example.norm;
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
    this.classifier.train(live.map((e) => this.trainingExample(e)), this.options.classifier.epochs, this.rng);
    this.trained = true;
    this.strengthMedian = undefined;
    this.trainedExamples = live.length;
    this.pending = [];
    if (this.options.calibrationFolds > 0) this.fitCalibration();
  }

  /** Warm start after small updates: new examples plus a replay sample, a few SGD passes. */
  private warmStart(): void {
    const fresh = this.pending;
    for (const e of fresh) {
      const example = this.examples[e] as StoredExample;
      this.classifier.extendSupport(example.answer, { ids: example.ids, values: example.tf });
    }
    const freshSet = new Set(fresh);
    const old = this.liveExampleIndices().filter((e) => !freshSet.has(e));
    const replay = shuffleInPlace(old, this.rng).slice(0, Math.max(fresh.length * 3, 50));
    const data = [...fresh, ...replay].map((e) => this.trainingExample(e));
    this.classifier.train(data, this.options.warmEpochs, this.rng);
    this.trainedExamples += fresh.length;
    this.strengthMedian = undefined;
    this.pending = [];
  }

  /**
   * Simulated traffic from the KB itself. Answers are dealt into F folds; in fold f the answers of f are
   * left out entirely (their examples play questions the KB cannot answer) and every F-th example of the
   * other answers is held out (known questions). A matcher trained on the rest scores both; the calibrator
   * learns P(top answer right | signals) and the threshold is the lowest confidence reaching the target
   * precision on that traffic.
   */
  private fitCalibration(): void {
    const live = this.answers.map((a, i) => ({ a, i })).filter(({ a }) => a.alive && a.examples.length > 0);
    const folds = Math.min(this.options.calibrationFolds, live.length);
    if (folds < 2) {
      this.calibrator = undefined;
      return;
    }
    const rng = mulberry32(this.options.seed + 7919);
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

  /** Query vector: known features with TF-IDF weights, normalised including the mass of unseen features. */
  private queryVector(text: string): SparseVector {
    const ids: number[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [name, tf] of extractFeatures(normalizeQuestion(text), this.options.features)) {
      const id = this.vocab.get(name);
      if (id !== undefined && (this.answerFreq[id] as number) > 0) {
        const w = tf * (this.idf[id] as number);
        ids.push(id);
        values.push(w);
        norm += w * w;
      } else {
        norm += (tf * this.unknownIdf) ** 2;
      }
    }
    norm = Math.sqrt(norm) || 1;
    for (let j = 0; j < values.length; j++) values[j] = (values[j] as number) / norm;
    return { ids, values };
  }

  /** Ranks every live answer for a question; assumes `ensureReady` ran. */
  private score(text: string): Scored {
    const q = this.queryVector(text);
    const nAnswers = this.answers.length;
    if (this.sims.length < this.examples.length) this.sims = new Float64Array(this.examples.length * 2);
    if (this.probs.length < nAnswers) this.probs = new Float64Array(nAnswers * 2);
    const sims = this.sims;
    const probs = this.probs;

    // Cosine similarity to every example through the inverted index.
    const touched: number[] = [];
    for (let j = 0; j < q.ids.length; j++) {
      const id = q.ids[j] as number;
      const list = this.postings[id] as number[];
      const tfs = this.postingTf[id] as number[];
      const w = (q.values[j] as number) * (this.idf[id] as number);
      for (let r = 0; r < list.length; r++) {
        const e = list[r] as number;
        if (sims[e] === 0) touched.push(e);
        sims[e] = (sims[e] as number) + (w * (tfs[r] as number)) / (this.examples[e] as StoredExample).norm;
      }
    }
    this.classifier.probabilities(q, probs);

    const k = this.options.topExamples;
    const cw = this.options.classifierWeight;
    const exampleScore = new Float64Array(nAnswers);
    const best = new Float64Array(k);
    for (let a = 0; a < nAnswers; a++) {
      const answer = this.answers[a] as StoredAnswer;
      if (!answer.alive) continue;
      best.fill(0);
      for (const e of answer.examples) {
        const s = sims[e] as number;
        if (s <= (best[k - 1] as number)) continue;
        // Insertion into the small sorted buffer of the k best similarities.
        let p = k - 1;
        while (p > 0 && (best[p - 1] as number) < s) {
          best[p] = best[p - 1] as number;
          p--;
        }
        best[p] = s;
      }
      let sum = 0;
      for (let p = 0; p < k; p++) sum += best[p] as number;
      exampleScore[a] = sum / Math.min(k, Math.max(1, answer.examples.length));
    }
    for (const e of touched) sims[e] = 0;

    const candidates: { answer: number; score: number }[] = [];
    for (let a = 0; a < nAnswers; a++) {
      if (!(this.answers[a] as StoredAnswer).alive) continue;
      candidates.push({ answer: a, score: cw * (probs[a] as number) + (1 - cw) * (exampleScore[a] as number) });
    }
    candidates.sort((x, y) => y.score - x.score);
    const top = candidates[0];
    const second = candidates[1];
    const p1 = top ? (probs[top.answer] as number) : 0;
    const p2 = second ? (probs[second.answer] as number) : 0;
    const clipped = Math.min(Math.max(p1, 1e-6), 1 - 1e-6);
    const signals = [Math.log(clipped / (1 - clipped)), p1 - p2, top ? (exampleScore[top.answer] as number) : 0];
    return { candidates, signals };
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
