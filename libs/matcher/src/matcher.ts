import { DEFAULT_FEATURE_OPTIONS, extractFeatures, type FeatureOptions } from './features';
import { normalizeQuestion } from './normalize';

export interface MatcherOptions {
  features?: Partial<FeatureOptions>;
  /** 'example' = df over example questions; 'answer' = df over answers. */
  idfMode?: 'example' | 'answer';
  sublinearTf?: boolean;
  topK?: number;
  wMax?: number;
  wTopK?: number;
  wCentroid?: number;
  wLr?: number;
  lrEpochs?: number;
  lrL2?: number;
  lrLr?: number;
  idfPower?: number;
  lrDecay?: number;
  lrOvr?: boolean;
  lrDropout?: number;
}

export interface AnswerInput {
  id: string;
  examples: readonly string[];
}

export interface Candidate {
  answerId: string;
  score: number;
}

export interface MatchResult {
  candidates: Candidate[];
  confidence: number;
  matched: boolean;
}

interface Example {
  answer: number;
  ids: Int32Array;
  tf: Float64Array;
  norm: number;
  alive: boolean;
}

interface Answer {
  id: string;
  examples: number[];
  centroid: Map<number, number>;
  centroidNorm: number;
}

export class Matcher {
  readonly options: Required<Omit<MatcherOptions, 'features'>> & { features: FeatureOptions };
  private readonly vocab = new Map<string, number>();
  private dfExample: number[] = [];
  private dfAnswer: number[] = [];
  private idf: number[] = [];
  private readonly examples: Example[] = [];
  private readonly answers: Answer[] = [];
  private readonly answerIndex = new Map<string, number>();
  private postings: { ex: number[]; w: number[] }[] = [];
  private dirty = true;
  private lrW: Float64Array[] = [];
  private lrB = new Float64Array(0);
  threshold = 0.5;

  constructor(options: MatcherOptions = {}) {
    this.options = {
      idfMode: 'example',
      sublinearTf: false,
      topK: 3,
      wMax: 0,
      wTopK: 1,
      wCentroid: 0,
      wLr: 0,
      lrEpochs: 30,
      lrL2: 1e-4,
      lrLr: 0.5,
      idfPower: 1,
      lrDecay: 0.1,
      lrOvr: false,
      lrDropout: 0,
      ...options,
      features: { ...DEFAULT_FEATURE_OPTIONS, ...options.features },
    };
  }

  private featurize(text: string, grow: boolean): { ids: number[]; tf: number[]; unknownMass: number[] } {
    const feats = extractFeatures(normalizeQuestion(text), this.options.features);
    const ids: number[] = [];
    const tf: number[] = [];
    const unknownMass: number[] = [];
    for (const [name, count] of feats) {
      let id = this.vocab.get(name);
      const t = this.options.sublinearTf ? 1 + Math.log(count) : count;
      if (id === undefined) {
        if (!grow) {
          unknownMass.push(t);
          continue;
        }
        id = this.vocab.size;
        this.vocab.set(name, id);
        this.dfExample.push(0);
        this.dfAnswer.push(0);
        this.postings.push({ ex: [], w: [] });
      }
      ids.push(id);
      tf.push(t);
    }
    return { ids, tf, unknownMass };
  }

  addAnswers(answers: readonly AnswerInput[]): void {
    for (const a of answers) this.addAnswer(a);
  }

  addAnswer(input: AnswerInput): void {
    if (this.answerIndex.has(input.id)) throw new Error(`answer ${input.id} exists`);
    const index = this.answers.length;
    this.answers.push({ id: input.id, examples: [], centroid: new Map(), centroidNorm: 0 });
    this.answerIndex.set(input.id, index);
    this.addExamples(input.id, input.examples);
  }

  addExamples(answerId: string, examples: readonly string[]): void {
    const index = this.answerIndex.get(answerId);
    if (index === undefined) throw new Error(`unknown answer ${answerId}`);
    const answer = this.answers[index] as Answer;
    for (const text of examples) {
      const { ids, tf } = this.featurize(text, true);
      const exIndex = this.examples.length;
      this.examples.push({ answer: index, ids: Int32Array.from(ids), tf: Float64Array.from(tf), norm: 1, alive: true });
      answer.examples.push(exIndex);
      const seenInAnswer = new Set<number>();
      for (const e of answer.examples.slice(0, -1)) for (const id of (this.examples[e] as Example).ids) seenInAnswer.add(id);
      for (const id of ids) {
        this.dfExample[id] = (this.dfExample[id] ?? 0) + 1;
        if (!seenInAnswer.has(id)) this.dfAnswer[id] = (this.dfAnswer[id] ?? 0) + 1;
      }
    }
    this.dirty = true;
  }

  private refresh(): void {
    const nEx = this.examples.length;
    const nAns = this.answers.length;
    const df = this.options.idfMode === 'answer' ? this.dfAnswer : this.dfExample;
    const n = this.options.idfMode === 'answer' ? nAns : nEx;
    this.idf = df.map((d) => (Math.log((1 + n) / (1 + d)) + 1) ** this.options.idfPower);
    this.unknownIdf = Math.log(1 + n) + 1;
    for (const p of this.postings) {
      p.ex.length = 0;
      p.w.length = 0;
    }
    for (let e = 0; e < nEx; e++) {
      const ex = this.examples[e] as Example;
      let norm = 0;
      for (let k = 0; k < ex.ids.length; k++) {
        const w = (ex.tf[k] as number) * (this.idf[ex.ids[k] as number] as number);
        norm += w * w;
      }
      ex.norm = Math.sqrt(norm) || 1;
      for (let k = 0; k < ex.ids.length; k++) {
        const id = ex.ids[k] as number;
        const p = this.postings[id] as { ex: number[]; w: number[] };
        p.ex.push(e);
        p.w.push(((ex.tf[k] as number) * (this.idf[id] as number)) / ex.norm);
      }
    }
    for (const a of this.answers) {
      a.centroid.clear();
      for (const e of a.examples) {
        const ex = this.examples[e] as Example;
        for (let k = 0; k < ex.ids.length; k++) {
          const id = ex.ids[k] as number;
          const w = ((ex.tf[k] as number) * (this.idf[id] as number)) / ex.norm;
          a.centroid.set(id, (a.centroid.get(id) ?? 0) + w);
        }
      }
      let norm = 0;
      for (const w of a.centroid.values()) norm += w * w;
      a.centroidNorm = Math.sqrt(norm) || 1;
    }
    if (this.options.wLr > 0) this.trainLr();
    this.nbCounts = this.answers.map(() => new Map<number, number>());
    this.nbTotals = this.answers.map(() => 0);
    this.nbBg = new Array<number>(this.vocab.size).fill(0);
    this.nbBgTotal = 0;
    for (const ex of this.examples) {
      const m = this.nbCounts[ex.answer] as Map<number, number>;
      for (let k = 0; k < ex.ids.length; k++) {
        const id = ex.ids[k] as number;
        const t = ex.tf[k] as number;
        m.set(id, (m.get(id) ?? 0) + t);
        this.nbTotals[ex.answer] = (this.nbTotals[ex.answer] as number) + t;
        this.nbBg[id] = (this.nbBg[id] as number) + t;
        this.nbBgTotal += t;
      }
    }
    this.sims = new Float64Array(nEx);
    this.dirty = false;
  }

  private unknownIdf = 1;
  private nbCounts: Map<number, number>[] = [];
  private nbTotals: number[] = [];
  private nbBg: number[] = [];
  private nbBgTotal = 0;
  private lastLogits = new Float64Array(0);
  private lastEnergy = 0;
  private sims = new Float64Array(0);

  /** Query vector: known feature ids with tf-idf weights normalised by the norm including unknown features. */
  private queryVector(text: string): { ids: number[]; w: number[] } {
    const { ids, tf, unknownMass } = this.featurize(text, false);
    const w = ids.map((id, k) => (tf[k] as number) * (this.idf[id] as number));
    let norm = 0;
    for (const x of w) norm += x * x;
    for (const t of unknownMass) norm += (t * this.unknownIdf) ** 2;
    norm = Math.sqrt(norm) || 1;
    return { ids, w: w.map((x) => x / norm) };
  }

  private trainLr(): void {
    const K = this.answers.length;
    const V = this.vocab.size;
    this.lrW = Array.from({ length: V }, () => new Float64Array(K));
    this.lrB = new Float64Array(K);
    const data = this.examples.map((ex) => {
      const w = Array.from(ex.ids, (id, k) => ((ex.tf[k] as number) * (this.idf[id] as number)) / ex.norm);
      return { ids: ex.ids, w, y: ex.answer };
    });
    const order = data.map((_, i) => i);
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const logits = new Float64Array(K);
    for (let epoch = 0; epoch < this.options.lrEpochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      const lr = this.options.lrLr / (1 + epoch * this.options.lrDecay);
      const pd = this.options.lrDropout;
      for (const i of order) {
        const d0 = data[i] as { ids: Int32Array; w: number[]; y: number };
        let d = d0;
        if (pd > 0) {
          const ids: number[] = [];
          const w: number[] = [];
          for (let k = 0; k < d0.ids.length; k++) {
            if (rand() >= pd) {
              ids.push(d0.ids[k] as number);
              w.push((d0.w[k] as number) / (1 - pd));
            }
          }
          d = { ids: Int32Array.from(ids), w, y: d0.y };
        }
        logits.set(this.lrB);
        for (let k = 0; k < d.ids.length; k++) {
          const row = this.lrW[d.ids[k] as number] as Float64Array;
          const x = d.w[k] as number;
          for (let c = 0; c < K; c++) logits[c] = (logits[c] as number) + (row[c] as number) * x;
        }
        let max = -Infinity;
        for (let c = 0; c < K; c++) max = Math.max(max, logits[c] as number);
        let z = 0;
        for (let c = 0; c < K; c++) {
          logits[c] = this.options.lrOvr ? 1 / (1 + Math.exp(-(logits[c] as number))) : Math.exp((logits[c] as number) - max);
          z += logits[c] as number;
        }
        if (this.options.lrOvr) z = 1;
        for (let c = 0; c < K; c++) {
          const g = (logits[c] as number) / z - (c === d.y ? 1 : 0);
          logits[c] = g;
          this.lrB[c] = (this.lrB[c] as number) - lr * g;
        }
        for (let k = 0; k < d.ids.length; k++) {
          const row = this.lrW[d.ids[k] as number] as Float64Array;
          const x = d.w[k] as number;
          for (let c = 0; c < K; c++) {
            row[c] = (row[c] as number) * (1 - lr * this.options.lrL2) - lr * (logits[c] as number) * x;
          }
        }
      }
    }
  }

  match(text: string, opts: { topK?: number } = {}): MatchResult {
    if (this.dirty) this.refresh();
    const q = this.queryVector(text);
    const sims = this.sims;
    sims.fill(0);
    for (let k = 0; k < q.ids.length; k++) {
      const p = this.postings[q.ids[k] as number] as { ex: number[]; w: number[] };
      const qw = q.w[k] as number;
      for (let j = 0; j < p.ex.length; j++) {
        const e = p.ex[j] as number;
        sims[e] = (sims[e] as number) + qw * (p.w[j] as number);
      }
    }
    const K = this.answers.length;
    let lrProb: Float64Array | undefined;
    if (this.options.wLr > 0) {
      const logits = Float64Array.from(this.lrB);
      for (let k = 0; k < q.ids.length; k++) {
        const row = this.lrW[q.ids[k] as number] as Float64Array;
        const x = q.w[k] as number;
        for (let c = 0; c < K; c++) logits[c] = (logits[c] as number) + (row[c] as number) * x;
      }
      let max = -Infinity;
      for (let c = 0; c < K; c++) max = Math.max(max, logits[c] as number);
      this.lastLogits = Float64Array.from(logits);
      let z = 0;
      for (let c = 0; c < K; c++) {
        logits[c] = Math.exp((logits[c] as number) - max);
        z += logits[c] as number;
      }
      this.lastEnergy = max + Math.log(z);
      for (let c = 0; c < K; c++) logits[c] = (logits[c] as number) / z;
      if (this.options.lrOvr) for (let c = 0; c < K; c++) logits[c] = 1 / (1 + Math.exp(-(this.lastLogits[c] as number)));
      lrProb = logits;
    }
    const o = this.options;
    const scored: Candidate[] = this.answers.map((a, ai) => {
      const s = a.examples.map((e) => sims[e] as number).sort((x, y) => y - x);
      const max = s[0] ?? 0;
      const top = s.slice(0, o.topK);
      const topMean = top.reduce((x, y) => x + y, 0) / Math.max(1, top.length);
      let cent = 0;
      if (o.wCentroid > 0) {
        for (let k = 0; k < q.ids.length; k++) cent += (q.w[k] as number) * (a.centroid.get(q.ids[k] as number) ?? 0);
        cent /= a.centroidNorm;
      }
      const lr = lrProb ? (lrProb[ai] as number) : 0;
      return { answerId: a.id, score: o.wMax * max + o.wTopK * topMean + o.wCentroid * cent + o.wLr * lr };
    });
    scored.sort((x, y) => y.score - x.score);
    const confidence = scored[0]?.score ?? 0;
    const top = this.answerIndex.get(scored[0]?.answerId ?? '') ?? 0;
    const second = this.answerIndex.get(scored[1]?.answerId ?? '') ?? 0;
    const ta = this.answers[top] as Answer;
    const tsims = ta.examples.map((e) => sims[e] as number).sort((x, y) => y - x);
    let gmax = 0;
    for (const v of sims) gmax = Math.max(gmax, v);
    let cent = 0;
    for (let k = 0; k < q.ids.length; k++) cent += (q.w[k] as number) * (ta.centroid.get(q.ids[k] as number) ?? 0);
    cent /= ta.centroidNorm;
    let knownMass = 0;
    for (const w of q.w) knownMass += w * w;
    // Naive Bayes / query-likelihood with Dirichlet smoothing
    const mu = Number(process.env.NBMU ?? 50);
    const raw = this.featurize(text, false);
    let total = 0;
    for (const t of raw.tf) total += t;
    for (const t of raw.unknownMass) total += t;
    const nbScores = this.answers.map((a) => {
      let sc = 0;
      const na = this.nbTotals[this.answers.indexOf(a)] as number;
      const cnt = this.nbCounts[this.answers.indexOf(a)] as Map<number, number>;
      for (let k = 0; k < raw.ids.length; k++) {
        const id = raw.ids[k] as number;
        const pbg = ((this.nbBg[id] ?? 0) + 0.5) / (this.nbBgTotal + 0.5 * this.vocab.size);
        sc += (raw.tf[k] as number) * Math.log(((cnt.get(id) ?? 0) + mu * pbg) / (pbg * (na + mu)));
      }
      for (const t of raw.unknownMass) sc += t * Math.log(mu / (na + mu));
      return sc / Math.max(1, total);
    });
    const nbMax = Math.max(...nbScores);
    const debug: Record<string, number> = {
      nbTop: nbScores[top] ?? 0,
      nbMax,
      p1: lrProb ? (lrProb[top] as number) : 0,
      margin: lrProb ? (lrProb[top] as number) - (lrProb[second] as number) : 0,
      logit1: this.lastLogits[top] ?? 0,
      energy: this.lastEnergy,
      knnMax: tsims[0] ?? 0,
      knnTop3: ((tsims[0] ?? 0) + (tsims[1] ?? 0) + (tsims[2] ?? 0)) / 3,
      gmax,
      cent,
      knownMass,
      qlen: text.length,
      nfeat: q.ids.length,
    };
    return { candidates: scored.slice(0, opts.topK ?? 3), confidence, matched: confidence >= this.threshold, debug } as MatchResult;
  }
}
